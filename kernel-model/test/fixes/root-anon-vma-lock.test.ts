/** 1f on 2.6.34: one lock per fork family, taken by the walker, vma_adjust and expand_downwards. */
import { runScenario } from "../../src/api";
import { sweep } from "./random";

const fix = "root-anon-vma-lock";

test.each(["S1", "S2", "S3", "S5", "S6", "S7"])("%s is clean: scripted and 300 seeded schedules", (id) => {
  const r = runScenario(id, { fix });
  expect(r.violations).toEqual([]);
  const w = sweep(id, "2.6.34", fix);
  expect(w.first).toBeUndefined();
});

test("S1: the walk waits for vma_adjust to finish, then finds p28", () => {
  const r = runScenario("S1", { fix });
  const adjust = r.trace.find((e) => e.thread === "T" && e.label === "vma_adjust: vma1->vm_start = 20");
  expect(adjust?.held).toContain("anon_vma:av1");
  expect(r.state.counters.waitSteps["anon_vma"]).toBeGreaterThan(0);
  expect(r.trace.flatMap((e) => e.notes)).toContain("remove_migration_pte: A:p28 -> pg1@mig");
});

test("S3: expand_downwards in the child now takes the root's lock, the one the walker holds", () => {
  const r = runScenario("S3", { fix });
  const grow = r.trace.find((e) => e.thread === "G" && e.label.startsWith("expand_downwards: vma2->vm_start"));
  expect(grow?.held).toContain("anon_vma:av1");
  expect(grow?.held).not.toContain("anon_vma:av2");
});

test("S4 stays a BUG: move_ptes takes no anon_vma lock (Race B needs skip-temp-stacks)", () => {
  const r = runScenario("S4", { fix });
  expect(r.verdict).toMatchObject({ kind: "bug", invariant: "I1", message: "kernel BUG at include/linux/swapops.h:105!" });
  expect(r.violations.some((v) => v.invariant === "I5" && /missed X:p63/.test(v.message))).toBe(true);
});

test("S8 stays a use-after-free: the root lock does not pin the anon_vma for the migrator", () => {
  expect(runScenario("S8", { fix }).verdict).toMatchObject({ kind: "use-after-free", invariant: "I6" });
});
