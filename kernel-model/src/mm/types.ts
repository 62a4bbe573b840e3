/**
 * The modelled kernel state: plain data keyed by id, so it can be cloned, hashed, diffed and shown.
 * Field names follow the kernel structs (include/linux/mm_types.h, include/linux/rmap.h).
 * Addresses and offsets are page numbers (address >> PAGE_SHIFT).
 */

export type ThreadId = string;
export type PageId = string;
export type AnonVmaId = string;
export type AvcId = string;
export type VmaId = string;
export type MmId = string;
export type LockId = string;
export type SwapEntry = number;

/** A lock: spinlock, PG_locked bit lock, or rw_semaphore (mmap_sem). */
export interface Lock {
  id: LockId;
  kind: "spinlock" | "page_lock" | "rwsem";
  /** Exclusive holder (spinlock, page lock, rwsem writer). */
  owner: ThreadId | null;
  /** rwsem readers. */
  readers: ThreadId[];
  /** Threads whose next step is blocked on this lock, in the order they started waiting. */
  waiters: ThreadId[];
}

/** `page->mapping` decoded: an anon_vma (PAGE_MAPPING_ANON) or nothing. page_mapping() of a swap-cache page is swapper_space. */
export type Mapping = { anon: AnonVmaId } | null;

/** struct page (the fields that matter here). */
export interface Page {
  id: PageId;
  /** PG_locked lives in `locks[lock]`. */
  lock: LockId;
  mapping: Mapping;
  /** page->index: linear page index (anon) or swap entry (swap cache). */
  index: number;
  /** page_mapcount(): number of ptes mapping the page. */
  mapcount: number;
  /** page_count(): references (mappings, swap cache, speculative gets). 0 = frozen or free. */
  refcount: number;
  /** PageSwapCache: the swap entry in page_private, or null. */
  swapCache: SwapEntry | null;
  freed: boolean;
}

/** struct anon_vma. `root` exists from 2.6.36 (commit 5c341ee1); older versions never read it. */
export interface AnonVma {
  id: AnonVmaId;
  lock: LockId;
  /** same_anon_vma list: the AVCs of every vma that may map pages of this anon_vma, in list order. */
  head: AvcId[];
  /** external_refcount (2.6.35+, KSM + migration); ksm_refcount before. */
  external_refcount: number;
  root: AnonVmaId;
  freed: boolean;
}

/** struct anon_vma_chain: links one vma to one anon_vma. (2.6.33's vma->anon_vma_node is modelled as a single AVC.) */
export interface Avc {
  id: AvcId;
  vma: VmaId;
  anon_vma: AnonVmaId;
}

export interface VmaFlags {
  /** VM_GROWSDOWN */
  growsdown: boolean;
  /** VM_STACK_INCOMPLETE_SETUP (2.6.35+, set on exec's temporary stack). */
  stack_incomplete_setup: boolean;
  /** Protection; a different prot keeps two vmas from merging. */
  prot: "rw" | "r" | "none";
}

/** struct vm_area_struct. */
export interface Vma {
  id: VmaId;
  mm: MmId;
  vm_start: number;
  vm_end: number;
  vm_pgoff: number;
  /** The newest anon_vma: where new (COWed) pages go. */
  anon_vma: AnonVmaId | null;
  /** same_vma list, newest first, oldest (root) last. */
  anon_vma_chain: AvcId[];
  flags: VmaFlags;
  freed: boolean;
}

export type Pte =
  | { kind: "present"; page: PageId; write: boolean }
  | { kind: "swap"; entry: SwapEntry }
  | { kind: "migration"; page: PageId; write: boolean };

/** struct mm_struct. One pte lock per mm (page_table_lock); per-pmd locks would not change these races. */
export interface Mm {
  id: MmId;
  mmap_sem: LockId;
  page_table_lock: LockId;
  /** vmas sorted by vm_start (the mmap list). */
  mmap: VmaId[];
  /** Page table: page number -> pte; an absent key is pte_none. */
  ptes: Record<string, Pte>;
  exited: boolean;
  /** A new mm still private to execve (bprm->mm): nobody else can reach it through mmap_sem. */
  bprm: boolean;
}

/** The swap cache: swapper_space's radix tree. */
export interface SwapCacheTree {
  tree_lock: LockId;
  slots: Record<string, PageId>;
  nextEntry: SwapEntry;
}

export interface Violation {
  /** "I1".."I11", "deadlock", "livelock", "use-after-free". */
  invariant: string;
  /** The kernel's message (e.g. "kernel BUG at include/linux/swapops.h:105!") or the checker's. */
  message: string;
  /** Index of the step in the trace where it was detected (-1: at the end of the run). */
  step: number;
  threads: ThreadId[];
  /** Fatal violations (a kernel BUG, a deadlock, a use-after-free) stop the run. */
  fatal: boolean;
  /**
   * A diagnostic explains a run without deciding its verdict: a walker's transient miss (I5 at a read) is
   * harmless when nothing depends on it (try_to_unmap then fails with -EAGAIN); what it leads to (I2, I1) decides.
   */
  diagnostic?: boolean;
}

/** Counters the model keeps per run (costs). */
export interface Counters {
  lockAcquisitions: Record<string, number>;
  /** Steps during which a thread was blocked, summed over threads, per lock class. */
  waitSteps: Record<string, number>;
  retries: number;
  walkerSteps: number;
  migrationEntriesCreated: number;
  migrationEntriesRemoved: number;
}

/** Per-thread state that the kernel keeps outside the mm objects. */
export interface ThreadState {
  id: ThreadId;
  /** Locks held, in acquisition order (for the trace and the lock-order check). */
  held: LockId[];
  done: boolean;
  /** Return values / outcomes worth showing (e.g. "unmap_and_move: -EAGAIN"). */
  results: string[];
}

export interface State {
  pages: Record<PageId, Page>;
  anon_vmas: Record<AnonVmaId, AnonVma>;
  avcs: Record<AvcId, Avc>;
  vmas: Record<VmaId, Vma>;
  mms: Record<MmId, Mm>;
  swap: SwapCacheTree;
  locks: Record<LockId, Lock>;
  threads: Record<ThreadId, ThreadState>;
  /** Ids handed out so far, per prefix (and per thread for pages: "pg@mig"), for deterministic naming. */
  seq: Record<string, number>;
  /** User-given page names -> page ids. */
  names: Record<string, PageId>;
  violations: Violation[];
  counters: Counters;
}
