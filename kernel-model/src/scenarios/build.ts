/**
 * From a ScenarioSpec to runnable threads: each operation calls the kernel path it stands for. The
 * set-up runs first, alone, through the same paths, so the anon_vma structure is the version's own.
 */
import { fixPolicy } from "../fixes";
import { type KernelPolicy, UsageError } from "../kernels";
import { down_write, up_write } from "../mm/locks";
import { mm, mm_alloc } from "../mm/objects";
import { exit_mmap } from "../mm/exit";
import { __bprm_mm_init, copy_strings, setup_arg_pages, touch_args } from "../mm/exec";
import { dup_mmap } from "../mm/fork";
import { touch } from "../mm/memory";
import { migrate_pages } from "../mm/migrate";
import { MappingError, mmap_region } from "../mm/mmap";
import { sys_mprotect } from "../mm/mprotect";
import { sys_mremap } from "../mm/mremap";
import { add_to_swap } from "../mm/swap";
import type { State } from "../mm/types";
import { DEFAULT_MODEL_OPTIONS, type Kernel, type KGen, type ModelOptions, newLock, step } from "../sim/kernel";
import { runThreads, type ThreadDef } from "../sim/scheduler";
import type { Op, ScenarioSpec } from "./spec";

/** Options that shape the model (not the schedule). */
export interface BuildOptions {
  /** Kernel version, default "2.6.34". */
  kernel?: string;
  /** A candidate fix applied on top of the kernel version (see fixes/index.ts FIX_IDS), default "none". */
  fix?: string;
  /**
   * Your own policy changes, applied last (after the version and the fix): the what-if seam for notebooks and
   * exercises, e.g. `{ vma_adjust_lock: "root", lock_root: true }` on 2.6.35.
   */
  policy?: Partial<KernelPolicy>;
  /** Step granularity choices. */
  model?: Partial<ModelOptions>;
  /** migrate_pages() passes per migrate operation (the kernel makes up to 10). Default 1. */
  migratePasses?: number;
}

export interface Prepared {
  spec: ScenarioSpec;
  policy: KernelPolicy;
  opts: ModelOptions;
  /** The state after the set-up phase. */
  initial: State;
  threads: ThreadDef[];
}

export function emptyState(): State {
  const s: State = {
    pages: {}, anon_vmas: {}, avcs: {}, vmas: {}, mms: {},
    swap: { tree_lock: "tree_lock:swapper_space", slots: {}, nextEntry: 1 },
    locks: {}, threads: {}, seq: {}, names: {}, violations: [],
    counters: { lockAcquisitions: {}, waitSteps: {}, retries: 0, walkerSteps: 0, migrationEntriesCreated: 0, migrationEntriesRemoved: 0 },
  };
  newLock(s, s.swap.tree_lock, "spinlock");
  return s;
}

function pageId(k: Kernel, name: string): string {
  const id = k.s.names[name];
  if (id === undefined) throw new MappingError(`no page named "${name}" (pages are named by touch/grow_stack/exec ops)`);
  return id;
}

/** The kernel path behind one operation. */
export function* runOp(k: Kernel, op: Op, passes: number): KGen {
  switch (op.op) {
    case "mmap": {
      yield step(`sys_mmap(${op.mm}, p${op.start}, p${op.end})`, "mm/mmap.c");
      const m = k.s.mms[op.mm] ?? mm_alloc(k, op.mm);
      yield* down_write(k, m.mmap_sem, "mm/mmap.c");
      yield* mmap_region(k, op.mm, op.start, op.end, { prot: op.prot ?? "rw", growsdown: op.growsdown ?? false, stack_incomplete_setup: false });
      yield* up_write(k, mm(k, op.mm).mmap_sem, "mm/mmap.c");
      return;
    }
    case "touch":
      return yield* touch(k, op.mm, op.addr, op.write ?? true, op.page);
    case "grow_stack": {
      const below = Object.values(k.s.vmas).some((v) => v.mm === op.mm && !v.freed && v.flags.growsdown && op.addr < v.vm_start);
      if (!below) throw new MappingError(`grow_stack: p${op.addr} is not below a VM_GROWSDOWN vma of ${op.mm}`);
      return yield* touch(k, op.mm, op.addr, true, op.page);
    }
    case "fork":
      return yield* dup_mmap(k, op.mm, op.child);
    case "mprotect":
      return yield* sys_mprotect(k, op.mm, op.start, op.end, op.prot);
    case "migrate":
      yield* migrate_pages(k, pageId(k, op.page), passes);
      return;
    case "exec_begin":
      yield* __bprm_mm_init(k, op.mm);
      return yield* copy_strings(k, op.mm, op.argPages, op.pages);
    case "exec_finish":
      yield* setup_arg_pages(k, op.mm, op.shift);
      return yield* touch_args(k, op.mm);
    case "exec":
      yield* __bprm_mm_init(k, op.mm);
      yield* copy_strings(k, op.mm, op.argPages, op.pages);
      yield* setup_arg_pages(k, op.mm, op.shift);
      return yield* touch_args(k, op.mm);
    case "mremap":
      return yield* sys_mremap(k, op.mm, op.old, op.len, op.new);
    case "exit":
      return yield* exit_mmap(k, op.mm);
    case "add_to_swap":
      return yield* add_to_swap(k, pageId(k, op.page));
  }
}

/**
 * runOp's generator, except that an operation which is a single kernel call whose arguments come from the op
 * alone gets that call's own generator: every resume passes through each level of yield*, so a level less
 * makes every step of the thread cheaper. Nothing runs before the first next() either way.
 */
function opPath(k: Kernel, op: Op, passes: number): KGen {
  switch (op.op) {
    case "touch":
      return touch(k, op.mm, op.addr, op.write ?? true, op.page);
    case "fork":
      return dup_mmap(k, op.mm, op.child);
    case "mprotect":
      return sys_mprotect(k, op.mm, op.start, op.end, op.prot);
    case "mremap":
      return sys_mremap(k, op.mm, op.old, op.len, op.new);
    case "exit":
      return exit_mmap(k, op.mm);
    default:
      return runOp(k, op, passes);
  }
}

function threadOf(name: string, ops: readonly Op[], passes: number): ThreadDef {
  const only = ops.length === 1 ? (ops[0] as Op) : undefined;
  return {
    name,
    // A one-op thread (the common case) is its op's path itself, without a generator around it.
    body: only
      ? (k: Kernel): KGen => opPath(k, only, passes)
      : function* (k: Kernel): KGen {
          for (const op of ops) yield* opPath(k, op, passes);
        },
  };
}

/** Run the set-up and make the racing threads; throws UsageError for a bad version or a set-up that fails. */
export function prepare(spec: ScenarioSpec, o: BuildOptions = {}): Prepared {
  const policy: KernelPolicy = { ...fixPolicy(o.kernel ?? "2.6.34", o.fix ?? "none"), ...o.policy };
  const opts: ModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...o.model };
  const passes = o.migratePasses ?? 1;
  if (!Number.isInteger(passes) || passes < 1 || passes > 10) throw new UsageError(`migratePasses must be an integer from 1 to 10, got ${passes}`);
  const setup = runThreads(emptyState(), policy, opts, [threadOf("init", spec.setup, passes)], { trace: false });
  if (setup.verdict.kind !== "clean") {
    throw new UsageError(`scenario ${spec.id}: the set-up itself ended with ${setup.verdict.kind}: ${setup.verdict.message}`);
  }
  const initial = setup.state;
  delete initial.threads["init"];
  initial.counters = emptyState().counters;
  return { spec, policy, opts, initial, threads: spec.threads.map((t) => threadOf(t.name, t.ops, passes)) };
}
