/** Counterexample minimisation: fewest preemptions, then fewest steps, confirmed by a strict replay. */
import { prepareScenario, runPrepared } from "../../src/api";
import { exploreRandom } from "../../src/explore/random";
import { explore } from "../../src/explore";
import { exhaustive } from "../../src/explore/exhaustive";
import { format } from "../../src/explore/progress";
import { measure, shrink } from "../../src/explore/shrink";
import type { ExploreProgress } from "../../src/explore/types";
import type { Verdict } from "../../src/sim/scheduler";
import { S1 } from "../../src/scenarios/builtin";

const p = prepareScenario("S1", { kernel: "2.6.34" });

describe("shrink", () => {
  test("a noisy random counterexample shrinks to one with fewer preemptions that fails the same way", () => {
    const found = exploreRandom(p, { runs: 300, seed: 7, stopAtFirst: true }).first;
    expect(found).toBeDefined();
    const noisy = (found as NonNullable<typeof found>).run.schedule;
    const before = measure(p, noisy);
    const s = shrink(p, noisy, { budget: 300 });
    expect(s.verdict.kind).toBe(before.run.verdict.kind);
    expect(s.verdict.invariant).toBe(before.run.verdict.invariant);
    expect(s.preemptions).toBeLessThan(before.preemptions);
    expect(s.steps <= before.run.steps || s.preemptions < before.preemptions).toBe(true);
    expect(s.original).toEqual({ preemptions: before.preemptions, steps: before.run.steps });
    // The result is an exact schedule: a strict replay runs it step for step, to the same verdict.
    const replay = runPrepared(p, { schedule: s.schedule, strict: true, trace: false });
    expect(replay.schedule).toBe(s.schedule);
    expect(replay.verdict).toEqual(s.verdict);
  }, 30_000);
  test("when the bounded searches finish, the preemption count is shown minimal", () => {
    // S4 on 2.6.34 fails with few preemptions, so the searches below the count are small.
    const q = prepareScenario("S4", { kernel: "2.6.34" });
    const s = shrink(q, runPrepared(q, { trace: false }).schedule, { budget: 20_000 });
    expect(s.minimal).toBe(true);
    expect(s.preemptions).toBeLessThanOrEqual(2);
  }, 30_000);
  test("the scripted S1 schedule does not get worse", () => {
    const scripted = runPrepared(p, { trace: false });
    const s = shrink(p, scripted.schedule, { budget: 300 });
    expect(s.verdict.invariant).toBe("I1");
    const pre = measure(p, scripted.schedule).preemptions;
    // Fewest preemptions first, then fewest steps: never worse in that order.
    expect(s.preemptions < pre || (s.preemptions === pre && s.steps <= scripted.steps)).toBe(true);
  }, 30_000);
  test("a migrator the failure does not need drops out of the counterexample (S1, 2 pages, one migrator each)", () => {
    const q = prepareScenario(S1({ pages: 2, migrators: "per-page" }), { kernel: "2.6.34" });
    // Both migrators migrate, then the second one's remove walk meets the half-adjusted vma.
    const both = "mig0*21 mig1*13 T*8 mig1*7 T*5 F*7";
    expect(measure(q, both).run.verdict.invariant).toBe("I1");
    const s = shrink(q, both, { budget: 0 });
    expect(s.verdict.invariant).toBe("I1");
    expect(s.schedule).not.toMatch(/mig0/);
    expect(s.steps).toBeLessThan(measure(q, both).run.steps);
  }, 30_000);
  test("with the default budget, S1's counterexample is shown minimal: 2 preemptions, 39 steps", () => {
    const s = shrink(p, runPrepared(p, { trace: false }).schedule);
    expect([s.preemptions, s.steps, s.minimal]).toEqual([2, 39, true]);
  }, 30_000);
  test.each([
    ["S5", 46],
    ["S9", 39],
  ])("with the default budget, %s's counterexample (four threads) is shown minimal too: 2 preemptions, %i steps", (id, steps) => {
    const q = prepareScenario(id, { kernel: "2.6.34" });
    const s = shrink(q, runPrepared(q, { trace: false }).schedule);
    expect([s.preemptions, s.steps, s.minimal]).toEqual([2, steps, true]);
  }, 120_000);
  test("minimisation reports its progress as such, and a bad budget is a usage error", () => {
    const seen: ExploreProgress[] = [];
    shrink(p, runPrepared(p, { trace: false }).schedule, { onProgress: (x) => seen.push(x), progressIntervalMs: 0 });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((x) => x.phase === "minimise")).toBe(true);
    expect(seen[seen.length - 1]?.done).toBe(true);
    expect(format(seen[0] as ExploreProgress)).toMatch(/^minimise: [\d,]+ schedules \([\d,]+\/s\), [\d.]+ s$/);
    expect(() => shrink(p, runPrepared(p, { trace: false }).schedule, { budget: -1 })).toThrow(/minimise budget must be a non-negative integer/);
  }, 30_000);
  test("with explore's prefix, the counterexample starts with it and is minimal among the runs that do (brute force agrees)", () => {
    const prefix = "T*6 mig*4"; // one preemption of its own: T could go on
    const r = explore(p, { mode: "exhaustive", prefix });
    expect(r.minimal).toBe(true);
    expect(r.schedule).toMatch(/^T\*6 mig\*(\d+)/);
    const replay = runPrepared(p, { schedule: r.schedule as string, strict: true, trace: false });
    expect([replay.verdict.invariant, replay.steps]).toEqual(["I1", r.steps]);
    // Brute force over the prefix's continuations (its bound counts the preemptions after the prefix).
    const after = (r.preemptions as number) - 1;
    const i1 = (v: Verdict) => v.kind === "bug" && v.invariant === "I1";
    expect(exhaustive(p, { reduction: false, prefix, preemptions: after - 1, isFailure: i1 }).failure).toBeUndefined();
    expect(exhaustive(p, { reduction: false, prefix, preemptions: after, shortest: true, isFailure: i1 }).failure?.steps).toBe(r.steps);
    expect(() => shrink(p, runPrepared(p, { trace: false }).schedule, { prefix })).toThrow(/does not start with the prefix "T\*6 mig\*4"/);
  }, 60_000);
  test("a schedule that does not fail is a usage error", () => {
    const clean = prepareScenario("S1", { kernel: "2.6.36" });
    expect(() => shrink(clean, runPrepared(clean, { trace: false }).schedule)).toThrow(/does not fail/);
  });
  test("a schedule naming a thread that cannot run is a usage error", () => {
    expect(() => measure(p, "F*40")).toThrow(/cannot run|ended/);
  });
});
