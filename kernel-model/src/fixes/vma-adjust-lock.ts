import type { Fix } from "./fix";

/**
 * 1a: a new spinlock in every vma. vma_adjust() holds vma's (and next's, for adjust_next) across its
 * stores to vm_start, vm_end and vm_pgoff; vma_address() holds it around its read, so a walker never
 * sees a half-adjusted vma. It does not touch expand_downwards() (Race C) nor move_ptes() (Race B).
 */
export const vmaAdjustLock: Fix = {
  id: "vma-adjust-lock",
  code: "1a",
  title: "per-vma adjust_lock around vma_adjust's stores and vma_address's read",
  origin: {
    who: "KAMEZAWA Hiroyuki",
    date: "2010-04-22",
    ref: "linux-mm thread \"mm: Allow PageSwapCache pages to be migrated\" (Message-ID not recovered; reference §6, [ml])",
  },
  fate: "not merged (\"_very slow_\")",
  closes: ["A"],
  cost: "one spinlock per vma; a lock round trip on every vma_address() of every rmap walk",
  apply: (p) => ({ ...p, per_vma_adjust_lock: true }),
};
