/** 1c on 2.6.34: the walker trylocks the other anon_vma and restarts its walk when that fails. */
import { runScenario } from "../../src/api";
import { MAX_WALK_RESTARTS } from "../../src/mm/rmap";
import { sweep } from "./random";

const fix = "trylock-retry";

test.each(["S1", "S2", "S6", "S7", "S9"])("%s is clean: scripted and 300 seeded schedules", (id) => {
  expect(runScenario(id, { fix }).violations).toEqual([]);
  expect(sweep(id, "2.6.34", fix).first).toBeUndefined();
});

test("S3: a failed trylock restarts the walk; once expand_downwards is done, the walk finds the child's pte", () => {
  const r = runScenario("S3", { fix, schedule: 'mig@rmap_walk_anon G@"->vm_pgoff -=" mig@spin_trylock mig G* mig*' });
  expect(r.violations).toEqual([]);
  expect(r.state.counters.retries).toBe(1);
  expect(r.trace.flatMap((e) => e.notes)).toContain("spin_trylock(anon_vma:av2) failed: drop the locks and restart the walk");
});

test("the livelock: while the other lock's holder does not run, the walk restarts forever", () => {
  for (const id of ["S3", "S10"]) {
    const r = runScenario(id, { fix });
    expect(r.verdict).toMatchObject({ kind: "livelock", invariant: "livelock" });
    expect(r.verdict.message).toMatch(new RegExp(`the walk restarted ${MAX_WALK_RESTARTS} times`));
    expect(r.state.counters.retries).toBe(MAX_WALK_RESTARTS);
  }
  // Nested locking (1b) waits instead, and S10 ends.
  expect(runScenario("S10", { fix: "nested-anon-vma-locks" }).violations).toEqual([]);
});

test("seeded schedules: S3, S5 and S10 are mostly clean, but some end in the livelock", () => {
  let livelocks = 0;
  for (const id of ["S3", "S5", "S10"]) {
    const w = sweep(id, "2.6.34", fix);
    expect(Object.keys(w.kinds).every((k) => k === "clean" || k === "livelock")).toBe(true);
    expect(w.kinds.clean).toBeGreaterThan(250);
    livelocks += w.kinds.livelock ?? 0;
  }
  expect(livelocks).toBeGreaterThan(0);
});

test.each([
  ["S4", "bug", "I1"],
  ["S8", "use-after-free", "I6"],
] as const)("%s stays %s", (id, kind, invariant) => {
  expect(runScenario(id, { fix }).verdict).toMatchObject({ kind, invariant });
});
