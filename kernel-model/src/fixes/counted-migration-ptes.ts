import type { Fix } from "./fix";

/**
 * 3: count the migration entries try_to_unmap() creates, and have remove_migration_ptes() walk again
 * (dropping the anon_vma lock between walks) until it has put as many back, before unlock_page(). The
 * check that the two counts agree is I10, Andrea's split_huge_page form (mapcount == mapcount2).
 * A walk that misses waits for the racing writer by spinning; an entry copied by fork or dropped by
 * exit makes the counts disagree for good.
 */
export const countedMigrationPtes: Fix = {
  id: "counted-migration-ptes",
  code: "3",
  title: "count migration ptes; remove_migration_ptes retries its walk until the count is matched",
  origin: {
    who: "Andrea Arcangeli / Mel Gorman",
    date: "2010-04-23/24",
    ref: "linux-mm thread (reference §6, [ml]); the pattern is THP's __split_huge_page mapcount checks",
  },
  fate: "not implemented for migration",
  closes: ["A", "B", "C"],
  cost: "a counter per migration; a whole extra rmap walk per retry, spinning while the racing vma writer finishes",
  apply: (p) => ({ ...p, count_migration_ptes: true }),
};
