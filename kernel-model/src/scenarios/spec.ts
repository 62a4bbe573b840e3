/**
 * The scenario format: what a user writes (as JSON or TypeScript) to describe a what-if experiment.
 *
 * Addresses are virtual page numbers (address >> PAGE_SHIFT), as in the reference's "p28".
 * A scenario runs in two phases:
 *  1. `setup`: operations run to completion, one after the other, by an "init" thread (not part of
 *     the race). They go through the same kernel paths as the race, so the anon_vma structure they
 *     build is the one the chosen kernel version would build (one anon_vma per family on 2.6.33,
 *     anon_vma_chains on 2.6.34+).
 *  2. `threads`: the racing threads, each a list of operations, interleaved by the scheduler.
 */
export interface ScenarioSpec {
  /** Short id, e.g. "S1" or "my-split-race". */
  id: string;
  title?: string;
  /** A few lines: what the scenario does and what it is expected to show. */
  description?: string;
  /** Operations run sequentially before the race. */
  setup: Op[];
  /** The racing threads. Names are short (used in schedule strings). */
  threads: ThreadSpec[];
  /** The intended interleaving, in the compact schedule form (see sim/schedule.ts). */
  schedule?: string;
}

export interface ThreadSpec {
  /** Thread name: a letter followed by letters, digits or "_" (e.g. "M", "T", "child"). */
  name: string;
  ops: Op[];
}

/** Protection of a mapping; mprotect to a different value splits or merges VMAs. */
export type Prot = "rw" | "r" | "none";

export type Op =
  /** Anonymous private mapping [start, end) in mm (created if new); pgoff = start (mm/mmap.c:1066). */
  | { op: "mmap"; mm: string; start: number; end: number; prot?: Prot; growsdown?: boolean }
  /** Touch one page: a page fault if not present (do_anonymous_page, do_swap_page, expand_stack). `page` names the page it allocates. */
  | { op: "touch"; mm: string; addr: number; write?: boolean; page?: string }
  /** Fault below a VM_GROWSDOWN vma: expand_downwards, then the fault. */
  | { op: "grow_stack"; mm: string; addr: number; page?: string }
  /** fork(): dup_mmap of mm into a new mm named child. */
  | { op: "fork"; mm: string; child: string }
  /** mprotect(start, end, prot): vma_merge, else __split_vma, then the flags change. */
  | { op: "mprotect"; mm: string; start: number; end: number; prot: Prot }
  /** Migrate one page (compaction's unmap_and_move, no mmap_sem). */
  | { op: "migrate"; page: string }
  /** execve() up to the argument copy: __bprm_mm_init and get_arg_page for `argPages` pages, named by `pages`. */
  | { op: "exec_begin"; mm: string; argPages: number; pages?: string[] }
  /** The rest of execve(): setup_arg_pages (shift_arg_pages by `shift` pages), then touch the moved stack. */
  | { op: "exec_finish"; mm: string; shift: number }
  /** exec_begin then exec_finish. */
  | { op: "exec"; mm: string; argPages: number; shift: number; pages?: string[] }
  /** mremap(old, len, new): move_vma with copy_vma + move_page_tables. */
  | { op: "mremap"; mm: string; old: number; len: number; new: number }
  /** exit_mmap: zap every pte, then unlink_anon_vmas. */
  | { op: "exit"; mm: string }
  /** add_to_swap: put a mapped anonymous page into the swap cache (it stays mapped). */
  | { op: "add_to_swap"; page: string };

export type OpName = Op["op"];

/** Every operation name, for error messages and the schema. */
export const OP_NAMES: readonly OpName[] = [
  "mmap", "touch", "grow_stack", "fork", "mprotect", "migrate", "exec_begin", "exec_finish", "exec",
  "mremap", "exit", "add_to_swap",
];
