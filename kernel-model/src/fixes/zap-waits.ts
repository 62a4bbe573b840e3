import type { Fix } from "./fix";

/**
 * 4: instead of pinning the anon_vma (what 2.6.35 merged, 3f6c8272 + 7f60c214), zap_pte_range() waits
 * on a migration entry until the migration unlocks the page, then zaps what is in the pte. exit_mmap()
 * cannot get to unlink_anon_vmas() while a migration still has entries out, so the anon_vma outlives them.
 * On 2.6.34 there is no refcount to remove: the migrator relies on this wait, plus 2.6.35's re-check that
 * the page is still mapped (67b9509b), without which an exit before try_to_unmap frees the anon_vma
 * that remove_migration_ptes() then walks.
 */
export const zapWaits: Fix = {
  id: "zap-waits",
  code: "4",
  title: "zap_pte_range waits on migration entries instead of an anon_vma refcount",
  origin: {
    who: "Andrea Arcangeli",
    date: "2010-04-23",
    ref: "linux-mm thread (Andrea's 23 Apr 21:35 message, known from quotes; reference §6, [ml])",
  },
  fate: "not implemented; the external_refcount approach was merged in 2.6.35-rc1 (3f6c8272, 7f60c214)",
  closes: ["anon_vma lifetime (I6) when a process exits mid-migration"],
  cost: "no memory; exit (and munmap) of a process sleeps until each of its pages under migration is done",
  apply: (p) => ({ ...p, zap_waits_on_migration: true, migration_anon_vma_ref: false, migration_skips_unmapped: true }),
};
