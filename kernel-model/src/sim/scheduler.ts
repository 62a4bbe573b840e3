/**
 * The deterministic scheduler: runs threads one atomic step at a time, choosing the next thread from
 * a schedule (compact form), a chooser function, or the default continuation, and records the trace.
 */
import { endOfRunChecks } from "../check/invariants";
import { UsageError, type KernelPolicy } from "../kernels";
import { MappingError } from "../mm/mmap";
import type { Lock, State, ThreadState, Violation } from "../mm/types";
import { canRun, type Kernel, KernelContext, type KGen, lockClass, type ModelOptions, Oops, type Step, waitLock, without } from "./kernel";
import { parseSchedule, type Token } from "./schedule";
import { clonePlain } from "./clone";
import { Copier, hashThread, Machine, NotCopyable } from "./resumable";
import { diff, flatten, type TraceEntry } from "./trace";

export interface ThreadDef {
  name: string;
  body: (k: Kernel) => KGen;
}

export type VerdictKind = "clean" | "bug" | "deadlock" | "livelock" | "use-after-free" | "bound-reached";

export interface Verdict {
  kind: VerdictKind;
  /** The invariant of the deciding violation ("I1", "I2", ..., "deadlock"). */
  invariant?: string;
  message?: string;
  /** Trace index of the deciding violation (-1: found by the end-of-run checks). */
  step?: number;
}

/** What a chooser sees. */
export interface ChoiceContext {
  step: number;
  runnable: readonly string[];
  /** Each runnable thread's next step. */
  next: Readonly<Record<string, Step>>;
  state: Readonly<State>;
  /** The thread that ran the previous step, if any. */
  last: string | null;
  /**
   * The run as it is now, to go on from later with RunOptions.resume (any number of times). Throws
   * NotCopyable when a thread is not a compiled kernel path (a native generator).
   */
  snapshot?: () => RunSnapshot;
  /**
   * Each thread's hashThread (position, live variables, pending step) in declaration order, 0 for a
   * finished thread; kept per thread until it runs again. The array is the run's: read it during the call.
   */
  threadHashes?: () => readonly number[];
  /**
   * Each thread's pending step in declaration order, blocked threads' too (null: finished or not started).
   * The array is the run's: read it during the call.
   */
  pending?: () => readonly (Step | null)[];
}

/** A run stopped before a step: its state and threads, copied (see ChoiceContext.snapshot). */
export interface RunSnapshot {
  readonly state: State;
  /** Threads as they were; shared, never changed (a run copies a thread before it steps it). */
  readonly threads: readonly { readonly name: string; readonly gen: KGen; readonly pending: Step | null }[];
  readonly steps: number;
  readonly last: string | null;
  readonly schedule: string;
  readonly runLength: number;
  readonly tokens: readonly Token[];
  readonly tokenStepsDone: number;
  readonly trace: readonly TraceEntry[];
  readonly hashes: readonly number[];
  /** With RunOptions.shareState: `state` is the run's own, and this is what to restore of it. */
  readonly book?: Book;
}
export type Chooser = (ctx: ChoiceContext) => string;

/**
 * What a chooser returns to end the run before the step (the explorer, at a state it has seen): the run
 * returns at once, with `stopped` set and no end-of-run checks. Cheaper than throwing out of the run.
 */
export const STOP_RUN = "\u0000stop";

export interface RunOptions {
  /** Schedule in compact form; after it runs out, the default continuation takes over. */
  schedule?: string;
  /** Chooses every step not covered by the schedule. Default: keep running the last thread while it can, else the first runnable one. */
  chooser?: Chooser;
  /** Fail (UsageError) when a schedule token names a thread that cannot run, instead of skipping it. Default false. */
  strict?: boolean;
  /** Step bound: a run still going after this many steps ends with verdict bound-reached. Default 5000. */
  maxSteps?: number;
  /** Record the trace with per-step state changes. Default true (explorers turn it off). */
  trace?: boolean;
  /**
   * What the kernel paths see as `k.s` in the step about to run (asked before every step, and before each
   * thread's code up to its first yield): a view of the run's state, e.g. a Proxy that records the step's
   * reads and writes (the exhaustive explorer's footprints), or the state itself. Kernel paths never keep
   * an object of the state from one step to the next, so a step may see another view than the last one.
   * The scheduler itself keeps using the state. Default: the state.
   */
  view?: (s: State) => State;
  /** Go on from this snapshot (taken in an earlier run of the same threads) instead of starting the threads. */
  resume?: RunSnapshot;
  /**
   * Snapshots share the run's state instead of copying it, saving only what the scheduler itself writes
   * (Book). For a caller that undoes the state's changes itself before it resumes one (sim/undo.ts).
   */
  shareState?: boolean;
}

/** What the scheduler writes to the state behind any view (run bookkeeping), as a snapshot saves it. */
export interface Book {
  violations: number;
  counters: State["counters"];
  /** The locks with waiters, and theirs (every other lock has none). */
  waiters: [Lock, string[]][];
  /** The threads that had finished. */
  done: ThreadState[];
}

function saveBook(s: State): Book {
  const waiters: [Lock, string[]][] = [];
  for (const id in s.locks) {
    const l = s.locks[id] as Lock;
    if (l.waiters.length > 0) waiters.push([l, l.waiters.slice()]);
  }
  const done: ThreadState[] = [];
  for (const t in s.threads) if ((s.threads[t] as ThreadState).done) done.push(s.threads[t] as ThreadState);
  return { violations: s.violations.length, counters: clonePlain(s.counters), waiters, done };
}

/** Put back what saveBook saved (the state is otherwise as it was then: its writes were undone). */
function restoreBook(s: State, b: Book): void {
  s.violations.length = b.violations;
  s.counters = clonePlain(b.counters);
  for (const id in s.locks) {
    const l = s.locks[id] as Lock;
    if (l.waiters.length > 0) l.waiters = [];
  }
  for (const [l, w] of b.waiters) l.waiters = w.slice();
  for (const t in s.threads) (s.threads[t] as ThreadState).done = false;
  for (const th of b.done) th.done = true;
}

export interface RunResult {
  verdict: Verdict;
  violations: Violation[];
  trace: TraceEntry[];
  /** The exact schedule that was executed; replaying it gives this run again. */
  schedule: string;
  steps: number;
  state: State;
  /** The chooser ended the run early (STOP_RUN): the verdict means nothing. */
  stopped?: true;
}

interface Live {
  /** Declaration order. */
  i: number;
  name: string;
  gen: KGen;
  pending: Step | null;
  /** The thread's kernel context; `s` is set before each step when the run has a view. */
  k: KernelContext;
  /** gen is this run's own (else it is shared with a snapshot, and copied before the thread steps). */
  owned: boolean;
}

/**
 * Marks a chooser that reads ctx only during its call and never reads ctx.next (randomChooser, pctChooser,
 * continueLast). Such a chooser gets one context per run, updated in place, instead of a new context, a new
 * runnable list and a new next record (a property-adding store per thread) every step.
 */
const IGNORES_NEXT = Symbol("ignoresNext");
export function ignoresNext(c: Chooser): Chooser {
  // A property rather than a WeakSet: a chooser is made per run, and WeakSet entries are dear to add and collect.
  (c as Chooser & { [IGNORES_NEXT]?: true })[IGNORES_NEXT] = true;
  return c;
}

/** The context of a marked chooser; next is still served (built on each read) should one read it during its call. */
class LeanContext implements ChoiceContext {
  step = 0;
  runnable: readonly string[] = [];
  last: string | null = null;
  constructor(
    readonly state: Readonly<State>,
    private readonly ready: readonly Live[],
    readonly snapshot: () => RunSnapshot,
    readonly threadHashes: () => readonly number[],
    readonly pending: () => readonly (Step | null)[],
  ) {}
  get next(): Record<string, Step> {
    return nextRecord(this.runnable, this.ready);
  }
}

function nextRecord(runnable: readonly string[], ready: readonly Live[]): Record<string, Step> {
  const next: Record<string, Step> = {};
  for (let i = 0; i < runnable.length; i++) next[runnable[i] as string] = (ready[i] as Live).pending as Step;
  return next;
}

/** The default continuation: the last thread keeps running while it can, else the first runnable in declaration order. */
export const continueLast: Chooser = ignoresNext((c) => (c.last !== null && c.runnable.includes(c.last) ? c.last : (c.runnable[0] as string)));

export function verdictOf(violations: readonly Violation[], bound: boolean): Verdict {
  const decisive = violations.filter((x) => !x.diagnostic);
  const v = decisive.find((x) => x.fatal) ?? decisive[0];
  if (!v) return bound ? { kind: "bound-reached", message: "the step bound cut the run" } : { kind: "clean" };
  const kind: VerdictKind =
    v.invariant === "deadlock" ? "deadlock" : v.invariant === "livelock" ? "livelock" : v.invariant === "I6" ? "use-after-free" : "bug";
  return { kind, invariant: v.invariant, message: v.message, step: v.step };
}

/** Run threads on a (cloned) state to the end, a fatal violation, a deadlock or the step bound. */
export function runThreads(
  initial: State, policy: KernelPolicy, opts: ModelOptions, defs: readonly ThreadDef[], o: RunOptions = {},
  /** What an unset o.trace means (the explorers' runOnce passes false rather than copying o). */
  traceByDefault = true,
): RunResult {
  return runThreadsOn(clonePlain(initial), policy, opts, defs, o, traceByDefault);
}

/** runThreads on a state of the caller's own, fresh for this run (it is changed in place). */
export function runThreadsOn(
  fresh: State, policy: KernelPolicy, opts: ModelOptions, defs: readonly ThreadDef[], o: RunOptions = {}, traceByDefault = true,
): RunResult {
  return new Run(fresh, policy, opts, defs, o, traceByDefault).run();
}

/** One run. A class rather than closures: its fields stay monomorphic and the per-step path stays small. */
class Run {
  readonly maxSteps: number;
  readonly tracing: boolean;
  readonly trace: TraceEntry[];
  readonly tokens: Token[];
  readonly chooser: Chooser;
  readonly live: Live[];
  /** The runnable threads' Live entries: scratch, the first runnable.length entries are this step's. */
  readonly ready: Live[] = [];
  readonly leanContext: LeanContext | null;
  tokenStepsDone = 0;
  steps = 0;
  last: string | null = null;
  stop = false;
  bound = false;
  /** The schedule, run-length encoded as the run goes (what formatSchedule would make of the choices). */
  schedule = "";
  runLength = 0;
  /** Scratch runnable lists, by length: only lean choosers and the schedule see them, and neither keeps them. */
  readonly runnableOf: string[][] = [];
  readonly view: ((s: State) => State) | null;
  readonly resumed: boolean;
  readonly takeSnapshot = (): RunSnapshot => this.snapshot();
  /** Per thread, its hashThread (-1: not known since it last ran). */
  hashes: number[];
  readonly hashThreads = (): readonly number[] => {
    const hs = this.hashes;
    for (const t of this.live) {
      if ((hs[t.i] as number) >= 0) continue;
      const p = t.pending;
      hs[t.i] = p === null ? 0 : hashThread(t.gen, p.wait ? `${p.label}\u0000${waitLock(p.wait)}` : p.label);
    }
    return hs;
  };

  private readonly pendingList: (Step | null)[] = [];
  readonly pendingSteps = (): readonly (Step | null)[] => {
    const out = this.pendingList;
    for (const t of this.live) out[t.i] = t.pending;
    return out;
  };

  constructor(readonly s: State, policy: KernelPolicy, opts: ModelOptions, defs: readonly ThreadDef[], readonly o: RunOptions, traceByDefault: boolean) {
    this.maxSteps = o.maxSteps ?? 5000;
    // An own `trace: undefined` means the default true, as it did when runOnce spread o over { trace: false }.
    this.tracing = o.trace ?? (traceByDefault || Object.prototype.hasOwnProperty.call(o, "trace"));
    this.chooser = o.chooser ?? continueLast;
    this.leanContext =
      (this.chooser as Chooser & { [IGNORES_NEXT]?: true })[IGNORES_NEXT] === true ? new LeanContext(s, this.ready, this.takeSnapshot, this.hashThreads, this.pendingSteps) : null;
    this.view = o.view ?? null;
    const now = (): number => Math.max(0, this.steps - 1);
    const r = o.resume;
    this.resumed = r !== undefined;
    if (r !== undefined) {
      if (r.book !== undefined) restoreBook(s, r.book);
      // Copy-on-write: each thread is copied (into this run's context) before its first step here.
      this.live = r.threads.map((t, i) => ({ i, name: t.name, gen: t.gen, pending: t.pending, k: new KernelContext(s, policy, opts, t.name, now), owned: false }));
      this.hashes = r.hashes.slice();
      this.steps = r.steps;
      this.last = r.last;
      this.schedule = r.schedule;
      this.runLength = r.runLength;
      this.tokens = r.tokens.slice();
      this.tokenStepsDone = r.tokenStepsDone;
      this.trace = r.trace.slice();
      return;
    }
    this.tokens = o.schedule ? parseSchedule(o.schedule, defs.map((d) => d.name)) : [];
    this.trace = [];
    this.hashes = defs.map(() => -1);
    this.live = defs.map((def, i) => {
      s.threads[def.name] = { id: def.name, held: [], done: false, results: [] };
      const k = new KernelContext(s, policy, opts, def.name, now);
      return { i, name: def.name, gen: def.body(k), pending: null, k, owned: true };
    });
  }

  /**
   * The run now (before the step being chosen): see ChoiceContext.snapshot. The state is copied; the
   * threads are shared, copy-on-write: from here on the run copies a thread before it steps it.
   */
  snapshot(): RunSnapshot {
    for (const t of this.live) {
      if (t.pending !== null && !(t.gen instanceof Machine)) throw new NotCopyable(`thread ${t.name} is a native generator (a kernel path not compiled by build/resumable.js); it cannot be copied`);
      t.owned = false;
    }
    const share = this.o.shareState === true;
    return {
      state: share ? this.s : clonePlain(this.s),
      ...(share ? { book: saveBook(this.s) } : {}),
      threads: this.live.map((t) => ({ name: t.name, gen: t.gen, pending: t.pending })),
      steps: this.steps,
      last: this.last,
      schedule: this.schedule,
      runLength: this.runLength,
      tokens: this.tokens.slice(),
      tokenStepsDone: this.tokenStepsDone,
      trace: this.trace.slice(),
      hashes: this.hashes.slice(),
    };
  }

  run(): RunResult {
    const s = this.s;
    const live = this.live;
    if (!this.resumed) for (const t of live) this.advance(t);
    const ready = this.ready;
    while (!this.stop) {
      let n = 0;
      let blocked: Live[] | null = null;
      for (let i = 0; i < live.length; i++) {
        const t = live[i] as Live;
        const p = t.pending;
        if (p === null) continue;
        if (canRun(s, p.wait)) ready[n++] = t;
        else if (blocked === null) blocked = [t];
        else blocked.push(t);
      }
      // One list per length, reused: lean choosers and the schedule only read it during the step.
      let runnable = this.runnableOf[n];
      if (runnable === undefined) {
        runnable = []; // filled by push, so packed like the arrays choosers otherwise see
        for (let i = 0; i < n; i++) runnable.push((ready[i] as Live).name);
        this.runnableOf[n] = runnable;
      } else for (let i = 0; i < n; i++) runnable[i] = (ready[i] as Live).name;
      if (blocked !== null) for (const t of blocked) noteWaiter(s, t);
      if (n === 0) {
        if (blocked !== null) {
          const what = blocked.map((t) => `${t.name} waits at "${t.pending?.label}"`).join("; ");
          s.violations.push({ invariant: "deadlock", message: `deadlock: no thread can run (${what})`, step: this.steps, threads: blocked.map((t) => t.name), fatal: true });
        }
        break;
      }
      if (this.steps >= this.maxSteps) {
        this.bound = true;
        break;
      }
      const at = this.pick(runnable);
      if (at < 0) return { verdict: { kind: "clean" }, violations: s.violations, trace: this.trace, schedule: this.schedule, steps: this.steps, state: s, stopped: true };
      const t = ready[at] as Live;
      if (this.tracing) this.tracedStep(t);
      else this.step(t);
      if (blocked !== null) for (const b of blocked) countWait(s, b);
    }
    this.endRunOfSteps();
    if (!s.violations.some((v) => v.fatal) && !this.bound) endOfRunChecks(s);
    return { verdict: verdictOf(s.violations, this.bound), violations: s.violations, trace: this.trace, schedule: this.schedule, steps: this.steps, state: s };
  }

  /** Run t's pending step. */
  step(t: Live): void {
    const name = t.name;
    this.steps++;
    if (name === this.last) this.runLength++;
    else {
      this.endRunOfSteps();
      this.runLength = 1;
    }
    this.last = name;
    this.hashes[t.i] = -1;
    // wait_on_page_locked() never takes the lock, so take() does not clear its waiter entry: do it here.
    const pw = (t.pending as Step).wait;
    if (pw && "pageUnlocked" in pw) {
      const l = this.s.locks[pw.pageUnlocked];
      if (l) l.waiters = without(l.waiters, name);
    }
    this.advance(t);
  }

  /** Append the last thread's run of steps to the schedule, as formatSchedule would write it. */
  endRunOfSteps(): void {
    if (this.last === null) return;
    const part = this.runLength === 1 ? this.last : `${this.last}*${this.runLength}`;
    this.schedule = this.schedule === "" ? part : `${this.schedule} ${part}`;
  }

  /** step(), recording the trace entry with the state changes. */
  tracedStep(t: Live): void {
    const s = this.s;
    const name = t.name;
    const step = t.pending as Step;
    const before = flatten(s);
    const nResults = s.threads[name]?.results.length ?? 0;
    const nViolations = s.violations.length;
    this.step(t);
    const notes = [
      ...(s.threads[name]?.results.slice(nResults) ?? []),
      ...s.violations.slice(nViolations).map((v) => `${v.invariant}: ${v.message}`),
    ];
    this.trace.push({ i: this.steps - 1, thread: name, label: step.label, loc: step.loc, held: [...(s.threads[name]?.held ?? [])], changes: diff(before, flatten(s)), notes });
  }

  advance(t: Live): void {
    if (!t.owned) {
      t.gen = new Copier(t.k).copy(t.gen);
      t.owned = true;
    }
    if (this.view !== null) t.k.s = this.view(this.s);
    try {
      const r = t.gen.next();
      t.pending = r.done ? null : r.value;
    } catch (e) {
      t.pending = null;
      if (e instanceof Oops) this.stop = true;
      else if (e instanceof MappingError) throw new UsageError(`thread ${t.name}: ${e.message}`);
      else throw e;
    }
    if (t.pending === null) {
      const ts = this.s.threads[t.name];
      if (ts) ts.done = true;
    }
  }

  /** The index in runnable (and in ready) of the thread to run next. */
  pick(runnable: string[]): number {
    const ready = this.ready;
    const tokens = this.tokens;
    while (tokens.length > 0) {
      const tok = tokens[0] as Token;
      const at = runnable.indexOf(tok.thread);
      const finished =
        at < 0 ||
        (tok.kind === "steps" && this.tokenStepsDone >= tok.n) ||
        (tok.kind === "until" && ((ready[at] as Live).pending as Step).label.includes(tok.label));
      if (!finished) {
        this.tokenStepsDone++;
        return at;
      }
      if (at < 0 && this.o.strict && !(tok.kind === "steps" && this.tokenStepsDone >= tok.n)) {
        const t = this.live.find((x) => x.name === tok.thread);
        const why = t?.pending ? `is blocked at "${t.pending.label}"` : "has finished";
        throw new UsageError(`schedule step ${this.steps}: thread ${tok.thread} ${why}`);
      }
      tokens.shift();
      this.tokenStepsDone = 0;
    }
    let c: string;
    const lean = this.leanContext;
    if (lean !== null) {
      lean.step = this.steps;
      lean.runnable = runnable;
      lean.last = this.last;
      c = this.chooser(lean);
    } else {
      // A chooser of its own gets fresh objects every step, as it always has: it may keep them.
      c = this.chooser({ step: this.steps, runnable: runnable.slice(), next: nextRecord(runnable, ready), state: this.s, last: this.last, snapshot: this.takeSnapshot, threadHashes: this.hashThreads, pending: this.pendingSteps });
    }
    const at = runnable.indexOf(c);
    if (at < 0 && c === STOP_RUN) return -1;
    if (at < 0) throw new UsageError(`chooser picked "${c}", which cannot run; runnable: ${runnable.join(", ")}`);
    return at;
  }
}

/** A blocked thread spent this step waiting: the cost counters. */
function countWait(s: State, b: Live): void {
  const c = lockClass(waitLock(b.pending?.wait) ?? "");
  s.counters.waitSteps[c] = (s.counters.waitSteps[c] ?? 0) + 1;
}

function noteWaiter(s: State, t: Live): void {
  const id = waitLock(t.pending?.wait);
  if (id === null) return;
  const l = s.locks[id];
  if (l && !l.waiters.includes(t.name)) l.waiters.push(t.name);
}
