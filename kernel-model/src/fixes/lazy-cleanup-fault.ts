import type { Fix } from "./fix";

/**
 * 2a: tolerate a leftover migration entry instead of BUGging on it: a fault that finds an entry whose
 * page is unlocked locks the page and puts it back in the pte (remove_migration_pte at that address).
 * It repairs the failure path (S5: the entry points to the old page, which is still the right one), but
 * after a successful migration the old page has been freed, and maybe reused (S9).
 */
export const lazyCleanupFault: Fix = {
  id: "lazy-cleanup-fault",
  code: "2a",
  title: "lazy cleanup of leftover migration entries in migration_entry_wait",
  origin: {
    who: "Mel Gorman",
    date: "2010-04-22",
    ref: "linux-mm thread, Mel's 22 Apr 15:44 message (known from quotes; reference §6, §12)",
  },
  fate: "dropped (\"we felt it should have been possible to properly lock this\"); Mel V6: the page \"has been potentially freed and reused\"",
  closes: ["A (the BUG, not the missed pte)", "B", "C"],
  cost: "none on the fast paths; the fault path locks a page it has no proof of owning",
  apply: (p) => ({ ...p, migration_entry_wait_cleanup: true }),
};
