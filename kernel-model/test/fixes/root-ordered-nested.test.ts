/** 1e on 2.6.34: the walker locks the family's root anon_vma first, then the others nested. */
import { runScenario } from "../../src/api";
import { sweep } from "./random";

const fix = "root-ordered-nested";

test.each(["S1", "S2", "S3", "S5", "S6", "S7", "S9", "S10"])("%s is clean: scripted and 300 seeded schedules", (id) => {
  expect(runScenario(id, { fix }).violations).toEqual([]);
  expect(sweep(id, "2.6.34", fix).first).toBeUndefined();
});

test("S10: both walkers take the root (the parent's anon_vma) first, so they serialise instead of restarting", () => {
  const r = runScenario("S10", { fix });
  const roots = r.trace.filter((e) => e.label === "spin_lock(anon_vma:av1) (root first, 1e)").map((e) => e.thread);
  expect(new Set(roots)).toEqual(new Set(["migP", "migQ"]));
  expect(r.state.counters.retries).toBe(0);
  expect(r.state.counters.waitSteps["anon_vma"]).toBeGreaterThan(0);
});

test("the price: S10's walks take more anon_vma locks than without the fix", () => {
  const base = runScenario("S10").state.counters.lockAcquisitions["anon_vma"] ?? 0;
  expect(runScenario("S10", { fix }).state.counters.lockAcquisitions["anon_vma"]).toBeGreaterThan(base);
});

test.each([
  ["S4", "bug", "I1"],
  ["S8", "use-after-free", "I6"],
] as const)("%s stays %s", (id, kind, invariant) => {
  expect(runScenario(id, { fix }).verdict).toMatchObject({ kind, invariant });
});
