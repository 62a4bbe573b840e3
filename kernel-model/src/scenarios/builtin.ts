/**
 * The reference scenarios S1-S7 (kernel-history.md §9), S8-S10 as builders, each with the interleaving the
 * reference describes. Nothing here says where a bug is: the schedules only say who runs when.
 */
import { UsageError } from "../kernels";
import type { Op, ScenarioSpec } from "./spec";

/** The reference's set-up (§9): process A maps V = [p16, p32) and page P is faulted in at p28 (index 28). */
function processWithP(): Op[] {
  return [
    { op: "mmap", mm: "A", start: 16, end: 32 },
    { op: "touch", mm: "A", addr: 28, page: "P" },
  ];
}

/** Parameters of the S1 family (for exploration and the benchmark). */
export interface S1Params {
  /** Pages mapped at p28, p29, ... (1 to 4). Default 1. */
  pages?: number;
  /** 1: one migrator migrates every page in turn; "per-page": one migrator thread per page. Default 1. */
  migrators?: 1 | "per-page";
}

/** S1: mprotect splits the vma while remove_migration_ptes walks (Race A). */
export function S1(params: S1Params = {}): ScenarioSpec {
  const n = params.pages ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 4) throw new UsageError(`S1: pages must be 1, 2, 3 or 4, got ${n}`);
  const per = params.migrators === "per-page";
  const names = Array.from({ length: n }, (_, i) => (n === 1 ? "P" : `P${i}`));
  const family = n === 1 && !per ? "" : ` (${n} pages, ${per ? "one migrator per page" : "one migrator"})`;
  return {
    id: family ? `S1-${n}p-${per ? n : 1}m` : "S1",
    title: `mprotect split races remove_migration_ptes (Race A)${family}`,
    description:
      "V = [p16, p32) maps page P at p28. The migrator has replaced the pte by a migration entry; " +
      "mprotect(p20..p32) splits V and has stored V->vm_start = p20 but not yet vm_pgoff when the walk computes vma_address().",
    setup: [
      { op: "mmap", mm: "A", start: 16, end: 32 },
      ...names.map((page, i) => ({ op: "touch" as const, mm: "A", addr: 28 + i, page })),
    ],
    threads: [
      ...(per
        ? names.map((page, i) => ({ name: n === 1 ? "mig" : `mig${i}`, ops: [{ op: "migrate" as const, page }] }))
        : [{ name: "mig", ops: names.map((page) => ({ op: "migrate" as const, page })) }]),
      { name: "T", ops: [{ op: "mprotect", mm: "A", start: 20, end: 32, prot: "r" }] },
      { name: "F", ops: names.map((_, i) => ({ op: "touch" as const, mm: "A", addr: 28 + i, write: false })) },
    ],
    ...(family ? {} : { schedule: 'mig@rmap_walk_anon T@"->vm_end =" mig* T* F*' }),
  };
}

/** S2: vma_merge case 5 moves the boundary with `next` (adjust_next): two stores, next->vm_start then next->vm_pgoff. */
export function S2(): ScenarioSpec {
  return {
    id: "S2",
    title: "mprotect moves a vma boundary (vma_merge adjust_next) during the walk",
    description:
      "A = [p16, p24) read-only and B = [p24, p32) read-write share one anon_vma; P is at p28 in B. " +
      "mprotect(p24..p26, r) merges [p24, p26) into A: vma_adjust stores B->vm_start += 2, then B->vm_pgoff += 2; a walk between them is off by two pages.",
    setup: [
      ...processWithP(),
      { op: "mprotect", mm: "A", start: 16, end: 24, prot: "r" },
    ],
    threads: [
      { name: "mig", ops: [{ op: "migrate", page: "P" }] },
      { name: "T", ops: [{ op: "mprotect", mm: "A", start: 24, end: 26, prot: "r" }] },
      { name: "F", ops: [{ op: "touch", mm: "A", addr: 28, write: false }] },
    ],
    schedule: 'mig@rmap_walk_anon T@"->vm_pgoff +=" mig* T* F*',
  };
}

/** S3: a forked child grows its stack under its own anon_vma lock while the walk holds the parent's (Race C). */
export function S3(): ScenarioSpec {
  return {
    id: "S3",
    title: "stack growth in a forked child (expand_downwards, Race C)",
    description:
      "A stack vma [p24, p32) maps P at p28; after fork, P (not COWed) is mapped in parent and child with mapping = the parent's anon_vma. " +
      "The child faults at p23: expand_downwards locks the child's anon_vma, stores vm_start, then vm_pgoff; the walk holds the parent's anon_vma lock.",
    setup: [
      { op: "mmap", mm: "A", start: 24, end: 32, growsdown: true },
      { op: "touch", mm: "A", addr: 28, page: "P" },
      { op: "fork", mm: "A", child: "C" },
    ],
    threads: [
      { name: "mig", ops: [{ op: "migrate", page: "P" }] },
      { name: "G", ops: [{ op: "grow_stack", mm: "C", addr: 23 }, { op: "touch", mm: "C", addr: 28, write: false }] },
    ],
    schedule: 'mig@rmap_walk_anon G@"->vm_pgoff -=" mig* G*',
  };
}

/** S4: exec's shift_arg_pages moves the temporary stack between vma_adjust and move_ptes (Race B). */
export function S4(): ScenarioSpec {
  return {
    id: "S4",
    title: "exec moves the temporary stack (shift_arg_pages, Race B)",
    description:
      "execve has copied two argument pages into its temporary stack at the top of the new mm. The migrator unmaps one; " +
      "setup_arg_pages shifts the stack down 16 pages: vma_adjust first (vma_address now points at the new place), then move_ptes.",
    setup: [{ op: "exec_begin", mm: "X", argPages: 2, pages: ["A0", "A1"] }],
    threads: [
      { name: "mig", ops: [{ op: "migrate", page: "A0" }] },
      { name: "E", ops: [{ op: "exec_finish", mm: "X", shift: 16 }] },
    ],
    schedule: "mig@rmap_walk_anon E@move_ptes mig* E*",
  };
}

/** S5: try_to_unmap misses one pte (-EAGAIN), then the restore walk misses the other: a stale entry to the old page. */
export function S5(): ScenarioSpec {
  return {
    id: "S5",
    title: "failure path: try_to_unmap and then remove_migration_ptes(P, P) both hit the window",
    description:
      "P at p28 is shared by parent A and child C after fork. mprotect in A opens the window while try_to_unmap walks: A's pte stays present, " +
      "so migration fails with -EAGAIN; mprotect in C opens it again while remove_migration_ptes(P, P) restores, and C's migration entry is left behind.",
    setup: [
      ...processWithP(),
      { op: "fork", mm: "A", child: "C" },
    ],
    threads: [
      { name: "mig", ops: [{ op: "migrate", page: "P" }] },
      { name: "T1", ops: [{ op: "mprotect", mm: "A", start: 20, end: 32, prot: "r" }] },
      { name: "T2", ops: [{ op: "mprotect", mm: "C", start: 20, end: 32, prot: "r" }] },
      { name: "F", ops: [{ op: "touch", mm: "C", addr: 28, write: false }] },
    ],
    schedule: 'T1@"->vm_end =" mig@rmap_walk_anon T1* T2@"->vm_end =" mig* T2* F*',
  };
}

/** S6: fork copies a migration entry (negative: must never fire). */
export function S6(): ScenarioSpec {
  return {
    id: "S6",
    title: "fork copies a migration entry (not a bug)",
    description:
      "dup_mmap runs while P's pte is a migration entry: anon_vma_fork links the child after the parent on every list before copy_page_range " +
      "copies the entry, so a walk that misses the child's copy has not yet passed the parent's pte.",
    setup: [
      ...processWithP(),
    ],
    threads: [
      { name: "mig", ops: [{ op: "migrate", page: "P" }] },
      { name: "K", ops: [{ op: "fork", mm: "A", child: "C" }, { op: "touch", mm: "C", addr: 28, write: false }] },
    ],
    schedule: "mig@rmap_walk_anon K@copy_one_pte mig* K*",
  };
}

/** S7: a mapped swap-cache page gets swap entries, not migration entries (negative). */
export function S7(): ScenarioSpec {
  return {
    id: "S7",
    title: "swap-cache page: swap entries and the radix-tree slot swap (not a bug)",
    description:
      "P is in the swap cache and mapped. try_to_unmap stores a swap entry; migrate_page_move_mapping freezes P's refs and replaces the slot under tree_lock. " +
      "A fault in between goes through lookup_swap_cache: its speculative get fails on the frozen page and it retries, finding the new page.",
    setup: [
      ...processWithP(),
      { op: "add_to_swap", page: "P" },
    ],
    threads: [
      { name: "mig", ops: [{ op: "migrate", page: "P" }] },
      { name: "F", ops: [{ op: "touch", mm: "A", addr: 28, write: false }] },
    ],
    schedule: "mig@page_freeze_refs F@page_cache_get_speculative mig F* mig*",
  };
}

/** S8: the process exits while its page is being migrated (anon_vma lifetime, I6; reference §7, 3f6c8272). */
export function S8(): ScenarioSpec {
  return {
    id: "S8",
    title: "exit during migration: who keeps the anon_vma alive? (I6)",
    description:
      "After try_to_unmap, P's only pte is a migration entry and its mapcount is 0. The process exits: zap_pte_range drops the entry " +
      "without waiting and unlink_anon_vmas frees the anon_vma unless something pins it. Then remove_migration_ptes walks page_anon_vma(newpage).",
    setup: [
      ...processWithP(),
    ],
    threads: [
      { name: "mig", ops: [{ op: "migrate", page: "P" }] },
      { name: "X", ops: [{ op: "exit", mm: "A" }] },
    ],
    schedule: "mig@rmap_walk_anon X* mig*",
  };
}

/** S9: S1's leftover entry, after the old page was freed and reallocated to another process (page reuse). */
export function S9(): ScenarioSpec {
  return {
    id: "S9",
    title: "page reuse: S1's leftover migration entry points to a page that now belongs to another process",
    description:
      "As S1, the walk misses A:p28 and the migration succeeds, so the old page P is freed with a migration entry still pointing to it. " +
      "Process B then faults in a new page and gets P's frame back. When A touches p28 its fault finds an entry for a page that is " +
      "unlocked (BUG on 2.6.34) and no longer A's (what lazy cleanup would map into A: Mel, \"freed and reused\").",
    setup: [
      ...processWithP(),
      { op: "mmap", mm: "B", start: 40, end: 48 },
    ],
    threads: [
      { name: "mig", ops: [{ op: "migrate", page: "P" }] },
      { name: "T", ops: [{ op: "mprotect", mm: "A", start: 20, end: 32, prot: "r" }] },
      { name: "R", ops: [{ op: "touch", mm: "B", addr: 40, page: "P" }] },
      { name: "F", ops: [{ op: "touch", mm: "A", addr: 28, write: false }] },
    ],
    schedule: 'mig@rmap_walk_anon T@"->vm_end =" mig* T* R* F*',
  };
}

/** S10: two migrators in one fork family, one walking the parent's anon_vma, one the child's (lock contention between walkers). */
export function S10(): ScenarioSpec {
  return {
    id: "S10",
    title: "two migrators in a fork family: a walk of the parent's anon_vma meets one of the child's",
    description:
      "P is shared by parent A and child C (mapping = the parent's anon_vma); Q is C's own page (mapping = the child's anon_vma). " +
      "migQ holds the child's anon_vma lock for its walk while migP, holding the parent's, reaches the child's vma. Released kernels never " +
      "take a second anon_vma lock; the nested-lock fixes (1b, 1c, 1e) do, and 1c restarts its walk each time its trylock fails.",
    setup: [
      ...processWithP(),
      { op: "fork", mm: "A", child: "C" },
      { op: "touch", mm: "C", addr: 29, page: "Q" },
    ],
    threads: [
      { name: "migP", ops: [{ op: "migrate", page: "P" }] },
      { name: "migQ", ops: [{ op: "migrate", page: "Q" }] },
    ],
    schedule: "migQ@try_to_unmap_one migP* migQ* migP*",
  };
}

export const BUILTIN: Readonly<Record<string, () => ScenarioSpec>> = { S1: () => S1(), S2, S3, S4, S5, S6, S7, S8, S9, S10 };

/** A built-in scenario by id, case-insensitive; throws UsageError naming the accepted ids. */
export function builtinScenario(id: string): ScenarioSpec {
  const key = Object.keys(BUILTIN).find((k) => k.toLowerCase() === id.toLowerCase());
  if (!key) throw new UsageError(`unknown scenario "${id}"; expected one of ${Object.keys(BUILTIN).join(", ")} or a .json scenario file`);
  return (BUILTIN[key] as () => ScenarioSpec)();
}
