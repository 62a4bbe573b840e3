import { exhaustive } from "../../src/explore/exhaustive";
import { Movers } from "../../src/explore/movers";
import type { State } from "../../src/mm/types";
import { prepareScenario } from "../../src";
import { S1 } from "../../src/scenarios/builtin";

// Locations by name, as the explorer's Locations would intern them.
function table(): { loc: (name: string) => number; movers: Movers } {
  const names: string[] = [];
  const loc = (name: string): number => {
    const i = names.indexOf(name);
    return i >= 0 ? i : names.push(name) - 1;
  };
  const lockOf = (l: number): string | null => /^locks\.(.+)\.owner$/.exec(names[l] as string)?.[1] ?? null;
  return { loc, movers: new Movers(lockOf, [], (l) => names[l] as string) };
}

// Thread 0 "mig" holds PG_locked:P0 and PG_locked:P1 as it likes; thread 1 "F" holds nothing.
function state(migHolds: string[]): State {
  const locks: Record<string, { owner: string }> = {};
  for (const id of migHolds) locks[id] = { owner: "mig" };
  return { threads: { mig: { held: migHolds }, F: { held: [] } }, locks } as unknown as State;
}

const fp = (reads: number[], writes: number[]) => ({ reads: new Set(reads), writes: new Set(writes) });

describe("Movers: objects of one kind are expected to be accessed alike", () => {
  test("an unlocked read of P0.mapping makes the write of P1.mapping under PG_locked:P1 no mover", () => {
    const { loc, movers } = table();
    const none = movers.held(state([]), "F");
    movers.step(1, "F", "fault", fp([loc("pages.P0.mapping")], []), new Set(), none, none, null);
    const s = state(["PG_locked:P1"]);
    const held = movers.held(s, "mig");
    const c = movers.step(0, "mig", "move", fp([], [loc("pages.P1.mapping")]), new Set(), held, held, null);
    expect(c.right).toBe(false);
    expect(c.left).toBe(false);
  });

  test("an access of P0.mapping under PG_locked:P0 is expected under PG_locked:P1 at P1.mapping", () => {
    const { loc, movers } = table();
    const h0 = movers.held(state(["PG_locked:P0"]), "mig");
    movers.step(0, "mig", "move", fp([], [loc("pages.P0.mapping")]), new Set(), h0, h0, null);
    // F, holding P1's page lock, writes P1.mapping: mig's expected access there is under the same lock.
    const s = { threads: { mig: { held: [] }, F: { held: ["PG_locked:P1"] } }, locks: { "PG_locked:P1": { owner: "F" } } } as unknown as State;
    const h1 = movers.held(s, "F");
    const c = movers.step(1, "F", "write", fp([], [loc("pages.P1.mapping")]), new Set(), h1, h1, null);
    expect(c.right).toBe(true);
    expect(c.left).toBe(true);
  });

  test("objects of other collections (vmas) are not generalised", () => {
    const { loc, movers } = table();
    const none = movers.held(state([]), "F");
    movers.step(1, "F", "read", fp([loc("vmas.vma1.vm_start")], []), new Set(), none, none, null);
    const held = movers.held(state(["PG_locked:P1"]), "mig");
    const c = movers.step(0, "mig", "write", fp([], [loc("vmas.vma2.vm_start")]), new Set(), held, held, null);
    expect(c.right).toBe(true);
  });
});

test("S1 with 4 pages and 1 migrator on 2.6.36: the state caching pass restarts at most once per kind of access, not once per page", () => {
  const p = prepareScenario(S1({ pages: 4, migrators: 1 }), { kernel: "2.6.36" });
  // Persistent sets off: their restarts (futures.ts) are not the movers'.
  const r = exhaustive(p, { stopAtFirst: false, persistent: false });
  expect(r.exhausted).toBe(true);
  expect(r.failure).toBeUndefined();
  // Without the generalisation: 7 restarts (P3, P2, P1, P0 mapping and page locks, one by one).
  expect(r.restarts).toBeLessThanOrEqual(3);
});
