/** 1b on 2.6.34: vma_adjust locks vma->anon_vma again; the walker nests each vma's own anon_vma lock. */
import { runScenario } from "../../src/api";
import { sweep } from "./random";

const fix = "nested-anon-vma-locks";

test.each(["S1", "S2", "S3", "S5", "S6", "S7", "S9", "S10"])("%s is clean: scripted and 300 seeded schedules", (id) => {
  expect(runScenario(id, { fix }).violations).toEqual([]);
  expect(sweep(id, "2.6.34", fix).first).toBeUndefined();
});

test("S3: the walk holds the parent's anon_vma and nests the child's, which expand_downwards holds", () => {
  const r = runScenario("S3", { fix });
  const nested = r.trace.filter((e) => e.thread === "mig" && e.label === "spin_lock_nested(anon_vma:av2)");
  expect(nested.length).toBeGreaterThan(0);
  expect(nested[0]?.held).toEqual(expect.arrayContaining(["anon_vma:av1", "anon_vma:av2"]));
  expect(r.state.counters.waitSteps["anon_vma"]).toBeGreaterThan(0);
});

test("the ABBA the thread feared does not occur here: nesting always goes from an anon_vma to a newer one (I7)", () => {
  // S10 puts two walkers of one family side by side; no seeded schedule deadlocks (checked above), and the
  // lock-order monitor sees no inversion.
  const r = runScenario("S10", { fix, unscripted: true });
  expect(r.violations).toEqual([]);
});

test.each([
  ["S4", "bug", "I1"],
  ["S8", "use-after-free", "I6"],
] as const)("%s stays %s: move_ptes and exit are not walkers", (id, kind, invariant) => {
  expect(runScenario(id, { fix }).verdict).toMatchObject({ kind, invariant });
});
