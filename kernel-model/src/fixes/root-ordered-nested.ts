import type { Fix } from "./fix";

/**
 * 1e: the walk locks the family's root (oldest) anon_vma first, then the page's and each vma's own
 * anon_vma nested under it (anon_vma_lock_nested, SINGLE_DEPTH_NESTING); vma_adjust() locks
 * vma->anon_vma under the 2.6.33 conditions. Two walks of one family serialise on the root, so nested
 * locks are always taken root first. (mm_take_all_locks' order is not modelled.)
 */
export const rootOrderedNested: Fix = {
  id: "root-ordered-nested",
  code: "1e",
  title: "walker locks the root anon_vma first, then each vma's anon_vma nested",
  origin: {
    who: "Mel Gorman (helper suggested by Linus)",
    date: "2010-05-06/07 (V6, V7)",
    ref: "1273159987-10167-2-git-send-email-mel@csn.ul.ie; 1273188053-26029-2-git-send-email-mel@csn.ul.ie",
  },
  fate: "never in mainline; superseded by the root lock (1f)",
  closes: ["A", "C"],
  cost: "up to three anon_vma locks per vma read; every walk of a family takes the root's lock",
  apply: (p) => ({ ...p, vma_adjust_lock: "anon_vma", rmap_walk_vma_lock: "root-ordered" }),
};
