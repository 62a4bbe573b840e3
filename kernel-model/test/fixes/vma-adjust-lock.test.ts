/** 1a on 2.6.34: a per-vma adjust_lock closes Race A (vma_adjust) but not C (expand_downwards) or B (move_ptes). */
import { runScenario } from "../../src/api";
import { sweep } from "./random";

const fix = "vma-adjust-lock";

test.each(["S1", "S2", "S5", "S6", "S7"])("%s is clean: scripted and 300 seeded schedules, both vma_address granularities", (id) => {
  expect(runScenario(id, { fix }).violations).toEqual([]);
  expect(runScenario(id, { fix, model: { vmaAddressReads: "per-field" } }).violations).toEqual([]);
  expect(sweep(id, "2.6.34", fix).first).toBeUndefined();
});

test("S1: the walker's vma_address waits on vma1's adjust_lock until all three stores are done", () => {
  const r = runScenario("S1", { fix });
  const store = r.trace.find((e) => e.thread === "T" && e.label === "vma_adjust: vma1->vm_start = 20");
  expect(store?.held).toContain("vma_adjust_lock:vma1");
  expect(r.state.counters.waitSteps["vma_adjust_lock"]).toBeGreaterThan(0);
  expect(r.trace.flatMap((e) => e.notes)).toContain("remove_migration_pte: A:p28 -> pg1@mig");
});

test("S2: vma_adjust holds next's adjust_lock too, across next->vm_start and next->vm_pgoff", () => {
  const r = runScenario("S2", { fix });
  const store = r.trace.find((e) => e.thread === "T" && /->vm_pgoff \+=/.test(e.label));
  expect(store?.held.filter((l) => l.startsWith("vma_adjust_lock:"))).toHaveLength(2);
});

test("S3 stays a BUG: expand_downwards does not take the adjust_lock", () => {
  const r = runScenario("S3", { fix });
  expect(r.verdict).toMatchObject({ kind: "bug", invariant: "I1" });
  const grow = r.trace.find((e) => e.thread === "G" && e.label.startsWith("expand_downwards: vma2->vm_start"));
  expect(grow?.held.some((l) => l.startsWith("vma_adjust_lock:"))).toBe(false);
});

test("S4 stays a BUG: the lock covers the stores, not the window until move_ptes", () => {
  const r = runScenario("S4", { fix });
  expect(r.verdict).toMatchObject({ kind: "bug", invariant: "I1" });
  expect(r.violations.some((v) => v.invariant === "I5" && /missed X:p63/.test(v.message))).toBe(true);
});

test("S8 stays a use-after-free", () => {
  expect(runScenario("S8", { fix }).verdict).toMatchObject({ kind: "use-after-free", invariant: "I6" });
});

test("the price: one lock round trip per vma_address, two extra walker steps each", () => {
  for (const id of ["S1", "S6", "S7"]) {
    const base = runScenario(id, { unscripted: true });
    const fixed = runScenario(id, { fix, unscripted: true });
    expect(base.verdict.kind).toBe("clean");
    expect(fixed.state.counters.walkerSteps).toBe(base.state.counters.walkerSteps);
    expect(fixed.state.counters.lockAcquisitions["vma_adjust_lock"]).toBeGreaterThanOrEqual(fixed.state.counters.walkerSteps);
    expect(fixed.steps).toBeGreaterThanOrEqual(base.steps + 2 * base.state.counters.walkerSteps);
  }
});
