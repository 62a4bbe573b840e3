/**
 * Kernel versions as policies over the same model code (reference §13). The code asks the policy
 * ("which lock does vma_adjust take?") instead of being copied per version.
 */

export const KERNEL_VERSIONS = ["2.6.33", "2.6.34", "2.6.35", "2.6.36"] as const;
export type KernelVersion = (typeof KERNEL_VERSIONS)[number];

export interface KernelPolicy {
  version: KernelVersion;
  summary: string;
  /**
   * 2.6.34+ (5beb4930): anon_vma_chain, a new anon_vma per forked vma.
   * 2.6.33: one anon_vma shared by a whole fork family (vma->anon_vma_node, modelled as one AVC per vma).
   */
  anon_vma_chain: boolean;
  /**
   * The anon_vma lock vma_adjust() takes around its field stores when
   * `vma->anon_vma && (insert || importer || start != vma->vm_start)`:
   * "anon_vma" (2.6.33: vma->anon_vma->lock), "none" (2.6.34, 2.6.35: 5beb4930 removed it), or "root" (2.6.36: 012f1800).
   */
  vma_adjust_lock: "anon_vma" | "none" | "root";
  /** anon_vma_lock()/vma_lock_anon_vma() and the rmap walks lock anon_vma->root->lock (2.6.36, 012f1800). */
  lock_root: boolean;
  /** unmap_and_move pins the anon_vma of a mapped page with external_refcount (2.6.35: 3f6c8272, 7f60c214). */
  migration_anon_vma_ref: boolean;
  /**
   * unmap_and_move re-checks page_mapped() under rcu_read_lock: an unmapped anon page is not migrated, an
   * unmapped swap-cache page is migrated without remapping (2.6.35: 67b9509b, 3fe2011f).
   */
  migration_skips_unmapped: boolean;
  /** exec marks its temporary stack VM_STACK_INCOMPLETE_SETUP and try_to_unmap skips it for migration (2.6.35: a8bef8ff). */
  skip_temporary_stacks: boolean;
  /**
   * Candidate fix 1a (KAMEZAWA, 22 Apr 2010; not merged): every vma has its own `adjust_lock`, held by
   * vma_adjust() across its stores to vma and next, and by vma_address() around its read of the three fields.
   */
  per_vma_adjust_lock: boolean;
  /**
   * Candidate fix 8 (Linus, 3 May 2010; not adopted): unmap_and_move() takes mmap_sem for write in every mm
   * that maps the page, in a fixed order, before lock_page(). Compaction in 2.6.34 takes no mmap_sem.
   */
  migrate_takes_mmap_sem: boolean;
  /**
   * Candidate fix 4 (Andrea, 23 Apr 2010; not implemented): zap_pte_range() waits on a migration entry
   * (wait_on_page_locked) instead of dropping it, so the mm cannot be torn down under a migration.
   */
  zap_waits_on_migration: boolean;
  /**
   * Candidate fix 2a (Mel, 22 Apr 2010; dropped): migration_entry_wait() meeting an entry whose page is
   * unlocked locks that page and puts the entry back as a present pte (lazy cleanup) instead of BUG.
   */
  migration_entry_wait_cleanup: boolean;
  /**
   * Candidate fix 3 (Andrea/Mel, 23-24 Apr 2010; not implemented for migration): try_to_unmap counts the
   * migration entries it creates; remove_migration_ptes() walks again until as many were removed (I10).
   */
  count_migration_ptes: boolean;
  /**
   * What the rmap walks lock besides the page's anon_vma, around vma_address() of a vma whose own
   * anon_vma is another one: "none" (every released kernel), "nested" (1b, Minchan/Mel 22 Apr: spin_lock it),
   * "trylock" (1c, Mel V2-V5: spin_trylock it, else drop everything and restart the walk), or
   * "root-ordered" (1e, Mel V6-V7: lock the family's root anon_vma first, then the others nested).
   */
  rmap_walk_vma_lock: "none" | "nested" | "trylock" | "root-ordered";
  /** Candidate fix 1d (Rik, 3 May 2010; rejected): anon_vma_lock(vma) locks every anon_vma on the vma's chain. */
  anon_vma_lock_all: boolean;
  /**
   * Candidate fix 2b (Mel V2 3/3, 27 Apr 2010; dropped in V3): move_ptes() meeting a migration entry locks
   * its page, puts it back (remove_migration_pte) and restarts, instead of moving the entry.
   */
  move_ptes_cleanup: boolean;
  /**
   * Candidate fix 5a (Andrea, posted by Rik 3 May 2010; rejected): shift_arg_pages() puts a temporary copy of
   * the stack vma at the old place on the same anon_vmas while move_page_tables() runs.
   */
  exec_temp_vma: boolean;
}

const v2633: KernelPolicy = {
  version: "2.6.33",
  summary: "one anon_vma per fork family; vma_adjust and expand_downwards hold its lock",
  anon_vma_chain: false,
  vma_adjust_lock: "anon_vma",
  lock_root: false,
  migration_anon_vma_ref: false,
  migration_skips_unmapped: false,
  skip_temporary_stacks: false,
  per_vma_adjust_lock: false,
  migrate_takes_mmap_sem: false,
  zap_waits_on_migration: false,
  migration_entry_wait_cleanup: false,
  count_migration_ptes: false,
  rmap_walk_vma_lock: "none",
  anon_vma_lock_all: false,
  move_ptes_cleanup: false,
  exec_temp_vma: false,
};

const v2634: KernelPolicy = {
  ...v2633,
  version: "2.6.34",
  summary: "anon_vma_chain; vma_adjust takes no anon_vma lock (Race A); expand_downwards locks only its own anon_vma (Race C)",
  anon_vma_chain: true,
  vma_adjust_lock: "none",
};

const v2635: KernelPolicy = {
  ...v2634,
  version: "2.6.35",
  summary: "2.6.34 plus the migration anon_vma refcount and the temporary exec stack skip (Race B closed)",
  migration_anon_vma_ref: true,
  migration_skips_unmapped: true,
  skip_temporary_stacks: true,
};

const v2636: KernelPolicy = {
  ...v2635,
  version: "2.6.36",
  summary: "2.6.35 plus always locking the root anon_vma, also in vma_adjust (Races A and C closed)",
  vma_adjust_lock: "root",
  lock_root: true,
};

const POLICIES: Record<KernelVersion, KernelPolicy> = {
  "2.6.33": v2633,
  "2.6.34": v2634,
  "2.6.35": v2635,
  "2.6.36": v2636,
};

/** Thrown for bad user input (an unknown version, fix, scenario...). The message names the accepted values. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function isKernelVersion(v: string): v is KernelVersion {
  return (KERNEL_VERSIONS as readonly string[]).includes(v);
}

/** The policy of a kernel version; throws UsageError naming the accepted versions. */
export function kernelPolicy(version: string): KernelPolicy {
  if (!isKernelVersion(version)) {
    throw new UsageError(`unknown kernel version "${version}"; expected one of ${KERNEL_VERSIONS.join(", ")}`);
  }
  return POLICIES[version];
}
