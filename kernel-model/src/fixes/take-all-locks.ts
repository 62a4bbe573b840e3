import type { Fix } from "./fix";

/**
 * 1d: anon_vma_lock(vma) locks every anon_vma on the vma's chain, so the writers (vma_adjust() again,
 * expand_downwards()) hold whichever one a walker holds. The writer side pays for it, per anon_vma.
 * (The patch's new mm->anon_vma_chain_lock is not modelled.)
 */
export const takeAllLocks: Fix = {
  id: "take-all-locks",
  code: "1d",
  title: "anon_vma_lock takes every anon_vma lock on the vma's chain",
  origin: {
    who: "Rik van Riel",
    date: "2010-05-03",
    ref: "20100503121847.7997d280@annuminas.surriel.com",
  },
  fate: "rejected by Linus: \"walking a list in order to lock multiple things is something we should _never_ do\"",
  closes: ["A", "C"],
  cost: "vma_adjust and expand_downwards take one lock per anon_vma of the vma (grows with fork depth)",
  apply: (p) => ({ ...p, vma_adjust_lock: "anon_vma", anon_vma_lock_all: true }),
};
