import type { Fix } from "./fix";

/**
 * 1c: as 1b, but the walker only spin_trylock()s the other anon_vma; when that fails it drops every lock
 * and restarts the walk from the top ("goto retry"), so no lock order between two anon_vma locks can
 * deadlock. A walk that keeps losing restarts forever: Linus' livelock.
 */
export const trylockRetry: Fix = {
  id: "trylock-retry",
  code: "1c",
  title: "walker spin_trylocks the vma's anon_vma and restarts the walk on contention",
  origin: {
    who: "Mel Gorman",
    date: "2010-04-27 (V2 2/3) to 2010-05-05 (V5)",
    ref: "1272403852-10479-3-git-send-email-mel@csn.ul.ie; 1273065281-13334-2-git-send-email-mel@csn.ul.ie",
  },
  fate: "replaced; Linus: \"I hate that 'retry' logic ... had the livelock problem\"",
  closes: ["A", "C"],
  cost: "a trylock per vma of another anon_vma; a whole walk again on every failed trylock",
  apply: (p) => ({ ...p, vma_adjust_lock: "anon_vma", rmap_walk_vma_lock: "trylock" }),
};
