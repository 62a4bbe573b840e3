/**
 * The preemption-bounded search (state caching keyed with the last thread that can still run, pruning a
 * visit only when an earlier one had no more preemptions and no more steps) and its branch and bound for
 * the shortest failing run, both against brute force within the same bounds.
 */
import { prepareScenario, runPrepared } from "../../src/api";
import { exhaustive } from "../../src/explore/exhaustive";
import { UsageError } from "../../src/kernels";
import type { Verdict } from "../../src/sim/scheduler";

const failing = (v: Verdict) => v.kind !== "clean";
const kinds = (r: ReturnType<typeof exhaustive>) => r.outcomes.map((o) => `${o.verdict.kind} ${o.verdict.invariant ?? ""}`).sort();

describe.each([
  ["S1", "2.6.34"],
  ["S3", "2.6.34"],
  ["S4", "2.6.34"],
  ["S8", "2.6.34"],
])("%s on %s, at most 2 preemptions", (id, kernel) => {
  const p = prepareScenario(id, { kernel });
  test("the same verdicts and end states as brute force", () => {
    const o = { preemptions: 2, stopAtFirst: false, collectEndStates: true };
    const brute = exhaustive(p, { ...o, reduction: false });
    const cached = exhaustive(p, { ...o, reduction: "states" });
    expect(brute.cuts).toEqual(["preemptions"]);
    expect(cached.cuts).toEqual(["preemptions"]);
    expect(kinds(cached)).toEqual(kinds(brute));
    expect(cached.endStates).toEqual(brute.endStates);
    expect(cached.schedules).toBeLessThanOrEqual(brute.schedules);
  }, 60_000);
  test("shortest: one search finds a failing run as short as brute force's shortest", () => {
    const o = { preemptions: 2, shortest: true, isFailure: failing };
    const brute = exhaustive(p, { ...o, reduction: false });
    const cached = exhaustive(p, { ...o, reduction: "states" });
    expect(cached.failure?.steps).toBe(brute.failure?.steps);
    if (cached.failure === undefined) return;
    // It is a real run of that length, and a plain search bounded one step below finds none.
    const replay = runPrepared(p, { schedule: cached.failure.schedule, strict: true, trace: false });
    expect([replay.steps, failing(replay.verdict)]).toEqual([cached.failure.steps, true]);
    const below = exhaustive(p, { reduction: "states", preemptions: 2, maxSteps: cached.failure.steps - 1, isFailure: failing });
    expect(below.failure).toBeUndefined();
    expect(below.cuts).not.toContain("schedules");
  }, 60_000);
});

test("shortest needs a preemption bound", () => {
  expect(() => exhaustive(prepareScenario("S1"), { reduction: "states", shortest: true })).toThrow(UsageError);
});
