/**
 * Exhaustive exploration: every distinct interleaving of a prepared scenario within bounds.
 *
 * A run is a call of `runThreads` with a chooser. The kernel paths are compiled to machines
 * (build/resumable.js) whose position and live variables are data, so the search goes back to a node by
 * resuming a snapshot of the run taken there (scheduler.ts: ChoiceContext.snapshot, RunOptions.resume);
 * where a thread is a native generator (a notebook's own kernel path) it replays the run from the initial
 * state instead, like loom and shuttle. DPOR's snapshots copy the state; state caching's share the run's
 * state, and going back to one undoes the writes made since (sim/undo.ts; S1 with 4 pages and 4
 * migrators: 15% faster, a fifth less memory allocated). Every new step runs against a recording view of
 * the state (footprint.ts) that notes the locations it reads and writes (and, with undo, the values they
 * replace); DPOR's replayed steps run on the plain state, about ten times cheaper per access. Both are
 * sound because kernel paths never keep an object of the state from one step to the next (tested with a
 * revoking recorder: test/explore/stale.test.ts).
 *
 * Reductions, chosen with `reduction`:
 *
 * - `"dpor"`: source-DPOR with sleep sets (Abdulla, Aronis, Jonsson, Sagonas, "Optimal dynamic
 *   partial order reduction", POPL 2014, Algorithm 1; after Flanagan and Godefroid, POPL 2005). After each
 *   run, every race (two dependent steps of different threads, not ordered through a third) is reversed by
 *   adding a thread that starts the reversed order to the backtrack set of the node before the first step.
 *   Dependence is computed after the fact from the recorded footprints, which is why the source-set
 *   formulation (races found in complete runs) is used rather than the original one (which needs the next
 *   step's footprint before it runs). Deviation for blocking: when the thread to add is blocked on a lock
 *   at that node, it is added at the latest earlier node where it could run (the point before the lock
 *   holder took the lock), and if there is none, every thread runnable there is added (conservative).
 *   A step that BUG()s ends the run, so it is dependent with every other thread's step (else the end
 *   states of failing runs would depend on which independent steps happened to run before the BUG).
 *   Snapshots every `snapshots` new nodes (race analysis adds branches after a run, so which nodes will be
 *   gone back to is not known when they are made).
 * - `"states"`: depth-first search with state caching and sleep sets (Godefroid, LNCS 1032, 1996; the
 *   caching/sleep-set fix of Godefroid, Holzmann and Pirottin 1995: a state revisited with a sleep set
 *   that is not a superset of the stored one is explored again with the intersection, and only by the
 *   threads the stored set slept and the new one does not: the first visit took every other). A node's key is
 *   the hash of the machine state plus each thread's position, live variables and pending step
 *   (resumable.ts: hashThread): equal keys have equal futures. Keys are 53-bit hashes (two 32-bit lanes).
 *   Snapshots at nodes with other branches; the last branch uses the snapshot itself. Fallback for native
 *   generators: per thread, a hash of every value it has read (its locals are a function of them), which
 *   merges far less. With `persistent` (default), persistent sets on top (Godefroid 1996, ch. 4), closed
 *   as stubborn sets are (Valmari 1991): after each event a node explores, the threads whose future (what
 *   each thread may still touch, learned per thread state and checked, futures.ts) can touch what an
 *   explored event touched are pulled in, and once none is left to pull the node explores nothing else,
 *   now or when revisited; a blocked thread pulled in, or an unknown future, means every thread. The stack
 *   proviso keeps every node on a cycle of the search fully explored. A node explores first a thread whose
 *   next event looks private (a set of one: no snapshot is taken there), else the one whose closure, from
 *   the events seen so far, pulls in the fewest runnable threads (`seed`). A blocked thread pulled in
 *   stays out while no thread outside the set can change the lock it waits for (`leaveBlocked`: T at
 *   down_write while a member holds mmap_sem). S1 with 3 pages and 3 migrators on 2.6.36, state caching
 *   alone: 43,216 states, against 47,932 exploring every thread where a blocked one is pulled in,
 *   55,414 with the first thread in order as the seed too, 63,517 with sets of one thread only and
 *   190,642 without.
 * - `"auto"` (default, exhaustive()): DPOR for up to DPOR_FIRST runs, then state caching if the space is
 *   not settled. DPOR reaches bugs in few runs; state caching visits each state once where DPOR visits it
 *   once per Mazurkiewicz trace through it (S1 with 2 pages and 2 migrators on 2.6.36: DPOR 25,901 runs
 *   and 253,479 transitions through 6,966 distinct keyed states; state caching 4,762 short runs and
 *   17,638 transitions, about 2 s against 7-16 s; with 4 pages and 1 migrator 4,444 runs, under 2 s,
 *   against 216 s).
 * - `false`: brute force, every interleaving, no reduction at all (the reference for the soundness tests).
 *
 * With `transactions` (default), the events a search orders are not single steps but transactions
 * (movers.ts): a thread runs on, without a choice point, while Lipton's reduction says no other thread
 * can tell. An event's footprint is its net effect (a lock taken and dropped inside it was only read);
 * every lock any of its steps waited for counts when DPOR reverses a race (the event cannot start before
 * the holder took it). In S1 with 4 pages and 4 migrators on 2.6.36 a new step costs about 16 us in all,
 * a fifth of it in the recording view, the rest in movers, futures, state and thread hashes, snapshots.
 *
 * Atomic adds (sim/atomic.ts: the migrators' pins of the anon_vma, atomic_inc and the decrement of
 * drop_anon_vma) are recorded as adds, and two adds to one location commute (footprint.ts: dependent,
 * futures.ts: touches); as a read and a write, every migrator's pin was ordered against every other's.
 * With both, the seed choice and blocked threads left out, the default search on S1 with 4 pages and 4
 * migrators on 2.6.36 visits 561,943 states in 0.84 million transitions (1,415,824 states with sets of
 * one thread and counts read and written).
 *
 * Bounds: `maxSteps` per run, `preemptions` (context switches away from a thread that could still run),
 * `maxSchedules`, `maxMs`. A bound that cut anything makes the result `exhausted: false` and, if nothing failed,
 * verdict `bound-reached`. With a preemption bound, the search uses state caching without sleep sets or
 * transactions (DPOR and sleep sets are not sound under preemption bounding, Coons et al., OOPSLA 2013),
 * keyed also by the last thread and re-exploring a state reached with fewer preemptions, so it is complete
 * within the bound.
 *
 * States are counted as distinct keys over every node the search executed: the machine state hash
 * (counters, lock waiters and violation step indices left out: run bookkeeping) plus, per thread, its
 * number of steps (DPOR, brute force) or its state caching key. The default search reports the state
 * caching pass's count when it ran one. Only state caching prunes on them.
 */
import type { Prepared } from "../scenarios/build";
import { NotCopyable } from "../sim/resumable";
import type { Verdict } from "../sim/scheduler";
import { outcomeKey } from "./common";
import { Progress, type ProgressOptions } from "./progress";
import { copyable, type Learned, Search } from "./search";

/** Options of exhaustive exploration (the ExploreOptions that apply, plus the ones the tests use). */
export interface ExhaustiveOptions extends ProgressOptions {
  /**
   * `"auto"` (default): a short DPOR pass, then state caching (see exhaustive()); `"dpor"`, `"states"`
   * (state caching + sleep sets) or `false` (brute force).
   */
  reduction?: "auto" | "dpor" | "states" | false;
  /** Steps per run. Default 5000. */
  maxSteps?: number;
  /** Preemption bound; undefined = unbounded. */
  preemptions?: number;
  /** Stop after this many runs (a bound). Default unbounded. */
  maxSchedules?: number;
  /** Stop after this many milliseconds (a bound; the result then depends on the machine). Default unbounded. */
  maxMs?: number;
  /** Stop at the first failing run. Default true. */
  stopAtFirst?: boolean;
  /**
   * With a preemption bound: after each failing run, lower the step bound below it and go on (branch and
   * bound), so that `failure` is a shortest failing run within the bounds, found in one search rather than
   * one search per shorter length. Default false.
   */
  shortest?: boolean;
  /** A schedule (compact form) every run starts with; exploration covers its continuations only. */
  prefix?: string;
  /** Which verdicts count as failures. Default: bug, deadlock, livelock, use-after-free. */
  isFailure?: (v: Verdict) => boolean;
  /** Collect the hash of the end states reached (see ExhaustiveResult.endStates; for soundness tests). Default false. */
  collectEndStates?: boolean;
  /** Check every step's recorded writes against a diff of the state (slow; for tests). Default false. */
  checkFootprints?: boolean;
  /**
   * Group each thread's steps into transactions (R* N? L*, see movers.ts), so that choices are offered
   * only where one starts. DPOR only; default true. False: every step is a choice point.
   */
  transactions?: boolean;
  /** Called after every run with its explored choices (after the prefix) and verdict (null: cut short). */
  onRun?: (choices: readonly string[], verdict: Verdict | null) => void;
  /**
   * Go back to a node of the search from a snapshot of the run there instead of replaying from the
   * initial state: a snapshot every `snapshots` new nodes (and at each node backtracked to), replaying
   * at most the events since. 0: always replay. Default 4. Needs threads that can be copied (kernel paths
   * compiled by build/resumable.js); the search replays when they cannot. The result is the same.
   */
  snapshots?: number;
  /**
   * states mode: key nodes by each thread's position and live variables (exact, needs compiled kernel
   * paths) rather than by the hash of every value each thread read. Default true; false is the fallback.
   */
  preciseKeys?: boolean;
  /**
   * states mode: persistent sets (see above). Default true; `"first"`: only sets of one thread, the
   * first explored (the weaker rule, for comparison); false explores every thread not in the sleep set.
   */
  persistent?: boolean | "first";
  /**
   * states mode with persistent sets: which thread a node explores first when none looks private.
   * `"smallest"` (default): the one whose next event, as seen so far, pulls in the fewest runnable
   * threads when the set is closed from it; `"order"`: the last thread to run, then declaration order
   * (for comparison). A hint only: the set is still closed from the events that ran.
   */
  seed?: "smallest" | "order";
  /**
   * states mode with persistent sets: a blocked thread whose future touches the set is left out when no
   * thread outside the set can change the lock it waits for (it stays blocked until a member acts), and
   * the threads that can are pulled in (Valmari's necessary enabling set). Default true; false: a blocked
   * thread pulled in makes the node explore every thread (the old rule, for comparison).
   */
  leaveBlocked?: boolean;
  /**
   * states mode with persistent sets: after this many runs in one pass (evidence of a big search), random
   * walks (see search.ts: WALKS) teach the futures the rare turns before the rest of the pass relies on
   * them; a future they grow ends the pass there rather than later. Default 4096; 0: none.
   */
  walksAfter?: number;
  /**
   * states mode: go back to a node by undoing the run's writes since (sim/undo.ts) rather than from a
   * copy of the state taken there. Default true; the result is the same.
   */
  undo?: boolean;
}

/** The bounds of a search: steps per run, preemptions per run, runs, wall-clock time. */
export type Bound = "steps" | "preemptions" | "schedules" | "time";

/** One group of runs with the same verdict (kind and invariant). */
export interface Outcome {
  verdict: Verdict;
  /** The first run's exact schedule. */
  schedule: string;
  /** Completed runs that ended this way (with reduction, a run stands for many interleavings). */
  runs: number;
}

export interface ExhaustiveResult {
  /** First failure found (if any), else undefined. */
  failure?: { verdict: Verdict; schedule: string; steps: number };
  /** Distinct states (machine state + per-thread read hashes). */
  states: number;
  /** Steps executed beyond replayed prefixes: edges of the explored graph. */
  transitions: number;
  /** Runs (schedules) executed, including runs cut short as redundant. */
  schedules: number;
  /** Steps executed in total, replays included. */
  steps: number;
  /** True when every interleaving within the bounds was covered (no bound cut, no early stop). */
  exhausted: boolean;
  /** The first bound that cut the search, if one did. */
  cutBy?: Bound;
  /** Every bound that cut the search. */
  cuts: Bound[];
  outcomes: Outcome[];
  /** Passes started again because a mover classification (movers.ts) or a future (futures.ts) turned out wrong. */
  restarts: number;
  /** The reduction that ran: "dpor+states" is the default's DPOR pass followed by state caching. */
  reduction: "dpor" | "states" | "brute" | "dpor+states";
  /**
   * Sorted end-state hashes, with collectEndStates, of the runs a BUG did not cut short. A BUG stops the
   * other threads wherever they are; with transactions they are only ever between two, so where they
   * stopped is not comparable between reductions (the verdicts are, see outcomes).
   */
  endStates?: number[];
  elapsedMs: number;
}


/**
 * DPOR runs the default search makes before it turns to state caching. DPOR reaches a bug in few runs
 * (every built-in scenario, kernel and fix: at most 103), state caching exhausts big spaces sooner (S1
 * with 4 pages on 2.6.36: 3.5 s against more than 30 s; S5 with fix 1a: 3.6 s against 8.5 s).
 */
export const DPOR_FIRST = 256;

export function exhaustive(p: Prepared, o: ExhaustiveOptions = {}): ExhaustiveResult {
  const auto = (o.reduction === undefined || o.reduction === "auto") && o.preemptions === undefined;
  if (!auto) return single(p, o.reduction === "auto" ? { ...o, reduction: "states" } : o);
  if (!copyable(p)) return single(p, { ...o, reduction: "dpor" }); // native generators: no state keys
  const t0 = Date.now();
  const progress = new Progress(o);
  const budget = Math.min(DPOR_FIRST, o.maxSchedules ?? DPOR_FIRST);
  const dpor = new Search(p, { ...o, reduction: "dpor", maxSchedules: budget }, progress, 0, false);
  let first: ExhaustiveResult;
  try {
    first = dpor.run();
  } catch (e) {
    // A kernel path deeper down is a native generator: no snapshots, no state keys.
    if (e instanceof NotCopyable) return single(p, { ...o, reduction: "dpor", snapshots: 0 });
    throw e;
  }
  const ownCut = first.cuts.includes("schedules") && budget < (o.maxSchedules ?? Infinity);
  if (!ownCut || (first.failure !== undefined && (o.stopAtFirst ?? true))) {
    progress.done(first.schedules, first.states);
    return { ...first, cuts: first.cuts.filter((c) => c !== "schedules" || !ownCut), reduction: "dpor" };
  }
  const left: ExhaustiveOptions = { ...o, reduction: "states" };
  if (o.maxSchedules !== undefined) left.maxSchedules = o.maxSchedules - first.schedules;
  if (o.maxMs !== undefined) left.maxMs = Math.max(0, o.maxMs - (Date.now() - t0));
  // The DPOR pass's runs taught the movers who accesses what under which locks: the second pass starts
  // from that (fewer passes started again; S1 with 4 pages: 7 restarts, costing half the runs, without).
  const second = single(p, left, progress, first.schedules, true, dpor.learned());
  return merge(first, second, Date.now() - t0);
}

/**
 * One search with one reduction (falling back to read-value keys if a thread turns out not to be a machine);
 * `progress` shared with other searches (the minimiser's), reported as `before` schedules plus this one's.
 */
export function single(p: Prepared, o: ExhaustiveOptions, progress?: Progress, before = 0, last = true, learned?: Learned): ExhaustiveResult {
  try {
    return new Search(p, o, progress, before, last, learned).run();
  } catch (e) {
    // A thread reached a kernel path that is a native generator: its variables cannot be hashed.
    if (e instanceof NotCopyable && o.preciseKeys !== false) return new Search(p, { ...o, preciseKeys: false, snapshots: 0 }, progress, before, last).run();
    throw e;
  }
}

/** The default search's result: the state caching pass decides; counts and time are both passes'. */
function merge(first: ExhaustiveResult, second: ExhaustiveResult, elapsedMs: number): ExhaustiveResult {
  const outcomes = new Map<string, Outcome>();
  for (const x of [...first.outcomes, ...second.outcomes]) {
    const k = outcomeKey(x.verdict);
    const seen = outcomes.get(k);
    if (seen) seen.runs += x.runs;
    else outcomes.set(k, { ...x });
  }
  const r: ExhaustiveResult = {
    ...second,
    transitions: first.transitions + second.transitions,
    schedules: first.schedules + second.schedules,
    steps: first.steps + second.steps,
    restarts: first.restarts + second.restarts,
    outcomes: [...outcomes.values()],
    reduction: "dpor+states",
    elapsedMs,
  };
  const failure = first.failure ?? second.failure;
  if (failure) r.failure = failure;
  if (first.endStates && second.endStates) r.endStates = [...new Set([...first.endStates, ...second.endStates])].sort((a, b) => a - b);
  return r;
}

