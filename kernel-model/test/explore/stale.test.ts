import { KERNEL_VERSIONS, prepareScenario } from "../../src";
import { runOnce } from "../../src/explore/common";
import { Locations, Recorder } from "../../src/explore/footprint";
import { randomChooser } from "../../src/explore/random";
import { FIX_IDS } from "../../src/fixes";
import { BUILTIN } from "../../src/scenarios/builtin";
import type { Chooser } from "../../src/sim/scheduler";

// The explorer replays old steps on the plain state and records new ones through a view (exhaustive.ts),
// which is sound only if no kernel path uses an object of the state in a later step than the one that
// fetched it. A revoking recorder hands out a new view per step and reports any use of an old one.
/** Random runs of every scenario, kernel and fix through a revoking recorder; what it reported. */
function staleUses(seeds: number, chooser: (random: Chooser) => Chooser): { stale: string[]; runs: number } {
  const stale = new Set<string>();
  let runs = 0;
  for (const id of Object.keys(BUILTIN)) {
    for (const kernel of KERNEL_VERSIONS) {
      for (const fix of FIX_IDS) {
        const p = prepareScenario(id, { kernel, fix });
        for (let seed = 1; seed <= seeds; seed++) {
          const rec = new Recorder(new Locations());
          rec.revoking = true;
          rec.onStale = (path) => stale.add(`${id}@${kernel}+${fix}: ${path} (${new Error().stack?.split("\n")[3]?.trim()})`);
          runOnce(p, { chooser: chooser(randomChooser(seed)), view: (s) => rec.view(s) });
          runs++;
        }
      }
    }
  }
  return { stale: [...stale].slice(0, 10), runs };
}

test("no kernel path keeps an object of the state across a yield (every scenario, kernel and fix)", () => {
  const { stale, runs } = staleUses(6, (random) => random);
  expect(stale).toEqual([]);
  expect(runs).toBeGreaterThan(1000);
});

test("the revoking recorder does report an object kept from an earlier step", () => {
  const p = prepareScenario("S1", { kernel: "2.6.34" });
  const rec = new Recorder(new Locations());
  rec.revoking = true;
  const first = rec.view(structuredClone(p.initial));
  const vmas = first.vmas;
  rec.view(structuredClone(p.initial)); // the next step
  expect(() => Object.keys(vmas)).toThrow(/used vmas from an earlier step/);
});

// Snapshots and state keys copy and hash each thread's live variables (sim/resumable.ts): none may be an
// object of the state. Taking both before every step of random runs, with a revoking recorder, would
// report any that is.
test("no thread holds an object of the state in a live variable (every scenario, kernel and fix)", () => {
  let snapshots = 0;
  const { stale } = staleUses(2, (random) => (ctx) => {
    ctx.snapshot?.();
    ctx.threadHashes?.();
    snapshots++;
    return random(ctx);
  });
  expect(stale).toEqual([]);
  expect(snapshots).toBeGreaterThan(10_000);
});
