/**
 * Exhaustive exploration: the expected outcomes of S1-S7 on every kernel over ALL interleavings, and
 * soundness: with reduction (DPOR, state caching, both in turn) the search reaches the same set of verdicts and the
 * same set of end states as brute-force enumeration, on scenarios small enough to brute-force.
 */
import { prepareScenario, runPrepared } from "../../src/api";
import { explore } from "../../src/explore";
import { DPOR_FIRST, exhaustive, type ExhaustiveResult } from "../../src/explore/exhaustive";
import { BUILTIN, S1 } from "../../src/scenarios/builtin";
import type { Kernel, KGen } from "../../src/sim/kernel";
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
// S5 on 2.6.36 is the big one: about 6,400 schedules of the default search (DPOR, then state caching),
// 1-2 s, so it gets its own test and timeout.
const SLOW = new Set(["S5@2.6.36"]);

describe("S1-S7 x 2.6.33-2.6.36 over every interleaving (the default search)", () => {
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

  // Whole scenarios are too big to brute-force; two independent reductions must still agree: DPOR, and
  // state caching keyed by each thread's position and live variables (sim/resumable.ts), which prunes a
  // node only where both the machine state and every thread's future are the same as at one seen before.
  // Every built-in scenario on every kernel (S5 on 2.6.34-2.6.36 is the slow one: 2.6.33 stands for it).
  const whole = Object.keys(BUILTIN).flatMap((id) => KERNEL_VERSIONS.map((k) => [id, k] as const)).filter(([id, k]) => id !== "S5" || k === "2.6.33");
  test.each(whole)("%s on %s: DPOR and state caching agree", (id, kernel) => {
    const p = prepareScenario(id, { kernel });
    const o = { stopAtFirst: false, collectEndStates: true };
    const dpor = exhaustive(p, { ...o, reduction: "dpor", checkFootprints: id === "S7" });
    const states = exhaustive(p, { ...o, reduction: "states", checkFootprints: id === "S7" });
    expect(dpor.exhausted && states.exhausted).toBe(true);
    expect(states.reduction).toBe("states");
    expect(key(dpor)).toEqual(key(states));
    expect(dpor.endStates).toEqual(states.endStates);
    // Read-value keys (the fallback for kernel paths that are native generators) agree too.
    if (id === "S1" || id === "S4") {
      const values = exhaustive(p, { ...o, reduction: "states", preciseKeys: false });
      expect(key(values)).toEqual(key(dpor));
      expect(values.endStates).toEqual(dpor.endStates);
      expect(values.states).toBeGreaterThan(states.states);
    }
  }, 60_000);
});

describe("the default search: a DPOR pass, then state caching", () => {
  test("small or buggy spaces end in the DPOR pass", () => {
    const bug = exhaustive(prepareScenario("S5", { kernel: "2.6.35" }));
    expect(bug.failure?.verdict.kind).toBe("bug");
    expect(bug.reduction).toBe("dpor");
    expect(bug.schedules).toBeLessThanOrEqual(DPOR_FIRST);
    const small = exhaustive(prepareScenario("S1", { kernel: "2.6.36" }));
    expect(small.exhausted).toBe(true);
    expect(small.reduction).toBe("dpor");
    expect(small.cuts).toEqual([]);
  });
  test("a big clean space goes on with state caching, counts both passes and agrees with DPOR", () => {
    const p = prepareScenario(S1({ pages: 2 }), { kernel: "2.6.36" });
    const o = { stopAtFirst: false, collectEndStates: true };
    const auto = exhaustive(p, o);
    const dpor = exhaustive(p, { ...o, reduction: "dpor" });
    expect(auto.reduction).toBe("dpor+states");
    expect(auto.exhausted).toBe(true);
    expect(auto.cuts).toEqual([]);
    expect(auto.schedules).toBeGreaterThan(DPOR_FIRST);
    expect(key(auto)).toEqual(key(dpor));
    expect(auto.endStates).toEqual(dpor.endStates);
    // A bound of its own still cuts it, and is reported.
    const cut = exhaustive(p, { maxSchedules: DPOR_FIRST + 10 });
    expect(cut.exhausted).toBe(false);
    expect(cut.cuts).toEqual(["schedules"]);
    expect(cut.schedules).toBe(DPOR_FIRST + 10);
  }, 60_000);
  test("snapshots change nothing but the steps run (DPOR resumes from them instead of replaying)", () => {
    for (const [id, kernel] of [["S1", "2.6.34"], ["S5", "2.6.33"], ["S9", "2.6.36"]] as const) {
      const p = prepareScenario(id, { kernel });
      const replay = exhaustive(p, { reduction: "dpor", stopAtFirst: false, snapshots: 0 });
      const snap = exhaustive(p, { reduction: "dpor", stopAtFirst: false });
      expect([snap.schedules, snap.states, snap.transitions, key(snap)]).toEqual([replay.schedules, replay.states, replay.transitions, key(replay)]);
      expect(snap.steps).toBeLessThan(replay.steps);
    }
  }, 60_000);
  test("threads that are native generators fall back to DPOR and to read-value keys", () => {
    const p = prepareScenario("S1", { kernel: "2.6.36" });
    // The same thread bodies, each wrapped in a native generator: nothing can be copied or hashed.
    const wrapped = { ...p, threads: p.threads.map((t) => ({ name: t.name, *body(k: Kernel): KGen { yield* t.body(k); } })) };
    const auto = exhaustive(wrapped, { stopAtFirst: false });
    const states = exhaustive(wrapped, { reduction: "states", stopAtFirst: false });
    const ref = exhaustive(p, { reduction: "dpor", stopAtFirst: false });
    expect(auto.reduction).toBe("dpor");
    expect(auto.schedules).toBe(ref.schedules);
    expect(key(states)).toEqual(key(ref));
    expect(states.states).toBeGreaterThan(exhaustive(p, { reduction: "states", stopAtFirst: false }).states);
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
