/**
 * The deterministic scheduler: runs threads one atomic step at a time, choosing the next thread from
 * a schedule (compact form), a chooser function, or the default continuation, and records the trace.
 */
import { endOfRunChecks } from "../check/invariants";
import { UsageError, type KernelPolicy } from "../kernels";
import { MappingError } from "../mm/mmap";
import type { State, Violation } from "../mm/types";
import { canRun, type Kernel, type KGen, lockClass, type ModelOptions, Oops, type Step } from "./kernel";
import { formatSchedule, parseSchedule, type Token } from "./schedule";
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
}
export type Chooser = (ctx: ChoiceContext) => string;

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
   * What the kernel paths see as `k.s`: a view of the run's state, e.g. a Proxy that records each step's reads
   * and writes (the exhaustive explorer's footprints). The scheduler itself keeps using the state. Default: the state.
   */
  view?: (s: State) => State;
}

export interface RunResult {
  verdict: Verdict;
  violations: Violation[];
  trace: TraceEntry[];
  /** The exact schedule that was executed; replaying it gives this run again. */
  schedule: string;
  steps: number;
  state: State;
}

interface Live {
  def: ThreadDef;
  gen: KGen;
  pending: Step | null;
}

/** The default continuation: the last thread keeps running while it can, else the first runnable in declaration order. */
export const continueLast: Chooser = (c) => (c.last !== null && c.runnable.includes(c.last) ? c.last : (c.runnable[0] as string));

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
): RunResult {
  const s: State = clonePlain(initial);
  const maxSteps = o.maxSteps ?? 5000;
  const tracing = o.trace ?? true;
  const trace: TraceEntry[] = [];
  const choices: string[] = [];
  const names = defs.map((d) => d.name);
  const tokens: Token[] = o.schedule ? parseSchedule(o.schedule, names) : [];
  let tokenStepsDone = 0;
  let last: string | null = null;
  let stop = false;

  const ks = o.view ? o.view(s) : s;
  const live: Live[] = defs.map((def) => {
    s.threads[def.name] = { id: def.name, held: [], done: false, results: [] };
    const k: Kernel = { s: ks, policy, opts, tid: def.name, now: () => Math.max(0, choices.length - 1) };
    const gen = def.body(k);
    return { def, gen, pending: null };
  });
  const advance = (t: Live): void => {
    try {
      const r = t.gen.next();
      t.pending = r.done ? null : r.value;
    } catch (e) {
      t.pending = null;
      if (e instanceof Oops) stop = true;
      else if (e instanceof MappingError) throw new UsageError(`thread ${t.def.name}: ${e.message}`);
      else throw e;
    }
    if (t.pending === null) {
      const ts = s.threads[t.def.name];
      if (ts) ts.done = true;
    }
  };
  for (const t of live) advance(t);

  const pick = (runnable: string[], next: Record<string, Step>): string => {
    while (tokens.length > 0) {
      const tok = tokens[0] as Token;
      const can = runnable.includes(tok.thread);
      const finished =
        !can ||
        (tok.kind === "steps" && tokenStepsDone >= tok.n) ||
        (tok.kind === "until" && (next[tok.thread]?.label.includes(tok.label) ?? true));
      if (!finished) {
        tokenStepsDone++;
        return tok.thread;
      }
      if (!can && o.strict && !(tok.kind === "steps" && tokenStepsDone >= tok.n)) {
        const t = live.find((x) => x.def.name === tok.thread);
        const why = t?.pending ? `is blocked at "${t.pending.label}"` : "has finished";
        throw new UsageError(`schedule step ${choices.length}: thread ${tok.thread} ${why}`);
      }
      tokens.shift();
      tokenStepsDone = 0;
    }
    const chooser = o.chooser ?? continueLast;
    const c = chooser({ step: choices.length, runnable, next, state: s, last });
    if (!runnable.includes(c)) throw new UsageError(`chooser picked "${c}", which cannot run; runnable: ${runnable.join(", ")}`);
    return c;
  };

  let bound = false;
  while (!stop) {
    const runnable: string[] = [];
    const next: Record<string, Step> = {};
    const blocked: Live[] = [];
    for (const t of live) {
      if (!t.pending) continue;
      if (canRun(s, t.pending.wait)) {
        runnable.push(t.def.name);
        next[t.def.name] = t.pending;
      } else blocked.push(t);
    }
    for (const t of blocked) noteWaiter(s, t);
    if (runnable.length === 0) {
      if (blocked.length > 0) {
        const what = blocked.map((t) => `${t.def.name} waits at "${t.pending?.label}"`).join("; ");
        s.violations.push({ invariant: "deadlock", message: `deadlock: no thread can run (${what})`, step: choices.length, threads: blocked.map((t) => t.def.name), fatal: true });
      }
      break;
    }
    if (choices.length >= maxSteps) {
      bound = true;
      break;
    }
    const name = pick(runnable, next);
    const t = live.find((x) => x.def.name === name) as Live;
    const step = t.pending as Step;
    const before = tracing ? flatten(s) : null;
    const nResults = s.threads[name]?.results.length ?? 0;
    const nViolations = s.violations.length;
    choices.push(name);
    last = name;
    // wait_on_page_locked() never takes the lock, so take() does not clear its waiter entry: do it here.
    const pw = step.wait;
    if (pw && "pageUnlocked" in pw) {
      const l = s.locks[pw.pageUnlocked];
      if (l) l.waiters = l.waiters.filter((w) => w !== name);
    }
    advance(t);
    if (tracing && before) {
      const notes = [
        ...(s.threads[name]?.results.slice(nResults) ?? []),
        ...s.violations.slice(nViolations).map((v) => `${v.invariant}: ${v.message}`),
      ];
      trace.push({ i: choices.length - 1, thread: name, label: step.label, loc: step.loc, held: [...(s.threads[name]?.held ?? [])], changes: diff(before, flatten(s)), notes });
    }
    for (const b of blocked) {
      const w = b.pending?.wait;
      const id = w ? ("lock" in w ? w.lock : w.pageUnlocked) : "";
      const c = lockClass(id);
      s.counters.waitSteps[c] = (s.counters.waitSteps[c] ?? 0) + 1;
    }
  }
  if (!s.violations.some((v) => v.fatal) && !bound) endOfRunChecks(s);
  return { verdict: verdictOf(s.violations, bound), violations: s.violations, trace, schedule: formatSchedule(choices), steps: choices.length, state: s };
}

/** A deep copy of plain data (the state is plain data by design); ~10x faster than structuredClone, which explorers feel. */
function clonePlain<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(clonePlain) as T;
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) o[k] = clonePlain((v as Record<string, unknown>)[k]);
  return o as T;
}

function noteWaiter(s: State, t: Live): void {
  const w = t.pending?.wait;
  if (!w) return;
  const l = s.locks["lock" in w ? w.lock : w.pageUnlocked];
  if (l && !l.waiters.includes(t.def.name)) l.waiters.push(t.def.name);
}
