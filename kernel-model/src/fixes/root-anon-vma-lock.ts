import type { Fix } from "./fix";

/**
 * 1f: every anon_vma of a fork family shares the root (oldest) anon_vma's lock, and vma_adjust() takes it
 * again around its stores. The walker, vma_adjust() and expand_downwards() then exclude each other.
 * On 2.6.34 this is 5c341ee1 (track the root), 012f1800 (always lock the root) and 76545066 (a child
 * pins the root), without 2.6.35's migration refcount or temporary-stack skip.
 */
export const rootAnonVmaLock: Fix = {
  id: "root-anon-vma-lock",
  code: "1f",
  title: "always lock the root (oldest) anon_vma, also in vma_adjust",
  origin: {
    who: "idea Linus Torvalds (5 May), implementation Rik van Riel (12/26 May)",
    date: "2010-05-05 / 2010-08-09 (committed)",
    ref: "alpine.LFD.2.00.1005051007140.27218@i5.linux-foundation.org; commits 5c341ee1, 012f1800, 76545066",
  },
  fate: "merged in 2.6.36-rc1",
  closes: ["A", "C"],
  cost: "one pointer (anon_vma->root) per anon_vma; every anon_vma of a family contends on one lock",
  apply: (p) => ({ ...p, lock_root: true, vma_adjust_lock: "root" }),
};
