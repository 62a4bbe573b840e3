import type { Fix } from "./fix";

/**
 * 1b: put 2.6.33's anon_vma lock back into vma_adjust() (vma->anon_vma->lock), and have the walk, which
 * holds the page's anon_vma lock, also lock each vma's own anon_vma when it is another one, around
 * vma_address(). The worry was lock order between two anon_vma locks (ABBA between walkers).
 */
export const nestedAnonVmaLocks: Fix = {
  id: "nested-anon-vma-locks",
  code: "1b",
  title: "vma_adjust locks vma->anon_vma; the walker also locks each vma's anon_vma",
  origin: {
    who: "Minchan Kim / Mel Gorman",
    date: "2010-04-22",
    ref: "linux-mm thread \"mm,migration: Prevent rmap_walk_[anon|ksm] seeing the wrong VMA information\" (reference §6, [ml])",
  },
  fate: "abandoned (livelock/deadlock worry)",
  closes: ["A", "C"],
  cost: "a second anon_vma lock per vma of another anon_vma on every walk; vma_adjust takes an anon_vma lock again",
  apply: (p) => ({ ...p, vma_adjust_lock: "anon_vma", rmap_walk_vma_lock: "nested" }),
};
