/**
 * The fixes' claims over every interleaving (the exhaustive explorer, src/explore), on 2.6.34: "clean"
 * means the whole space was covered; the hazards are found by the search, not only by a crafted schedule.
 */
import { prepareScenario } from "../../src/api";
import { explore } from "../../src/explore";

const exhaust = (scenario: string, fix: string) => explore(prepareScenario(scenario, { fix }), { mode: "exhaustive", maxSchedules: 5000, minimise: false });

const clean: Array<[string, string[]]> = [
  ["root-anon-vma-lock", ["S1", "S2", "S3", "S10"]],
  ["skip-temp-stacks", ["S4"]],
  ["vma-adjust-lock", ["S1", "S2"]],
  ["migrate-mmap-sem", ["S1", "S2", "S3", "S4", "S5", "S10"]],
  ["nested-anon-vma-locks", ["S2", "S3", "S10"]],
  ["take-all-locks", ["S1", "S2", "S3"]],
  ["root-ordered-nested", ["S2", "S3", "S10"]],
  ["trylock-retry", ["S2"]],
  ["exec-temp-vma", ["S4"]],
];

test.each(clean.flatMap(([fix, ids]) => ids.map((id) => [fix, id] as const)))("%s: %s is clean over every interleaving", (fix, id) => {
  const r = exhaust(id, fix);
  expect(r.verdict).toBe("clean");
  expect(r.exhausted).toBe(true);
});

const found: Array<[string, string, string, string]> = [
  ["root-anon-vma-lock", "S4", "bug", "I1"],
  ["vma-adjust-lock", "S3", "bug", "I1"],
  ["zap-waits", "S8", "use-after-free", "I6"],
  ["counted-migration-ptes", "S6", "bug", "I10"],
  ["counted-migration-ptes", "S8", "livelock", "livelock"],
  ["trylock-retry", "S6", "livelock", "livelock"],
  ["trylock-retry", "S10", "livelock", "livelock"],
];

test.each(found)("%s: the search finds %s's %s (%s)", (fix, id, kind, invariant) => {
  const r = exhaust(id, fix);
  expect(r.verdict).toBe(kind);
  expect(r.invariant).toBe(invariant);
  expect(r.schedule).toBeDefined();
});
