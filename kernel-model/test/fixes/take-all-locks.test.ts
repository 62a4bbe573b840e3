/** 1d on 2.6.34: anon_vma_lock(vma) locks every anon_vma on the vma's chain (the writer side pays). */
import { runScenario } from "../../src/api";
import { sweep } from "./random";

const fix = "take-all-locks";

test.each(["S1", "S2", "S3", "S5", "S6", "S7", "S9", "S10"])("%s is clean: scripted and 300 seeded schedules", (id) => {
  expect(runScenario(id, { fix }).violations).toEqual([]);
  expect(sweep(id, "2.6.34", fix).first).toBeUndefined();
});

test("S3: expand_downwards in the child holds its own anon_vma and the parent's, the one the walker holds", () => {
  const r = runScenario("S3", { fix });
  const grow = r.trace.find((e) => e.thread === "G" && e.label.startsWith("expand_downwards: vma2->vm_start"));
  expect(grow?.held).toEqual(["mmap_sem:C", "anon_vma:av2", "anon_vma:av1"]);
});

test("the price is on the writer: one lock per anon_vma of the vma, on every vma_adjust and stack growth", () => {
  const base = runScenario("S3", { unscripted: true }).state.counters.lockAcquisitions["anon_vma"] ?? 0;
  const fixed = runScenario("S3", { fix, unscripted: true }).state.counters.lockAcquisitions["anon_vma"] ?? 0;
  expect(fixed - base).toBe(1);
  const s5base = runScenario("S5", { unscripted: true }).state.counters.lockAcquisitions["anon_vma"] ?? 0;
  const s5 = runScenario("S5", { fix, unscripted: true }).state.counters.lockAcquisitions["anon_vma"] ?? 0;
  expect(s5).toBeGreaterThan(s5base);
});

test.each([
  ["S4", "bug", "I1"],
  ["S8", "use-after-free", "I6"],
] as const)("%s stays %s", (id, kind, invariant) => {
  expect(runScenario(id, { fix }).verdict).toMatchObject({ kind, invariant });
});
