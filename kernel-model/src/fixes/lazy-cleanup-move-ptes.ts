import type { Fix } from "./fix";

/**
 * 2b: move_ptes() never moves a migration entry: it locks the entry's page (waiting for the migration),
 * puts the page back in the pte and restarts. It helps exec (S4) only if it meets the entry while the
 * migration still holds the page; after the migration the page has been freed (or reused).
 */
export const lazyCleanupMovePtes: Fix = {
  id: "lazy-cleanup-move-ptes",
  code: "2b",
  title: "lazy cleanup of migration entries in move_ptes",
  origin: {
    who: "Mel Gorman",
    date: "2010-04-27 (V2 3/3)",
    ref: "1272403852-10479-4-git-send-email-mel@csn.ul.ie",
  },
  fate: "dropped in V3 (\"sloppy cleanup ... was to no ones liking\"); V6: the page \"has been potentially freed and reused\"",
  closes: ["B"],
  cost: "mremap and exec's move_ptes scan for migration entries and sleep on a page lock when they meet one",
  apply: (p) => ({ ...p, move_ptes_cleanup: true }),
};
