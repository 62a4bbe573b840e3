import type { Fix } from "./fix";

/**
 * 5a: while shift_arg_pages() moves the stack's ptes, a temporary copy of the stack vma stays at the
 * old place (anon_vma_clone), so rmap can reach every pte at its old or its new address. Every execve()
 * pays for a vma copy, an anon_vma_clone and an unlink.
 */
export const execTempVma: Fix = {
  id: "exec-temp-vma",
  code: "5a",
  title: "temporary vma at the old stack place during exec's page-table move",
  origin: {
    who: "Andrea Arcangeli (posted by Rik van Riel)",
    date: "2010-04-28 to 2010-05-03",
    ref: "20100503121929.260ed5ee@annuminas.surriel.com",
  },
  fate: "rejected by Linus (\"Why would we want to slow down execve() for that?\"); carried in Andrea's THP series",
  closes: ["B"],
  cost: "every execve(): one more vma, an anon_vma_clone and an unlink_anon_vmas (anon_vma lock round trips)",
  apply: (p) => ({ ...p, exec_temp_vma: true }),
};
