/** 5b on 2.6.34: try_to_unmap skips exec's temporary stack; closes Race B (S4) and nothing else. */
import { runScenario } from "../../src/api";
import { sweep } from "./random";

const fix = "skip-temp-stacks";

test("S4 is clean: migration fails with -EAGAIN instead of creating an entry move_ptes can carry away", () => {
  const r = runScenario("S4", { fix });
  expect(r.violations).toEqual([]);
  const notes = r.trace.flatMap((e) => e.notes);
  expect(notes).toContain("try_to_unmap_anon: skipped temporary stack vma1");
  expect(notes).toContain("unmap_and_move(A0) = -EAGAIN");
  expect(r.state.counters.migrationEntriesCreated).toBe(0);
  expect(sweep("S4", "2.6.34", fix).first).toBeUndefined();
});

test.each([
  ["S1", "bug", "I1"],
  ["S2", "bug", "I1"],
  ["S3", "bug", "I1"],
  ["S5", "bug", "I1"],
  ["S8", "use-after-free", "I6"],
] as const)("%s is unchanged: %s (%s)", (id, kind, invariant) => {
  expect(runScenario(id, { fix }).verdict).toMatchObject({ kind, invariant });
  expect(runScenario(id, { fix }).schedule).toBe(runScenario(id).schedule);
});

test.each(["S6", "S7"])("%s stays clean", (id) => {
  expect(runScenario(id, { fix }).violations).toEqual([]);
});
