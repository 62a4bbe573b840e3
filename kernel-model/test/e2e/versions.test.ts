/** What each version's mechanism shows in the other scenarios. */
import { runScenario } from "../../src/api";

test("S4 on 2.6.35: the temporary stack is skipped, migration ends in -EAGAIN", () => {
  const r = runScenario("S4", { kernel: "2.6.35" });
  expect(r.verdict.kind).toBe("clean");
  const notes = r.trace.flatMap((e) => e.notes);
  expect(notes).toContain("try_to_unmap_anon: skipped temporary stack vma1");
  expect(notes).toContain("unmap_and_move(A0) = -EAGAIN");
});

test("S4 on 2.6.33: shift_arg_pages' vma_adjust holds the anon_vma lock and still loses the pte", () => {
  const r = runScenario("S4", { kernel: "2.6.33" });
  expect(r.verdict).toMatchObject({ kind: "bug", invariant: "I1" });
  const i5 = r.violations.find((v) => v.invariant === "I5");
  expect(i5?.message).toMatch(/missed X:p63 \(migration A0\)/);
  expect(r.trace.some((e) => e.thread === "E" && e.label.startsWith("anon_vma_lock"))).toBe(true);
});

test("S3 on 2.6.34: expand_downwards holds the child's anon_vma, the walker the parent's", () => {
  const r = runScenario("S3", { kernel: "2.6.34" });
  expect(r.verdict.kind).toBe("bug");
  const grow = r.trace.find((e) => e.thread === "G" && e.label.startsWith("expand_downwards: vma2->vm_start"));
  const walk = r.trace.find((e) => e.thread === "mig" && e.label === "vma_address(pg1@mig, vma2)");
  expect(grow?.held).toContain("anon_vma:av2");
  expect(walk?.held).toContain("anon_vma:av1");
  expect(walk?.notes.join(" ")).toMatch(/returned p27/);
});

test("S8: the anon_vma is used after exit freed it, unless migration pins it (2.6.35)", () => {
  expect(runScenario("S8", { kernel: "2.6.34" }).verdict).toMatchObject({ kind: "use-after-free", invariant: "I6" });
  const r = runScenario("S8", { kernel: "2.6.35" });
  expect(r.verdict.kind).toBe("clean");
  expect(r.state.anon_vmas["av1"]?.freed).toBe(true);
  expect(r.trace.some((e) => e.thread === "mig" && e.label === "anon_vma_free(av1)")).toBe(true);
});

test("2.6.33 builds one anon_vma per fork family, 2.6.34 a chain", () => {
  const r33 = runScenario("S6", { kernel: "2.6.33" });
  const r34 = runScenario("S6", { kernel: "2.6.34" });
  expect(Object.keys(r33.state.anon_vmas)).toHaveLength(1);
  expect(Object.keys(r34.state.anon_vmas)).toHaveLength(2);
  const child34 = Object.values(r34.state.vmas).find((v) => v.mm === "C");
  expect(child34?.anon_vma_chain).toHaveLength(2);
});

test("per-field vma_address reads (a documented granularity option) keep the outcomes", () => {
  for (const [kernel, kind] of [["2.6.34", "bug"], ["2.6.36", "clean"]] as const) {
    const r = runScenario("S1", { kernel, model: { vmaAddressReads: "per-field" } });
    expect(r.verdict.kind).toBe(kind);
    expect(r.trace.some((e) => e.label === "vma_address: read vma1->vm_pgoff")).toBe(true);
  }
});
