/**
 * Exhaustive exploration: the expected outcomes of S1-S7 on every kernel over ALL interleavings, and
 * soundness: with reduction (DPOR, state caching) the search reaches the same set of verdicts and the
 * same set of end states as brute-force enumeration, on scenarios small enough to brute-force.
 */
import { prepareScenario, runPrepared } from "../../src/api";
import { explore } from "../../src/explore";
import { exhaustive, type ExhaustiveResult } from "../../src/explore/exhaustive";
import { KERNEL_VERSIONS } from "../../src/kernels";
import type { ScenarioSpec } from "../../src/scenarios/spec";

// Expected outcomes (the reference's table): negative scenarios must be clean over every interleaving.
const BUG_ON: Record<string, readonly string[]> = {
  S1: ["2.6.34", "2.6.35"],
  S2: ["2.6.34", "2.6.35"],
  S3: ["2.6.34", "2.6.35"],
  S4: ["2.6.33", "2.6.34"],
  S5: ["2.6.34", "2.6.35"],
  S6: [],
  S7: [],
};
const cells = Object.keys(BUG_ON).flatMap((id) => KERNEL_VERSIONS.map((k) => [id, k] as const));
// S5 on 2.6.36 is the big one: about 7,600 DPOR schedules (28,000 without transactions), 7-10 s, so it
// gets its own test and timeout.
const SLOW = new Set(["S5@2.6.36"]);

describe("S1-S7 x 2.6.33-2.6.36 over every interleaving (DPOR)", () => {
  test.each(cells.filter(([id, k]) => !SLOW.has(`${id}@${k}`)))("%s on %s", (id, kernel) => {
    const p = prepareScenario(id, { kernel });
    const r = explore(p, { mode: "exhaustive", minimise: false });
    if ((BUG_ON[id] as readonly string[]).includes(kernel)) {
      expect(r.verdict).toBe("bug");
      expect(r.exhausted).toBe(false); // stopped at the first counterexample
      // The counterexample replays exactly, to the same verdict.
      const again = runPrepared(p, { schedule: r.schedule as string, strict: true, trace: false });
      expect(again.verdict.kind).toBe("bug");
      expect(again.verdict.invariant).toBe(r.invariant);
      expect(again.schedule).toBe(r.schedule);
    } else {
      expect(r.verdict).toBe("clean");
      expect(r.exhausted).toBe(true);
      expect(r.cuts).toEqual([]);
    }
  }, 60_000);

  test.each([...SLOW].map((c) => c.split("@") as [string, string]))("%s on %s (the big one)", (id, kernel) => {
    const r = explore(prepareScenario(id, { kernel }), { mode: "exhaustive", minimise: false });
    expect(r.verdict).toBe("clean");
    expect(r.exhausted).toBe(true);
  }, 300_000);
});

const key = (r: ExhaustiveResult) => r.outcomes.map((o) => `${o.verdict.kind}:${o.verdict.invariant ?? ""}`).sort();

/** A two-thread S1: mprotect splits the vma while the migrator walks (no fault thread). */
const tinySplit: ScenarioSpec = {
  id: "tiny-split",
  setup: [
    { op: "mmap", mm: "A", start: 16, end: 32 },
    { op: "touch", mm: "A", addr: 28, page: "P" },
  ],
  threads: [
    { name: "M", ops: [{ op: "migrate", page: "P" }] },
    { name: "T", ops: [{ op: "mprotect", mm: "A", start: 20, end: 32, prot: "r" }] },
  ],
};

// Prefixes put the threads inside the race window, leaving few enough interleavings to enumerate them all.
const small: Array<[string, ScenarioSpec | string, string, string]> = [
  ["S1, inside the window", "S1", "2.6.34", "mig*12 T*7 mig*6"],
  ["S4, between vma_adjust and move_ptes", "S4", "2.6.34", "mig*12 E*6 mig*6"],
  ["S4 on 2.6.33 (vma_adjust under the anon_vma lock)", "S4", "2.6.33", "mig*12 E*8 mig*6"],
  ["S6, fork against the restore walk", "S6", "2.6.34", "mig*18"],
  ["a tiny custom spec (bug and clean)", tinySplit, "2.6.34", "M*12 T*7 M*2"],
];

describe("soundness: reductions against brute force", () => {
  test.each(small)("%s", (_name, spec, kernel, prefix) => {
    const p = prepareScenario(spec, { kernel });
    const o = { stopAtFirst: false, collectEndStates: true, prefix };
    const brute = exhaustive(p, { ...o, reduction: false });
    expect(brute.exhausted).toBe(true);
    if (spec === tinySplit) {
      // Both outcomes, so the comparison has something to miss.
      expect(key(brute)).toContain("clean:");
      expect(key(brute).some((k) => k.startsWith("bug:"))).toBe(true);
    }
    for (const reduction of ["dpor", "states"] as const) {
      const r = exhaustive(p, { ...o, reduction, checkFootprints: true });
      expect(r.exhausted).toBe(true);
      expect(key(r)).toEqual(key(brute));
      expect(r.endStates).toEqual(brute.endStates);
      expect(r.schedules).toBeLessThan(brute.schedules);
    }
  }, 60_000);

  // Whole scenarios are too big to brute-force; two independent reductions must still agree. DPOR runs
  // fewer schedules (each state caching backtrack is a replay too), which is why it is the default.
  test.each([["S1", "2.6.34"], ["S4", "2.6.34"], ["S7", "2.6.36"]])("%s on %s: DPOR and state caching agree", (id, kernel) => {
    const p = prepareScenario(id, { kernel });
    const o = { stopAtFirst: false, collectEndStates: true };
    const dpor = exhaustive(p, { ...o, reduction: "dpor", checkFootprints: id === "S7" });
    const states = exhaustive(p, { ...o, reduction: "states" });
    expect(dpor.exhausted && states.exhausted).toBe(true);
    expect(key(dpor)).toEqual(key(states));
    expect(dpor.endStates).toEqual(states.endStates);
    expect(dpor.schedules).toBeLessThan(states.schedules);
  }, 60_000);
});

// Transactions (movers.ts) group steps into atomic events. Whole scenarios, both ways: the same verdicts
// and end states, with fewer choice points. S1 on 2.6.34 is the case that once lost its I2 runs (an
// acquisition merged into an event, ignored when DPOR moved the event before the lock holder).
describe("transactions against step-by-step DPOR", () => {
  test.each([["S1", "2.6.34"], ["S1", "2.6.36"], ["S9", "2.6.34"], ["S10", "2.6.34"], ["S4", "2.6.35"]])("%s on %s", (id, kernel) => {
    const p = prepareScenario(id, { kernel });
    const o = { stopAtFirst: false, collectEndStates: true };
    const steps = exhaustive(p, { ...o, transactions: false });
    const txn = exhaustive(p, { ...o, transactions: true });
    expect(steps.exhausted && txn.exhausted).toBe(true);
    expect(key(txn)).toEqual(key(steps));
    expect(txn.endStates).toEqual(steps.endStates);
    expect(steps.restarts).toBe(0);
    // Counted over every pass, restarts included; where the grouping pays, it shows.
    if (id === "S1" && kernel === "2.6.36") expect(txn.transitions).toBeLessThan(steps.transitions);
  }, 60_000);
});

describe("bounds and reporting", () => {
  const p = prepareScenario("S1", { kernel: "2.6.36" });
  test("a schedule bound that cuts the search is bound-reached, never clean", () => {
    const r = explore(p, { mode: "exhaustive", maxSchedules: 10 });
    expect(r.verdict).toBe("bound-reached");
    expect(r.exhausted).toBe(false);
    expect(r.cuts).toContain("schedules");
    expect(r.schedules).toBe(10);
  });
  test("a step bound that cuts runs is bound-reached", () => {
    const r = explore(p, { mode: "exhaustive", maxSteps: 20 });
    expect(r.verdict).toBe("bound-reached");
    expect(r.cuts).toContain("steps");
  });
  test("a preemption bound cuts, and is reported", () => {
    const r = explore(p, { mode: "exhaustive", preemptions: 1 });
    expect(r.verdict).toBe("bound-reached");
    expect(r.cuts).toEqual(["preemptions"]);
  });
  test("with a preemption bound the search still finds a bug that needs no more preemptions", () => {
    const r = explore(prepareScenario("S4", { kernel: "2.6.34" }), { mode: "exhaustive", preemptions: 1, minimise: false });
    expect(r.verdict).toBe("bug");
  });
  test("states, transitions and schedules are counted, and the result is deterministic", () => {
    const q = prepareScenario("S4", { kernel: "2.6.36" });
    const a = explore(q, { mode: "exhaustive" });
    const b = explore(q, { mode: "exhaustive" });
    expect(a.states).toBeGreaterThan(0);
    expect(a.transitions).toBeGreaterThanOrEqual(a.schedules);
    expect(a.schedules).toBeGreaterThan(1);
    expect({ ...a, elapsedMs: 0, searchMs: 0 }).toEqual({ ...b, elapsedMs: 0, searchMs: 0 });
  });
});
