/**
 * The context a kernel path runs in, and the step protocol.
 *
 * A kernel path is a generator that yields a `Step` before each atomic step: the step's label, its
 * v2.6.34 source location and, if it must wait, what it waits for. When the scheduler resumes the
 * thread, the code up to the next `yield` runs atomically. Shared state is only touched in those
 * bodies, never before the first yield.
 */
import type { KernelPolicy } from "../kernels";
import type { Lock, LockId, State, ThreadId, Violation } from "../mm/types";

/** What a blocked step waits for. */
export type Wait =
  | { lock: LockId; mode: "excl" | "read" | "write" }
  | { pageUnlocked: LockId };

export interface Step {
  label: string;
  /** v2.6.34 file:line. */
  loc: string;
  wait?: Wait;
}

export type KGen<T = void> = Generator<Step, T, undefined>;

/** Granularity options: documented choices of what one atomic step is. */
export interface ModelOptions {
  /**
   * How vma_address() reads vm_start, vm_pgoff and vm_end: in one step (default, conservative: no torn
   * reads) or one step per field (also exposes torn reads of a single walk).
   */
  vmaAddressReads: "one-step" | "per-field";
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = { vmaAddressReads: "one-step" };

/** Thrown inside a step body when the kernel would BUG(); the scheduler ends the run. */
export class Oops extends Error {
  constructor(readonly violation: Violation) {
    super(violation.message);
  }
}

/** One thread's view of the machine. */
export interface Kernel {
  readonly s: State;
  readonly policy: KernelPolicy;
  readonly opts: ModelOptions;
  readonly tid: ThreadId;
  /** Index the next trace entry will get (for violations). */
  readonly now: () => number;
}

/**
 * The scheduler's Kernel: a class so that copies and hashes of a thread (sim/resumable.ts) can tell the
 * thread's context from its data (a copied thread gets the context of the run it goes on in).
 */
export class KernelContext implements Kernel {
  constructor(
    public s: State,
    readonly policy: KernelPolicy,
    readonly opts: ModelOptions,
    readonly tid: ThreadId,
    readonly now: () => number,
  ) {}
}

export function step(label: string, loc: string, wait?: Wait): Step {
  return wait ? { label, loc, wait } : { label, loc };
}

/** The lock a wait is about (taken, or only waited on to be free), or null for no wait. */
export function waitLock(wait: Wait | undefined): LockId | null {
  return wait ? ("lock" in wait ? wait.lock : wait.pageUnlocked) : null;
}

/** Can a step with this wait run now? */
export function canRun(s: State, wait: Wait | undefined): boolean {
  if (!wait) return true;
  if ("pageUnlocked" in wait) return lockOf(s, wait.pageUnlocked).owner === null;
  const l = lockOf(s, wait.lock);
  if (wait.mode === "read") return l.owner === null;
  return l.owner === null && l.readers.length === 0;
}

export function lockOf(s: State, id: LockId): Lock {
  const l = s.locks[id];
  if (!l) throw new Error(`model error: no lock ${id}`);
  return l;
}

/**
 * Lock classes in the documented order (mm/rmap.c header, I9); lower must be taken first.
 * vma_adjust_lock exists only with fix 1a: the walker takes it under the anon_vma lock and releases it
 * before the pte lock, so it sits between them.
 */
export const LOCK_ORDER = ["mmap_sem", "PG_locked", "i_mmap_lock", "anon_vma", "vma_adjust_lock", "page_table_lock", "tree_lock"] as const;
const classes = new Map<LockId, string>();
export function lockClass(id: LockId): string {
  // Memoised: a fresh slice is a new string, which every use as a key (counters) must look up in the string table.
  let c = classes.get(id);
  if (c === undefined) {
    c = id.slice(0, id.indexOf(":"));
    if (classes.size >= 10000) classes.clear();
    classes.set(id, c);
  }
  return c;
}

export function newLock(s: State, id: LockId, kind: Lock["kind"]): LockId {
  s.locks[id] = { id, kind, owner: null, readers: [], waiters: [] };
  return id;
}

/** Record a violation; fatal ones stop the thread (and the run) like a kernel BUG. */
export function violate(k: Kernel, invariant: string, message: string, fatal: boolean, threads: ThreadId[] = [k.tid]): void {
  const v: Violation = { invariant, message, step: k.now(), threads, fatal };
  k.s.violations.push(v);
  if (fatal) throw new Oops(v);
}

/** Record a diagnostic (see Violation.diagnostic): shown in traces and violations, never the verdict. */
export function diagnose(k: Kernel, invariant: string, message: string): void {
  k.s.violations.push({ invariant, message, step: k.now(), threads: [k.tid], fatal: false, diagnostic: true });
}

/**
 * Next id with a prefix: "av1", "av2"... deterministic per run. With an owner, the count is the owner's
 * own and the id names it ("pg1@mig"): ids two threads allocate then do not depend on which went first.
 */
export function newId(s: State, prefix: string, owner?: string): string {
  const key = owner === undefined ? prefix : `${prefix}@${owner}`;
  const n = (s.seq[key] ?? 0) + 1;
  s.seq[key] = n;
  return owner === undefined ? `${prefix}${n}` : `${prefix}${n}@${owner}`;
}

export function result(k: Kernel, text: string): void {
  k.s.threads[k.tid]?.results.push(text);
}

/** The list but x. Not an arrow over a caller's variable: that makes the caller allocate a context on every call. */
export function without<T>(list: readonly T[], x: T): T[] {
  const out: T[] = [];
  for (let i = 0; i < list.length; i++) if (list[i] !== x) out.push(list[i] as T);
  return out;
}
