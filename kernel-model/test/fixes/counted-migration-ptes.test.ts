/** 3 on 2.6.34: count the migration entries, walk again until all are back (I10). */
import { runScenario } from "../../src/api";
import { MAX_REMOVE_WALKS } from "../../src/mm/migrate";
import { sweep } from "./random";

const fix = "counted-migration-ptes";

/** Each race's interleaving, with the vma writer let run while the migrator is between two walks. */
const progress: Record<string, string> = {
  S1: 'mig@rmap_walk_anon T@"->vm_end =" mig@"walk again" T* mig* F*',
  S2: 'mig@rmap_walk_anon T@"->vm_pgoff +=" mig@"walk again" T* mig* F*',
  S3: 'mig@rmap_walk_anon G@"->vm_pgoff -=" mig@"walk again" G* mig*',
  S4: 'mig@rmap_walk_anon E@move_ptes mig@"walk again" E* mig*',
  S5: 'T1@"->vm_end =" mig@rmap_walk_anon T1* T2@"->vm_end =" mig@"walk again" T2* mig* F*',
  S9: 'mig@rmap_walk_anon T@"->vm_end =" mig@"walk again" T* mig* R* F*',
};

test.each(Object.keys(progress))("%s: the first walk misses, the writer finishes, the second walk finds the entry", (id) => {
  const base = runScenario(id, { schedule: progress[id] as string });
  expect(base.verdict.kind).toBe("bug");
  const r = runScenario(id, { fix, schedule: progress[id] as string });
  expect(r.violations).toEqual([]);
  expect(r.state.counters.retries).toBe(1);
  expect(r.trace.flatMap((e) => e.notes).some((n) => n.startsWith("miss (counted, will retry)"))).toBe(true);
  expect(r.state.counters.walkerSteps).toBeGreaterThan(base.state.counters.walkerSteps);
  expect(r.state.counters.migrationEntriesRemoved).toBe(r.state.counters.migrationEntriesCreated);
});

test.each(["S1", "S2", "S3", "S4", "S5", "S7"])("%s is clean under 300 seeded schedules", (id) => {
  expect(sweep(id, "2.6.34", fix).first).toBeUndefined();
});

test("the price of a spin: with the writer preempted for good (the scripted schedule), the walk never succeeds", () => {
  const r = runScenario("S1", { fix });
  expect(r.verdict).toMatchObject({ kind: "livelock", message: `remove_migration_ptes(P): ${MAX_REMOVE_WALKS} walks found 0 of 1 migration entries` });
  expect(r.state.counters.retries).toBe(MAX_REMOVE_WALKS - 1);
  expect(r.state.counters.walkerSteps).toBe(1 + 2 * MAX_REMOVE_WALKS);
});

test("S6 hazard: fork copies a migration entry, so the walk removes more than try_to_unmap created (I10 BUG)", () => {
  const schedule = "mig@rmap_walk_anon K@up_write mig* K*";
  expect(runScenario("S6", { schedule }).violations).toEqual([]);
  const r = runScenario("S6", { fix, schedule });
  expect(r.verdict).toMatchObject({ kind: "bug", invariant: "I10", message: "remove_migration_ptes(P): removed 2 migration entries but try_to_unmap created 1" });
  expect(sweep("S6", "2.6.34", fix).kinds.bug).toBeGreaterThan(0);
});

test("S8 stays a use-after-free (counting does not pin the anon_vma)", () => {
  expect(runScenario("S8", { fix }).verdict).toMatchObject({ kind: "use-after-free", invariant: "I6" });
});
