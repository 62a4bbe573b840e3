/**
 * A run stopped before a step (ChoiceContext.snapshot) goes on from there (RunOptions.resume) exactly as
 * the run it was taken from: same end state, verdict, schedule and trace, as often as it is resumed.
 */
import { prepareScenario } from "../../src";
import { hashState } from "../../src/explore/statehash";
import { mulberry32 } from "../../src/explore/common";
import { clonePlain } from "../../src/sim/clone";
import { runThreadsOn, type RunSnapshot } from "../../src/sim/scheduler";

describe("run snapshots", () => {
  test.each([
    ["S1", "2.6.34"],
    ["S1", "2.6.36"],
    ["S3", "2.6.34"],
    ["S5", "2.6.33"],
    ["S6", "2.6.34"],
    ["S9", "2.6.34"],
  ])("%s on %s: resumed runs end as the whole run, traced or not", (id, kernel) => {
    const p = prepareScenario(id, { kernel });
    for (let seed = 1; seed <= 12; seed++) {
      const rand = mulberry32(seed);
      const choices: string[] = [];
      const whole = runThreadsOn(clonePlain(p.initial), p.policy, p.opts, p.threads, {
        chooser: (ctx) => {
          const t = ctx.runnable[Math.floor(rand() * ctx.runnable.length)] as string;
          choices.push(t);
          return t;
        },
      });
      const at = Math.floor((choices.length * (seed % 5)) / 5);
      let i = 0;
      let snap: RunSnapshot | null = null;
      runThreadsOn(clonePlain(p.initial), p.policy, p.opts, p.threads, {
        chooser: (ctx) => {
          if (i === at) snap = (ctx.snapshot as () => RunSnapshot)();
          return choices[i++] as string;
        },
      });
      expect(snap).not.toBeNull();
      const s = snap as unknown as RunSnapshot;
      // Twice from copies of the snapshot's state, then on that state itself (the snapshot is used up):
      // the threads are shared with the snapshot, and each run copies one before it steps it.
      for (const last of [false, false, true]) {
        let j = at;
        const r = runThreadsOn(last ? s.state : clonePlain(s.state), p.policy, p.opts, p.threads, {
          chooser: () => choices[j++] as string,
          resume: s,
        });
        expect(r.schedule).toBe(whole.schedule);
        expect(r.verdict).toEqual(whole.verdict);
        expect(r.steps).toBe(whole.steps);
        expect(hashState(r.state)).toBe(hashState(whole.state));
        expect(r.trace).toEqual(whole.trace);
      }
    }
  });

  test("a thread that is a native generator cannot be snapshot, and the error says so", () => {
    const p = prepareScenario("S1", { kernel: "2.6.36" });
    const threads = [
      {
        name: "N",
        *body() {
          yield { label: "native", loc: "test" };
        },
      },
    ];
    expect(() =>
      runThreadsOn(clonePlain(p.initial), p.policy, p.opts, threads, {
        chooser: (ctx) => {
          (ctx.snapshot as () => RunSnapshot)();
          return "N";
        },
      }),
    ).toThrow(/native generator/);
  });
});
