/**
 * The search behind exhaustive() (see exhaustive.ts for the reductions and why): one pass over a prepared
 * scenario with DPOR, state caching or brute force, going back by resuming snapshots, with the
 * transactions (movers.ts), learned futures (futures.ts), restarts, learning runs and walks.
 */
import { UsageError } from "../kernels";
import type { State } from "../mm/types";
import type { Prepared } from "../scenarios/build";
import { clonePlain } from "../sim/clone";
import { Machine, NotCopyable } from "../sim/resumable";
import { type ChoiceContext, ignoresNext, type RunOptions, type RunResult, type RunSnapshot, runThreadsOn, STOP_RUN, type Verdict } from "../sim/scheduler";
import { diff, flatten } from "../sim/trace";
import { type Step, waitLock } from "../sim/kernel";
import { below, cutByStepBound, isFailure, mulberry32, outcomeKey, runOnce } from "./common";
import { dependent, type Footprint, Locations, mix, Recorder } from "./footprint";
import { combine, hashState, StateHasher } from "./statehash";
import { KeyTable } from "./keytable";
import { type Entry, Futures } from "./futures";
import { type Held, Movers, type StepClass } from "./movers";
import { Progress } from "./progress";
import { UndoLog } from "../sim/undo";
import { Races } from "./races";
import type { Bound, ExhaustiveOptions, ExhaustiveResult, Outcome } from "./exhaustive";

/** A node of the search tree: the state after `depth` explored steps of the current run. */
export interface Frame {
  /** Threads that could run here. */
  runnable: string[];
  /** The thread the current run takes here ("" while none). */
  chosen: string;
  /** Footprint of the chosen thread's step, once it ran. */
  fp: Footprint | null;
  /** Threads whose step from here is covered by an earlier sibling (with its footprint). */
  sleep: Map<string, Footprint>;
  /** Threads already explored from here, with their footprints. */
  done: Map<string, Footprint>;
  /** Threads still to explore from here. */
  todo: string[];
  /** Preemptions used to reach this node. */
  preemptions: number;
  /** The thread that ran the step into this node (null at the root). */
  last: string | null;
  /** The chosen step's label (for diagnostics). */
  label: string;
  /** The locks the chosen event's steps waited for (none could run while its lock was held). */
  waits: string[];
  /** Locks whose owner/readers the chosen step changed: lock id -> whether the thread holds it after. */
  locks: Map<string, boolean> | null;
  /** Per-thread fingerprints at this node: read-value hashes ("states") or step counts (the others). */
  fps: number[];
  /** DPOR: the events that happen before the chosen step (a bitset over event indices), once computed. */
  hb: Uint32Array | null;
  /** Steps in the chosen thread's event (one, unless transactions group them: movers.ts). */
  len: number;
  /** The run stopped at this node (before the chosen event), to go on from instead of replaying to it. */
  snap: NodeSnapshot | null;
  /** states mode: the node's key. */
  key: number;
  /**
   * states mode with persistent sets: each thread's state key here (0: finished), to decide after each
   * event whether what the node explored is a persistent set (see closure); null once decided.
   */
  tkeys: number[] | null;
  tlabels: string[];
  /** With tkeys: the lock each thread's next step waits for, if any (see closure: a blocked thread). */
  twaits: (string | null)[];
  /** On a cycle of the search: always explores every thread (the stack proviso). */
  cyclic: boolean;
  /**
   * The chosen thread's next event looked private (looksPrivate): it is likely to be a persistent set
   * alone, so the node takes no snapshot (a node gone back to after all is reached by replay).
   */
  alone: boolean;
}

/** What one pass learned that the next pass on the same scenario starts from. */
export interface Learned {
  locs: Locations;
  movers: Movers | null;
  futures: Futures | null;
}

/** A node's run (scheduler snapshot) and the state hasher as it was there. */
interface NodeSnapshot {
  run: RunSnapshot;
  hasher: StateHasher;
  /** With undo (see Search.undo): where the log was, and the run state it belongs to. */
  mark: number;
  gen: number;
}

/** Random runs that teach the movers before the first pass and after each restart (see learn). */
const LEARNING_RUNS = 12;
/**
 * The same where a search has shown itself big (the default search's state caching pass): a restart
 * there throws away much more work (S1 with 2 pages and 2 migrators: 10,137 runs, for a new page's
 * mapping that 12 runs never saw touched), while 60 learning runs cost a few milliseconds.
 */
const LEARNING_RUNS_BIG = 60;
const LEARNING_SEED = 0x5eed;
const LEARNING_CHANGES = 3;
const LEARNING_DEPTH = 120;
/**
 * After a pass a future invalidated (futures.ts): random runs through the search's own events, each
 * choice uniform, that teach the futures the rare turns (a fault on the last page meeting its migration
 * entry) before the next pass relies on them; doubled after each such pass, up to WALKS_MAX. A walk
 * costs one run, a restart a pass (S1 with 4 pages and 4 migrators: one restart came after 85,000 runs).
 */
const WALKS = 256;
const WALKS_MAX = 2048;
/**
 * Walks once a pass has shown the search big (ExhaustiveOptions.walksAfter, default 4096 runs). S1 with 4
 * pages and 4 migrators on 2.6.36: the walks in its first pass find the future that invalidates it (a
 * walk reads a page's mapping) at run 4,096, and those in its second teach what used to invalidate that
 * one at run 29,913 (a fault writing a freed page's flag): one restart instead of two, 10% fewer
 * transitions. 256 walks do it (128 do not: two restarts); 1,024 cost 3 s more (a walk is a whole run
 * from the initial state, about 3.5 ms there).
 */
const WALKS_BIG = 256;
const WALKS_AFTER = 4096;
/**
 * Passes a future may invalidate before the search gives persistent sets up (and explores every thread
 * not asleep, which relies on no future): where thread states keep turning up new futures (S5 with
 * counted migration ptes: each pass met a new avc), each restart would cost a pass for nothing.
 */
const FUTURE_RESTARTS = 5;

const NO_SLEEP: Map<string, Footprint> = new Map();
/** An event's locations before its first step (never added to: the first step's sets replace it). */
const NO_LOCS: Set<number> = new Set();
/** The stored sleep set of a state that every thread was explored from (most of them): one shared array. */
const EMPTY: readonly string[] = Object.freeze([]);
/** Can one of these events conflict with what a thread may do from entry e? */
function touchesAny(fu: Futures, members: readonly Footprint[], e: Entry): boolean {
  for (let i = 0; i < members.length; i++) if (fu.touches(members[i] as Footprint, e)) return true;
  return false;
}

/** The threads of list asleep in sleep (EMPTY for none). */
function inSleep(list: readonly string[], sleep: ReadonlyMap<string, Footprint>): readonly string[] {
  let out: string[] | null = null;
  for (let i = 0; i < list.length; i++) if (sleep.has(list[i] as string)) (out ??= []).push(list[i] as string);
  return out ?? EMPTY;
}

function orEmpty(a: string[]): readonly string[] {
  return a.length === 0 ? EMPTY : a;
}

/** Are the threads compiled kernel paths (machines), whose position and variables are data? */
export function copyable(p: Prepared): boolean {
  const now = (): number => 0;
  return p.threads.every((t) => t.body({ s: p.initial, policy: p.policy, opts: p.opts, tid: t.name, now }) instanceof Machine);
}

export class Search {
  private readonly mode: "dpor" | "states" | "brute";
  private readonly sleepSets: boolean;
  private readonly locs: Locations;
  private readonly names: string[];
  private readonly index: Map<string, number>;
  private readonly baseHash: StateHasher;
  private readonly violationsLoc: number;
  private readonly threadUnits: number[];
  private readonly frames: Frame[] = [];
  private readonly states = new KeyTable<never>(false);
  /** states mode: key -> the sleep set it was explored with (thread names), or when bounded the visits no other dominates ([preemptions, steps, ...]). */
  private readonly visited = new KeyTable<readonly string[] | number[]>();
  private readonly outcomes = new Map<string, Outcome>();
  /** Lock id -> location id -> whether it is a field of that lock (closure's blocked threads). */
  private readonly lockFields = new Map<string, Map<number, boolean>>();
  /** Location id -> the lock id it is the owner/readers field of (null: not a lock field). */
  private readonly lockLoc: (string | null | undefined)[] = [];
  /** DPOR: the current run's events indexed by location, for the race analysis after each run. */
  private readonly races = new Races();
  private readonly endStates = new Set<number>();
  private readonly failing: (v: Verdict) => boolean;
  private readonly progress: Progress;
  private transitions = 0;
  private schedules = 0;
  /** Steps per run; lowered after each failure when looking for the shortest (ExhaustiveOptions.shortest). */
  private maxSteps: number;
  private readonly shortest: boolean;
  private steps = 0;
  private readonly cuts = new Set<Bound>();
  private failure: ExhaustiveResult["failure"];
  /** Transactions (DPOR only): which steps are movers, learned and checked as the search goes. */
  private readonly movers: Movers | null;
  /** What each thread may still do (futures.ts): learned always with the movers, used by states mode. */
  private readonly futures: Futures | null;
  private persistentSets: boolean;
  private futureRestarts = 0;
  /** Random walks (see WALKS): the random source while one runs, else null; and how many to run next. */
  private walk: (() => number) | null = null;
  private walks = WALKS;
  /** Runs into a pass before the walks of a big search (ExhaustiveOptions.walksAfter), once per pass. */
  private readonly walksAfter: number;
  private walkedBig = false;
  /** this.schedules when the current pass started. */
  private passStart = 0;
  /** Restarts an earlier pass made with the same movers. */
  private readonly restartsBefore: number;
  /** Learning runs before a pass (LEARNING_RUNS, or LEARNING_RUNS_BIG after an earlier pass). */
  private readonly learnRuns: number;
  private readonly learnRand = mulberry32(LEARNING_SEED);
  /** Nodes between snapshots (0: none; set to 0 when a thread cannot be copied). */
  private snapEvery: number;
  /** ctx.step of the first choice (the prefix's length), once known. */
  private base = -1;
  /**
   * states mode: threads are compiled kernel paths, so a node's key is the machine state plus each
   * thread's position and live variables (sim/resumable.ts: hashThread), not the hash of all it read.
   */
  private readonly precise: boolean;
  /** Threads are compiled kernel paths: futures are learned per thread state (DPOR passes too). */
  private readonly keyed: boolean;
  /**
   * states mode: snapshots share the run's state, and going back to one undoes the writes since
   * (sim/undo.ts) instead of copying the state at every node with other branches and again at each
   * resume. `gen` counts the runs started afresh (a new state: older snapshots are of no use).
   */
  private readonly undoing: boolean;
  private undo = new UndoLog();
  private gen = 0;
  private rec: Recorder | null = null;

  constructor(
    private readonly p: Prepared,
    private readonly o: ExhaustiveOptions,
    progress?: Progress,
    /** Schedules run by an earlier pass of the same search (progress counts on from there). */
    private readonly before = 0,
    /** This pass ends the search (it closes the progress report). */
    private readonly last = true,
    /** What an earlier pass on the same scenario learned (its locations and movers). */
    learned?: Learned,
  ) {
    this.locs = learned?.locs ?? new Locations();
    const bounded = o.preemptions !== undefined;
    this.mode = o.reduction === false ? "brute" : bounded || o.reduction === "auto" ? "states" : (o.reduction ?? "dpor");
    this.sleepSets = this.mode !== "brute" && !bounded;
    this.names = p.threads.map((t) => t.name);
    this.index = new Map(this.names.map((n, i) => [n, i]));
    this.baseHash = new StateHasher(this.locs).init(p.initial);
    this.violationsLoc = this.locs.root.loc("violations");
    this.threadUnits = this.names.map((n) => this.locs.unit(["threads", n]));
    this.failing = o.isFailure ?? isFailure;
    this.maxSteps = o.maxSteps ?? 5000;
    this.shortest = o.shortest === true;
    if (this.shortest && !bounded) throw new UsageError("shortest needs a preemption bound (the search that keeps step counts)");
    this.snapEvery = o.snapshots ?? 4;
    if (!Number.isInteger(this.snapEvery) || this.snapEvery < 0) throw new UsageError(`snapshots must be a non-negative integer, got ${o.snapshots}`);
    this.progress = progress ?? new Progress(o);
    this.keyed = this.mode !== "brute" && o.preciseKeys !== false && copyable(p);
    this.precise = this.mode === "states" && this.keyed;
    this.undoing = this.precise && o.undo !== false;
    this.movers =
      (this.mode === "dpor" || (this.precise && !bounded)) && o.transactions !== false
        ? (learned?.movers ?? new Movers((l) => this.lockIdOf(l), this.locs.unitOf, (l) => this.locs.names[l] as string))
        : null;
    const mv = this.movers;
    this.futures = mv === null ? null : (learned?.futures ?? new Futures(this.names, (why) => mv.invalidate(why), (l) => this.locs.names[l] as string));
    this.persistentSets = this.futures !== null && this.mode === "states" && this.precise && !bounded && o.persistent !== false;
    this.restartsBefore = this.movers?.restarts ?? 0;
    this.learnRuns = learned ? LEARNING_RUNS_BIG : LEARNING_RUNS;
    this.walksAfter = o.walksAfter ?? WALKS_AFTER;
    if (!Number.isInteger(this.walksAfter) || this.walksAfter < 0) throw new UsageError(`walksAfter must be a non-negative integer, got ${o.walksAfter}`);
    if (o.seed !== undefined && o.seed !== "smallest" && o.seed !== "order") throw new UsageError(`seed must be "smallest" or "order", got ${JSON.stringify(o.seed)}`);
    if (bounded && (!Number.isInteger(o.preemptions) || (o.preemptions as number) < 0)) {
      throw new UsageError(`preemption bound must be a non-negative integer, got ${o.preemptions}`);
    }
  }

  run(): ExhaustiveResult {
    const t0 = Date.now();
    let replayTo = -1; // -1: the first run, nothing to replay
    if (this.movers) this.learn(this.movers, this.learnRuns);
    this.movers?.newPass();
    this.futures?.newPass();
    for (;;) {
      if (this.o.maxSchedules !== undefined && this.schedules >= this.o.maxSchedules) {
        this.cuts.add("schedules");
        break;
      }
      if (this.o.maxMs !== undefined && Date.now() - t0 >= this.o.maxMs) {
        this.cuts.add("time");
        break;
      }
      this.execute(replayTo);
      if (this.failure && this.stopsAtFirst()) break; // a failing run is a real run, whatever the pass relied on
      this.progress.tick(this.before + this.schedules, this.states.size);
      let walked = false;
      if (this.persistentSets && !this.walkedBig && this.walksAfter > 0 && this.schedules - this.passStart >= this.walksAfter) {
        this.walkedBig = true;
        this.runWalks(WALKS_BIG);
        walked = true;
      }
      if (this.movers?.invalid) {
        this.restart(walked);
        replayTo = -1;
        continue;
      }
      replayTo = this.backtrack();
      if (replayTo < 0) {
        const why = this.persistentSets ? (this.futures as Futures).unsettled() : null;
        if (why === null) break;
        (this.movers as Movers).invalidate(why);
        this.restart();
        replayTo = -1;
      }
    }
    if (this.last) this.progress.done(this.before + this.schedules, this.states.size);
    const stoppedEarly = this.failure !== undefined && this.stopsAtFirst();
    const res: ExhaustiveResult = {
      states: this.states.size,
      transitions: this.transitions,
      schedules: this.schedules,
      steps: this.steps,
      exhausted: this.cuts.size === 0 && !stoppedEarly,
      cuts: [...this.cuts],
      outcomes: [...this.outcomes.values()],
      restarts: (this.movers?.restarts ?? 0) - this.restartsBefore,
      reduction: this.mode,
      elapsedMs: Date.now() - t0,
    };
    if (this.failure) res.failure = this.failure;
    const first = this.cuts.values().next();
    if (!first.done) res.cutBy = first.value;
    if (this.o.collectEndStates) res.endStates = [...this.endStates].sort((a, b) => a - b);
    return res;
  }

  /**
   * One run: replay frames[0..replayTo) (with recording off: their footprints are known from the run that
   * made them), take frames[replayTo].chosen, then explore new nodes.
   */
  private execute(replayTo: number): void {
    // The deepest node up to the branch point with a snapshot: the run goes on from there.
    let from = -1;
    if (this.snapEvery > 0) for (let j = replayTo; j >= 0 && from < 0; j--) if ((this.frames[j] as Frame).snap !== null) from = j;
    const resume = from >= 0 ? ((this.frames[from] as Frame).snap as NodeSnapshot) : null;
    // Undo: a walk runs on a state of its own; any other run goes on the run state the snapshots share.
    const undoing = this.undoing && this.walk === null;
    if (undoing) {
      if (resume !== null) {
        if (resume.gen !== this.gen) throw new Error("explorer: a snapshot of an earlier run state");
        this.undo.rollback(resume.mark);
      } else {
        // A new run state (its log starts at the first choice): the snapshots of the old one are of no
        // use (replayed nodes take new ones).
        this.gen++;
        for (const f of this.frames) f.snap = null;
        this.rec = null;
      }
    }
    // With undo the run state lives on, and so do the views of it the recorder made.
    let rec: Recorder;
    if (undoing && this.rec !== null) {
      rec = this.rec;
      rec.newRun();
    } else {
      rec = new Recorder(this.locs);
      if (undoing) {
        rec.undo = this.undo;
        this.rec = rec;
      }
    }
    // states mode: the last branch from a node uses its snapshot as it is (nothing else will).
    const inPlace = resume !== null && this.mode === "states" && from === replayTo && (this.frames[from] as Frame).todo.length === 0;
    if (inPlace) (this.frames[from] as Frame).snap = null;
    const hasher = inPlace ? (resume as NodeSnapshot).hasher : new StateHasher(this.locs, resume ? resume.hasher : this.baseHash);
    const values = this.mode === "states" && !this.precise;
    // Brute force needs no footprints: it runs on the plain state and hashes whole states.
    const brute = this.mode === "brute" && this.o.checkFootprints !== true;
    const mv = this.movers;
    const check = this.o.checkFootprints === true;
    let fps = resume ? (this.frames[from] as Frame).fps.slice() : this.names.map(() => 0);
    let base = resume ? this.base : -1; // ctx.step of the first choice (the prefix length)
    let at = 0; // ctx.step of the latest choice
    let before: Map<string, string> | null = null;
    // The event in progress: node d's, run by `cur`, `len` steps so far.
    let d = resume ? from - 1 : -1;
    let cur: string | null = null;
    let ti = 0;
    let len = 0;
    let pre = true; // transaction phase: every step so far a right mover
    let predicted = false; // the running step joined the event as a predicted left mover
    let label = "";
    let waited: string | null = null; // the lock the running step waited for
    let start: Held | null = null; // cur's locks before the running step
    let evReads = NO_LOCS;
    let evWrites = NO_LOCS;
    // Locations some step of the event added to, and those some step wrote or read otherwise (Footprint.adds).
    let evAdds: Set<number> | null = null;
    let evOther: Set<number> | null = null;
    let cls: StepClass | null = null;
    const fu = this.futures;
    let lastEntry: [Entry, Entry] | null = null; // the entries of the event that just closed (futures), until linked
    let lastTi = 0;
    let evKey = 0; // the running event's thread state key (futures)
    let tkeys: number[] | null = null; // the new node's thread state keys (futures)
    let tlabels: string[] = [];
    let twaits: (string | null)[] = [];

    // The step `cur` just ran, as part of node d's event.
    const stepDone = (state: State): void => {
      hasher.touch([this.threadUnits[ti] as number]);
      len++;
      if (d < replayTo) return; // replayed: its writes are folded in when the event closes
      const { footprint, valueHash, born } = rec.take();
      hasher.wrote(footprint.writes);
      fps[ti] = values ? mix(fps[ti] as number, valueHash) : (fps[ti] as number) + 1;
      const ad = footprint.adds;
      if (ad !== undefined || evAdds !== null) {
        if (evOther === null) evOther = new Set([...evReads, ...evWrites]); // the steps before the first add
        for (const l of footprint.reads) evOther.add(l);
        for (const l of footprint.writes) if (ad === undefined || !ad.has(l)) evOther.add(l);
        if (ad !== undefined) for (const l of ad) (evAdds ??= new Set()).add(l);
      }
      if (evReads === NO_LOCS) {
        // The event's first step (most events have one): its sets are the event's, fresh from take().
        evReads = footprint.reads as Set<number>;
        evWrites = footprint.writes as Set<number>;
      } else {
        for (const l of footprint.reads) evReads.add(l);
        for (const l of footprint.writes) evWrites.add(l);
      }
      if (check && before) this.checkWrites(before, state, footprint, cur as string);
      if (mv === null || start === null) return;
      cls = mv.step(ti, cur as string, label, footprint, born, start, mv.held(state, cur as string), waited);
      if (predicted) {
        if (cls.left) mv.rely(cls, "left");
        else mv.invalidate(`${cur}: "${label}" was predicted to be a left mover and is not`);
      }
      if (!cls.right) pre = false;
    };
    // Node d's event is over: its footprint is what it did overall.
    const closeEvent = (state: State): void => {
      const f = this.frames[d] as Frame;
      if (d < replayTo) {
        hasher.wrote((f.fp as Footprint).writes);
        return;
      }
      const reads = evReads === NO_LOCS ? new Set<number>() : evReads;
      const writes = evWrites === NO_LOCS ? new Set<number>() : evWrites;
      let adds: Set<number> | null = null;
      if (evAdds !== null) for (const l of evAdds) if (!(evOther as Set<number>).has(l)) (adds ??= new Set()).add(l);
      for (const l of rec.unchanged()) {
        // Added to and back where it was: the event neither read nor wrote it.
        if (adds !== null && adds.delete(l)) writes.delete(l);
        else if (writes.delete(l)) reads.add(l);
      }
      f.fp = adds !== null && adds.size > 0 ? { reads, writes, adds } : { reads, writes };
      f.len = len;
      if (fu !== null && this.keyed) {
        lastEntry = fu.event(ti, evKey, f.label, f.fp);
        lastTi = ti;
      }
      if (this.mode === "dpor") f.locks = this.lockEffects(f.fp, state, f.chosen);
    };
    // The chooser is lean (ignoresNext): a thread's next step comes from ctx.pending, with no record per step.
    const nextOf = (ctx: ChoiceContext, t: string): Step | null | undefined => (ctx.pending as () => readonly (Step | null)[])()[this.index.get(t) as number];
    const beginStep = (ctx: ChoiceContext, t: string): void => {
      const next = nextOf(ctx, t);
      label = next?.label ?? "";
      waited = waitLock(next?.wait);
      if (d < replayTo) return;
      if (waited !== null) (this.frames[d] as Frame).waits.push(waited);
      rec.mode = values ? "values" : "footprint";
      rec.noteWait(next?.wait);
      // Going on with the same thread: its locks are the ones the last step ended with.
      start = mv === null ? null : cls !== null && t === cur ? cls.end : mv.held(ctx.state as State, t);
      if (check) before = flatten(ctx.state as State);
    };
    // Does node d's event go on with cur's next step?
    const goesOn = (ctx: ChoiceContext): boolean => {
      const f = this.frames[d] as Frame;
      if (d < replayTo) {
        if (len >= f.len) return false;
        if (!ctx.runnable.includes(cur as string)) throw new Error(`explorer: replay diverged at step ${ctx.step}: ${cur} cannot run inside an event`);
        return true;
      }
      predicted = false;
      if (mv === null || cls === null || !ctx.runnable.includes(cur as string)) return false;
      if (pre) {
        mv.rely(cls, "right");
        return true;
      }
      predicted = mv.predictLeft(cur as string, nextOf(ctx, cur as string)?.label ?? "");
      return predicted;
    };
    const openEvent = (ctx: ChoiceContext): string => {
      let t: string;
      if (d <= replayTo) {
        const f = this.frames[d] as Frame;
        t = f.chosen;
        if (!ctx.runnable.includes(t)) throw new Error(`explorer: replay diverged at step ${ctx.step}: ${t} cannot run (runnable ${ctx.runnable.join(", ")})`);
        if (d < replayTo && undoing && f.snap === null && f.todo.length > 0 && this.snapEvery > 0) {
          hasher.digest(ctx.state as State);
          snapshotAt(ctx, f);
        }
        if (d === replayTo) {
          this.transitions++;
          fps = f.fps.slice();
          if (fu !== null && this.keyed) evKey = threadKeys(ctx)[this.index.get(t) as number] as number;
          if (f.snap === null && this.snapEvery > 0 && (this.mode !== "states" || f.todo.length > 0)) {
            hasher.digest(ctx.state as State); // a snapshot's hasher has nothing pending
            snapshotAt(ctx, f);
          }
        }
      } else {
        const h = brute ? hashState(ctx.state as State) : hasher.digest(ctx.state as State);
        if (check && h !== hashState(ctx.state as State)) throw new Error(`explorer: incremental state hash differs from a full one at step ${ctx.step}`);
        const keys = this.precise ? threadKeys(ctx) : fps;
        // The last thread matters only while it can run (a switch away from it is a preemption).
        const key = this.key(h, keys, ctx.last !== null && ctx.runnable.includes(ctx.last) ? ctx.last : null);
        // Futures: the thread states here (the run's array: read during this call only).
        let tk: readonly number[] | null = null;
        if (fu !== null && this.keyed) {
          tk = this.precise ? keys : threadKeys(ctx);
          if (lastEntry !== null && (tk[lastTi] as number) !== 0) fu.link(lastTi, lastEntry, tk[lastTi] as number, (ctx.pending as () => readonly (Step | null)[])()[lastTi]?.label ?? "");
          // Only a node that may be a persistent set keeps them (see closure).
          if (this.persistentSets && this.walk === null) {
            tkeys = tk.slice();
            tlabels = this.labelsAt(ctx);
            twaits = this.waitsAt(ctx);
          }
        }
        lastEntry = null;
        if (this.walk === null) this.states.add(key);
        const f = this.walk === null ? this.newFrame(d, ctx, key, fps, tkeys, tlabels, twaits) : this.walkFrame(d, ctx, key);
        if (f === null) return STOP_RUN;
        t = f.chosen;
        if (tk !== null) evKey = tk[this.index.get(t) as number] as number;
        if (this.walk === null) this.transitions++;
        // states mode knows a node's other branches now: a snapshot where there are some. DPOR adds
        // branches after the run (race analysis): a snapshot every snapEvery nodes.
        if (this.snapEvery > 0 && (this.mode === "states" ? f.todo.length > 0 && !f.alone : d % this.snapEvery === 0)) snapshotAt(ctx, f);
      }
      cur = t;
      ti = this.index.get(t) as number;
      len = 0;
      pre = true;
      predicted = false;
      cls = null;
      rec.mode = "off";
      if (d >= replayTo) {
        const f = this.frames[d] as Frame;
        f.label = nextOf(ctx, t)?.label ?? "";
        f.waits = [];
        evReads = NO_LOCS;
        evWrites = NO_LOCS;
        evAdds = null;
        evOther = null;
        rec.eventStart();
      }
      beginStep(ctx, t);
      return t;
    };
    // Thread hashes and snapshots read the machines' frames, which may hold an object a step fetched
    // through the view and no longer reads (liveness is conservative): that is not the next step's read.
    const unrecorded = <T>(f: () => T): T => {
      const mode = rec.mode;
      rec.mode = "off";
      try {
        return f();
      } finally {
        rec.mode = mode;
      }
    };
    const threadKeys = (ctx: ChoiceContext): readonly number[] => unrecorded(ctx.threadHashes as () => readonly number[]);
    const snapshotAt = (ctx: ChoiceContext, f: Frame): void => {
      const take = ctx.snapshot;
      if (take === undefined) return;
      try {
        f.snap = { run: unrecorded(take), hasher: new StateHasher(this.locs, hasher), mark: this.undo.mark, gen: this.gen };
      } catch (e) {
        if (!(e instanceof NotCopyable)) throw e;
        this.snapEvery = 0; // a thread is a native generator: replay
      }
    };
    const chooser = ignoresNext((ctx: ChoiceContext): string => {
      if (base < 0) {
        base = ctx.step;
        this.base = base;
        if (undoing) this.undo.forget(); // the set-up: never gone back to
        hasher.wrote(rec.take().footprint.writes); // the prefix (and the code before each thread's first step)
        hasher.touch(this.threadUnits); // made by the scheduler at the start of the run
      }
      at = ctx.step;
      if (cur !== null) {
        stepDone(ctx.state as State);
        if (goesOn(ctx)) {
          beginStep(ctx, cur);
          replaying = d < replayTo;
          return cur;
        }
        closeEvent(ctx.state as State);
      }
      d++;
      const t = openEvent(ctx);
      replaying = d < replayTo;
      return t;
    });
    // Replayed steps run on the state itself: their footprints are known, and a Proxy costs about ten
    // times a plain access. Kernel paths fetch every object in the step that uses it (scheduler.ts:
    // RunOptions.view), so no object reached outside the recording view is used in a recorded step.
    let replaying = false;
    rec.revoking = check;
    this.frames.length = Math.max(0, replayTo + 1);
    let r: RunResult | null = null;
    try {
      const opts: RunOptions = { chooser, maxSteps: this.maxSteps, strict: true };
      // With undo, replayed steps go through the view too: their writes must be noted.
      if (!brute) opts.view = (st) => (replaying && !undoing ? st : rec.view(st));
      if (undoing) opts.shareState = true;
      if (resume) {
        opts.resume = resume.run;
        r = runThreadsOn(inPlace || undoing ? resume.run.state : clonePlain(resume.run.state), this.p.policy, this.p.opts, this.p.threads, opts, false);
      } else r = runOnce(this.p, this.o.prefix !== undefined ? { ...opts, schedule: this.o.prefix } : opts);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${e.message} (exploring ${this.p.spec.id} on ${this.p.policy.version})`);
      throw e;
    }
    if (r !== null && r.stopped === true) r = null;
    if (this.walk !== null) {
      if (r && cur !== null && r.steps > base) {
        stepDone(r.state);
        closeEvent(r.state);
      }
      return;
    }
    this.schedules++;
    this.steps += (r ? r.steps : at) - (resume ? resume.run.steps : 0);
    if (r) {
      if (cur !== null && r.steps > base) {
        stepDone(r.state);
        closeEvent(r.state);
        const f = this.frames[d] as Frame;
        if (d >= replayTo && r.violations.some((v) => v.fatal && v.invariant !== "deadlock")) f.fp = { ...(f.fp as Footprint), halts: true };
      }
      hasher.touch(this.threadUnits);
      hasher.wroteOne(this.violationsLoc); // the end-of-run checks append violations
      this.states.add(this.key(brute ? hashState(r.state) : hasher.digest(r.state), fps, null));
      this.record(r);
    }
    this.o.onRun?.(this.frames.map((f) => f.chosen), r ? r.verdict : null);
    if (this.mode === "dpor") this.races.analyse(this.frames, Math.max(0, replayTo), this.names.length);
  }

  /** A node's key: machine state + per-thread fingerprints (+ the last thread when preemption-bounded). */
  private key(stateHash: number, fps: readonly number[], last: string | null): number {
    const h = combine(stateHash, fps);
    if (this.o.preemptions === undefined) return h;
    return combine(h, [last === null ? -1 : (this.index.get(last) as number)]);
  }

  /** Make the node at depth d; null when the run should stop here (visited, or sleep-set blocked). */
  private newFrame(d: number, ctx: ChoiceContext, key: number, fps: readonly number[], tkeys: number[] | null, tlabels: string[], twaits: (string | null)[]): Frame | null {
    const parent = d > 0 ? (this.frames[d - 1] as Frame) : null;
    const unbounded = this.mode === "states" && this.o.preemptions === undefined;
    const seen = this.mode === "states" ? this.visited.get(key) : undefined;
    if (unbounded && seen !== undefined && seen.length === 0) {
      // Visited, and that visit covered every thread (the most common end of a run): no sleep set needed.
      if (this.persistentSets) this.markCycle(d, key);
      return null;
    }
    let sleep = NO_SLEEP; // most nodes' sleep set is empty: one shared map, never added to
    if (this.sleepSets && parent && parent.fp) {
      const fp = parent.fp;
      for (let i = 0; i < 2; i++) {
        const src = i === 0 ? parent.sleep : parent.done;
        if (src.size === 0) continue;
        for (const [u, fu] of src) {
          if (u === parent.chosen || dependent(fu, fp)) continue;
          if (sleep === NO_SLEEP) sleep = new Map();
          sleep.set(u, fu);
        }
      }
    }
    const last = ctx.last;
    const preemptions = parent ? parent.preemptions + this.cost(parent.last, parent.chosen, parent.runnable) : 0;
    let only: string[] | null = null; // a revisit: the threads still to explore from this state
    if (this.mode === "states") {
      if (!unbounded) {
        // Bounded: prune if an earlier visit had no more preemptions and no more steps behind it (its
        // subtree had at least this one's budget). Kept per key: the visits no other one dominates.
        const front = seen as number[] | undefined;
        if (front !== undefined) {
          for (let i = 0; i < front.length; i += 2) if ((front[i] as number) <= preemptions && (front[i + 1] as number) <= ctx.step) return null;
          const kept: number[] = [];
          for (let i = 0; i < front.length; i += 2) {
            if (!(preemptions <= (front[i] as number) && ctx.step <= (front[i + 1] as number))) kept.push(front[i] as number, front[i + 1] as number);
          }
          kept.push(preemptions, ctx.step);
          this.visited.set(key, kept);
        } else this.visited.set(key, [preemptions, ctx.step]);
      } else {
        if (seen !== undefined) {
          // A cycle back onto the stack: the nodes on it explore every thread (the stack proviso: no
          // thread is ignored forever around the cycle).
          if (this.persistentSets) this.markCycle(d, key);
          only = this.revisit(key, seen as string[], sleep);
          if (only === null) return null;
        } else this.visited.set(key, inSleep(ctx.runnable, sleep));
      }
    }
    // Prefer the last thread (fewest preemptions first), then declaration order. (Loops, not closures:
    // a closure over sleep or only would make every call allocate their context.)
    const lastFirst = last !== null && ctx.runnable.includes(last);
    let todo: string[] = [];
    if (lastFirst && !sleep.has(last) && (only === null || only.includes(last))) todo.push(last);
    for (let i = 0; i < ctx.runnable.length; i++) {
      const t = ctx.runnable[i] as string;
      if ((!lastFirst || t !== last) && !sleep.has(t) && (only === null || only.includes(t))) todo.push(t);
    }
    // A thread whose next event looked private before first: alone, it may be a persistent set.
    const keys = this.persistentSets && only === null && todo.length > 1 ? tkeys : null;
    let alone = false;
    if (keys !== null) {
      const entries = this.entriesAt(keys, tlabels);
      let i = -1;
      for (let j = 0; j < todo.length && i < 0; j++) if (this.looksPrivate(this.index.get(todo[j] as string) as number, keys, entries)) i = j;
      if (i > 0) todo.unshift(...todo.splice(i, 1));
      alone = i >= 0;
      if (!alone && this.o.seed !== "order") {
        const j = this.smallestSeed(todo, keys, entries, ctx.runnable, sleep);
        if (j > 0) todo.unshift(...todo.splice(j, 1));
      }
    }
    if (this.o.preemptions !== undefined) todo = this.withinBound(todo, preemptions, last, ctx.runnable);
    if (todo.length === 0) return null;
    if (this.mode === "dpor") todo = [todo[0] as string];
    const chosen = todo.shift() as string;
    const f: Frame = { runnable: [...ctx.runnable], chosen, fp: null, sleep, done: new Map(), todo, preemptions, last, label: "", waits: [], locks: null, fps: fps.slice(), hb: null, len: 0, snap: null, key, tkeys: keys, tlabels, twaits, cyclic: false, alone };
    this.frames[d] = f;
    return f;
  }

  /** The threads of todo whose step keeps within the preemption bound (a cut when one does not). */
  private withinBound(todo: string[], preemptions: number, last: string | null, runnable: readonly string[]): string[] {
    const ok = todo.filter((t) => preemptions + this.cost(last, t, runnable) <= (this.o.preemptions as number));
    if (ok.length < todo.length) this.cuts.add("preemptions");
    return ok;
  }

  /**
   * A node visited before (states mode, unbounded): the earlier visit explored (or will) every thread but
   * the ones stored (`uncovered`), so only those this visit would explore are new here (Godefroid, LNCS
   * 1032, 1996, state caching with sleep sets), and the others stay asleep only if the earlier visit did
   * not explore them. The threads to explore, or null for none.
   */
  private revisit(key: number, uncovered: readonly string[], sleep: Map<string, Footprint>): string[] | null {
    const only = uncovered.filter((u) => !sleep.has(u));
    if (only.length === 0) return null;
    for (const u of [...sleep.keys()]) if (!uncovered.includes(u)) sleep.delete(u);
    this.visited.set(key, orEmpty(uncovered.filter((u) => !only.includes(u))));
    return only;
  }

  /** A walk's node: a runnable thread chosen uniformly (see WALKS). */
  private walkFrame(d: number, ctx: ChoiceContext, key: number): Frame {
    const r = ctx.runnable;
    const chosen = r[below(this.walk as () => number, r.length)] as string;
    const f: Frame = { runnable: [...r], chosen, fp: null, sleep: NO_SLEEP, done: new Map(), todo: [], preemptions: 0, last: ctx.last, label: "", waits: [], locks: null, fps: [], hb: null, len: 0, snap: null, key, tkeys: null, tlabels: [], twaits: [], cyclic: false, alone: false };
    this.frames[d] = f;
    return f;
  }

  /** Random walks that only teach the movers and the futures (see WALKS). */
  private runWalks(n: number): void {
    const stack = this.frames.splice(0);
    this.walk = this.learnRand;
    try {
      for (let i = 0; i < n; i++) this.execute(-1);
    } finally {
      this.walk = null;
      this.frames.length = 0;
      this.frames.push(...stack);
    }
  }

  /** Each thread's next step's label here ("" when finished). */
  private labelsAt(ctx: ChoiceContext): string[] {
    const pend = (ctx.pending as () => readonly (Step | null)[])();
    return this.names.map((_, i) => pend[i]?.label ?? "");
  }

  /** The lock each thread's next step waits for here (null: none, or finished). */
  private waitsAt(ctx: ChoiceContext): (string | null)[] {
    const pend = (ctx.pending as () => readonly (Step | null)[])();
    return this.names.map((_, i) => waitLock(pend[i]?.wait));
  }

  /**
   * The threads outside the set (but v) whose futures can change lock `lock` (a store or an add to its
   * fields): the ones that could let v, blocked on it, run. null when one's future is unknown.
   */
  private lockWriters(lock: string, v: number, keys: readonly number[], entries: readonly (Entry | undefined)[], inSet: ReadonlySet<string>): number[] | null {
    const out: number[] = [];
    for (let u = 0; u < keys.length; u++) {
      if (u === v || keys[u] === 0 || inSet.has(this.names[u] as string)) continue;
      const e = entries[u];
      if (e === undefined) return null;
      if (this.writesLock(e.writes, lock) || this.writesLock(e.adds, lock)) out.push(u);
    }
    return out;
  }

  /** Is one of these locations a field of lock `lock` (locks.<id> or below)? */
  private writesLock(locs: ReadonlySet<number>, lock: string): boolean {
    let known = this.lockFields.get(lock);
    if (known === undefined) this.lockFields.set(lock, (known = new Map()));
    const prefix = `locks.${lock}`;
    for (const l of locs) {
      let is = known.get(l);
      if (is === undefined) {
        const name = this.locs.names[l] as string;
        is = name === prefix || name.startsWith(`${prefix}.`);
        known.set(l, is);
      }
      if (is) return true;
    }
    return false;
  }

  /**
   * A hint only, like looksPrivate: the thread in todo whose next event (as seen so far) pulls in the
   * fewest others when the set is closed from it (closure's rule on the events seen so far), so that the
   * set closure finds from the first event explored is small; -1 when no closure is known to be smaller
   * than exploring every thread.
   */
  private smallestSeed(todo: readonly string[], keys: readonly number[], entries: readonly (Entry | undefined)[], runnable: readonly string[], sleep: ReadonlyMap<string, Footprint>): number {
    const fu = this.futures as Futures;
    const n = keys.length;
    let best = -1;
    let bestSize = Infinity;
    for (let i = 0; i < todo.length; i++) {
      const seed = this.index.get(todo[i] as string) as number;
      if (entries[seed] === undefined) continue;
      const inSet = new Array<boolean>(n).fill(false);
      inSet[seed] = true;
      const members = [seed];
      let size = 1;
      for (let m = 0; m < members.length && size < bestSize; m++) {
        const me = entries[members[m] as number] as Entry;
        for (let v = 0; v < n; v++) {
          if (inSet[v] || keys[v] === 0) continue;
          const e = entries[v];
          if (e !== undefined && !fu.nextMeets(me, e)) continue;
          const name = this.names[v] as string;
          if (e === undefined || (!runnable.includes(name) && !sleep.has(name))) {
            size = Infinity; // an unknown future or a blocked thread: closure would explore everything
            break;
          }
          inSet[v] = true;
          members.push(v);
          if (!sleep.has(name)) size++; // an asleep member is not explored
        }
      }
      if (size < bestSize) {
        bestSize = size;
        best = i;
      }
    }
    return best;
  }

  /** A hint only (what the search relies on is checked in closure): t's next event as seen so far is private. */
  private looksPrivate(ti: number, keys: readonly number[], entries: readonly (Entry | undefined)[]): boolean {
    const fu = this.futures as Futures;
    const mine = entries[ti];
    if (mine === undefined) return false;
    for (let v = 0; v < keys.length; v++) {
      if (v === ti || keys[v] === 0) continue;
      const e = entries[v];
      if (e === undefined || fu.nextMeets(mine, e)) return false;
    }
    return true;
  }

  /** Each thread's learned future at a node (futures.ts: find), undefined where finished or unknown. */
  private entriesAt(keys: readonly number[], labels: readonly string[]): (Entry | undefined)[] {
    const fu = this.futures as Futures;
    return keys.map((k, v) => (k === 0 ? undefined : fu.find(v, k, labels[v] as string)));
  }

  /**
   * Node f's explored events (f.done) so far: which threads must still be explored for the explored ones
   * and the asleep ones pulled in to be a persistent set here (Godefroid 1996, def. 4.1, with the set
   * closed as stubborn sets are, Valmari 1991): a thread is pulled in when its future (futures.ts) can
   * touch what a member's next event touched. [] when the set is closed (the rest is covered, and the
   * futures it left out are relied upon); null when it cannot be closed (a blocked thread or an unknown
   * future is pulled in, an event halted the run, the node is on a cycle) or closing it would leave no
   * runnable thread out: explore every thread.
   */
  private closure(f: Frame): { need: string[]; asleep: string[] } | null {
    if (f.cyclic) return null;
    const keys = f.tkeys as number[];
    const fu = this.futures as Futures;
    const members: Footprint[] = [];
    for (const fp of f.done.values()) {
      if (fp.halts === true) return null;
      members.push(fp);
    }
    const asleep: string[] = [];
    const need: string[] = [];
    const inSet = new Set<string>(f.done.keys());
    const entries = this.entriesAt(keys, f.tlabels);
    let grew = false;
    // Pull thread u into the set: an asleep one joins with its next event (known, and covered elsewhere
    // on this path), a runnable one is to be explored; false when it cannot be (blocked).
    const pull = (u: number): boolean => {
      const name = this.names[u] as string;
      const z = f.sleep.get(name);
      if (z !== undefined) {
        if (entries[u] === undefined || z.halts === true) return false;
        inSet.add(name);
        asleep.push(name);
        members.push(z);
        grew = true;
      } else if (f.runnable.includes(name)) {
        inSet.add(name);
        need.push(name);
      } else return false;
      return true;
    };
    for (;;) {
      grew = false;
      for (let v = 0; v < keys.length; v++) {
        const name = this.names[v] as string;
        if (keys[v] === 0 || inSet.has(name)) continue;
        const e = entries[v];
        if (e !== undefined && !touchesAny(fu, members, e)) continue;
        if (f.sleep.has(name) || f.runnable.includes(name)) {
          if (!pull(v)) return null;
          continue;
        }
        // Blocked: it could not be explored here. While only threads outside the set run, it stays
        // blocked unless one of them changes the lock it waits for, so its future does not matter;
        // those that can are pulled in (they may enable it: Valmari's necessary enabling set).
        const lock = f.twaits[v];
        if (this.o.leaveBlocked === false || lock === null || lock === undefined) return null;
        const writers = this.lockWriters(lock, v, keys, entries, inSet);
        if (writers === null) return null;
        for (const u of writers) if (!pull(u)) return null;
      }
      if (!grew || need.length > 0) break;
    }
    if (this.o.persistent === "first" && (need.length > 0 || asleep.length > 0)) return null;
    if (need.length > 0) return { need, asleep };
    // Every runnable thread is in the set: closing saves nothing, so rely on no future.
    if (f.runnable.every((t) => inSet.has(t))) return null;
    for (let v = 0; v < keys.length; v++) {
      const e = entries[v];
      if (e !== undefined && !inSet.has(this.names[v] as string)) fu.relyOn(e);
    }
    return { need, asleep };
  }

  /** A revisit of the node with this key at depth d: if it is on the stack, every node from it on is on a cycle. */
  private markCycle(d: number, key: number): void {
    let i = d - 1;
    while (i >= 0 && (this.frames[i] as Frame).key !== key) i--;
    if (i < 0) return;
    for (; i < d; i++) (this.frames[i] as Frame).cyclic = true;
  }

  private cost(last: string | null, t: string, runnable: readonly string[]): number {
    return last !== null && t !== last && runnable.includes(last) ? 1 : 0;
  }

  private record(r: RunResult): void {
    if (cutByStepBound(r, this.maxSteps)) {
      this.cuts.add("steps");
      return;
    }
    const k = outcomeKey(r.verdict);
    const o = this.outcomes.get(k);
    if (o) o.runs++;
    else this.outcomes.set(k, { verdict: r.verdict, schedule: r.schedule, runs: 1 });
    if (this.o.collectEndStates && !r.violations.some((v) => v.fatal && v.invariant !== "deadlock" && v.step >= 0)) this.endStates.add(hashState(r.state));
    if (!this.failing(r.verdict)) return;
    if (this.shortest) {
      // Every run from now on is shorter, so every failure recorded is shorter than the last (a visit
      // pruned as dominated had a longer budget: its subtree was searched under a bound at least as high).
      this.failure = { verdict: r.verdict, schedule: r.schedule, steps: r.steps };
      this.maxSteps = r.steps - 1;
    } else if (!this.failure) this.failure = { verdict: r.verdict, schedule: r.schedule, steps: r.steps };
  }

  private stopsAtFirst(): boolean {
    return !this.shortest && (this.o.stopAtFirst ?? true);
  }

  /** Pop finished nodes; return the depth of the next branch, or -1 when the search is over. */
  private backtrack(): number {
    for (let d = this.frames.length - 1; d >= 0; d--) {
      const f = this.frames[d] as Frame;
      this.races.unindex(this.frames, d);
      if (f.chosen !== "") {
        if (f.fp) f.done.set(f.chosen, f.fp);
        if (f.tkeys !== null && f.fp) {
          const c = this.closure(f);
          if (c === null) f.tkeys = null;
          else if (c.need.length === 0) {
            // A persistent set explored: nothing else to do here, now or on a revisit (but for its
            // members that were asleep on this path, which another path may not cover).
            f.todo.length = 0;
            f.tkeys = null;
            this.visited.set(f.key, orEmpty(c.asleep.filter((u) => f.runnable.includes(u))));
          } else f.todo = [...c.need, ...f.todo.filter((t) => !c.need.includes(t))];
        }
        f.chosen = "";
      }
      while (f.todo.length > 0) {
        const t = f.todo.shift() as string;
        if (f.done.has(t) || f.sleep.has(t)) continue;
        const p = this.o.preemptions;
        if (p !== undefined && f.preemptions + this.cost(f.last, t, f.runnable) > p) continue;
        f.chosen = t;
        f.hb = null;
        f.fp = null;
        this.frames.length = d + 1;
        return d;
      }
      this.frames.length = d;
    }
    return -1;
  }

  /**
   * Random runs that only teach the movers who accesses what under which locks, so that the first pass
   * rarely relies on a classification a later access contradicts (each contradiction costs a restart).
   */
  private learn(mv: Movers, runs: number): void {
    const rand = this.learnRand;
    for (let n = 0; n < runs; n++) {
      // PCT-like (random thread priorities, a few points where the running thread drops to the lowest),
      // so that short threads also run late, inside the others' critical sections.
      const prio = new Map(this.names.map((t) => [t, rand()]));
      const changes = new Set(Array.from({ length: LEARNING_CHANGES }, () => below(rand, LEARNING_DEPTH)));
      let stepNo = 0;
      const rec = new Recorder(this.locs);
      let cur: string | null = null;
      let start: Held | null = null;
      let label = "";
      let waited: string | null = null;
      const done = (state: State): void => {
        const { footprint, born } = rec.take();
        if (cur !== null && start !== null) mv.step(this.index.get(cur) as number, cur, label, footprint, born, start, mv.held(state, cur), waited);
      };
      const chooser = (ctx: ChoiceContext): string => {
        done(ctx.state as State);
        let t = ctx.runnable[0] as string;
        for (const u of ctx.runnable) if ((prio.get(u) as number) > (prio.get(t) as number)) t = u;
        if (changes.has(stepNo++)) {
          prio.set(t, -stepNo);
          for (const u of ctx.runnable) if ((prio.get(u) as number) > (prio.get(t) as number)) t = u;
        }
        const next = ctx.next[t];
        cur = t;
        label = next?.label ?? "";
        waited = waitLock(next?.wait);
        rec.noteWait(next?.wait);
        start = mv.held(ctx.state as State, t);
        return t;
      };
      const opts: RunOptions = { chooser, maxSteps: this.maxSteps, strict: true, view: (st) => rec.view(st) };
      const r = runOnce(this.p, this.o.prefix !== undefined ? { ...opts, schedule: this.o.prefix } : opts);
      done(r.state);
    }
  }

  /** Its locations and movers, for a later pass on the same scenario. */
  learned(): Learned {
    return { locs: this.locs, movers: this.movers, futures: this.futures };
  }

  /**
   * The pass relied on something that turned out false (movers.ts): search again with what it learned.
   * `walked`: walks just ran (they found it), so the restart runs none of its own (S1 4 x 4: 0.8 s).
   */
  private restart(walked = false): void {
    const mv = this.movers as Movers;
    mv.restarts++;
    // A contradiction means the learning runs missed something: learn some more (new seeds) first.
    this.learn(mv, this.learnRuns);
    const fu = this.futures;
    if (this.persistentSets && fu !== null && fu.tripped) {
      fu.tripped = false;
      if (++this.futureRestarts >= FUTURE_RESTARTS) this.persistentSets = false;
      else {
        if (!walked) this.runWalks(this.walks);
        this.walks = Math.min(WALKS_MAX, this.walks * 2);
      }
    }
    mv.newPass();
    this.futures?.newPass();
    this.passStart = this.schedules;
    this.walkedBig = false;
    this.frames.length = 0;
    this.races.clear();
    this.outcomes.clear();
    this.endStates.clear();
    this.visited.clear();
    this.cuts.delete("steps");
  }

  /** The lock whose owner or readers field location l is, or null. */
  private lockIdOf(l: number): string | null {
    let id = this.lockLoc[l];
    if (id === undefined) {
      const m = /^locks\.(.+)\.(owner|readers)$/.exec(this.locs.names[l] as string);
      id = m ? (m[1] as string) : null;
      this.lockLoc[l] = id;
    }
    return id;
  }

  /** Which locks a step took or dropped (from its writes to locks.*.owner / readers). */
  private lockEffects(fp: Footprint, s: State, thread: string): Map<string, boolean> | null {
    let out: Map<string, boolean> | null = null;
    for (const w of fp.writes) {
      const id = this.lockIdOf(w);
      if (id === null) continue;
      const l = s.locks[id];
      out ??= new Map();
      out.set(id, l !== undefined && (l.owner === thread || l.readers.includes(thread)));
    }
    return out;
  }

  private checkWrites(before: Map<string, string>, state: ChoiceContext["state"], fp: Footprint, thread: string): void {
    const after = flatten(state as State);
    const written = [...fp.writes].map((l) => this.locs.names[l] as string);
    for (const change of diff(before, after)) {
      const path = change.replace(/( = |: | removed).*$/, "");
      if (/^locks\.[^.]+\.waiters$/.test(path)) continue;
      if (!written.some((w) => path === w || path.startsWith(`${w}.`))) {
        throw new Error(`explorer: footprint of a ${thread} step misses the write to ${path} (recorded: ${written.join(", ")})`);
      }
    }
  }
}

