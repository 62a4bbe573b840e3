/**
 * Minimal counterexamples: from a failing schedule, find one that fails the same way (same verdict and
 * invariant) with the fewest preemptions, then the fewest steps, and confirm it by a strict replay.
 *
 1. Local rewrites, greedily (one replay each): cut the schedule short and let the default continuation
 *    (the last thread keeps running) finish it, or move a block of steps next to the same thread's
 *    previous or next block. Accepted when the run fails the same way with fewer preemptions, or as many
 *    and fewer steps.
 * 2. Exhaustive searches bounded to 0, 1, ... preemptions below the best (CHESS's iterative preemption
 *    bounding, Musuvathi and Qadeer, PLDI 2007) either find fewer or show there are none: the search under
 *    a preemption bound is state caching without sleep sets, complete within the bound.
 * 3. The same search with the step bound below the best length, lowered below each failure it finds
 *    (branch and bound), until it has covered every shorter run.
 * Steps 2 and 3 share a run budget; when it runs out the result is the best found, marked not minimal. A schedule is the list of choices in compact form
 * (`mig*12 T*7 mig*8 T*6 F*6`), which `run --schedule` replays exactly.
 */
import { UsageError } from "../kernels";
import type { Prepared } from "../scenarios/build";
import { expandSchedule } from "../sim/schedule";
import type { RunResult, Verdict } from "../sim/scheduler";
import { countPreemptions, cutByStepBound, isFailure, outcomeKey, prefixChoices, runOnce } from "./common";
import { single } from "./exhaustive";
import { Progress, type ProgressOptions } from "./progress";

export interface ShrinkOptions extends ProgressOptions {
  /**
   * Runs the bounded searches may use in total before settling for the best found so far. Default 30,000:
   * enough to show minimal the counterexample of every built-in scenario on every kernel and with every
   * fix (S1 on 2.6.34 takes 2,033 runs; S5 and S9, with four threads, 15,600-24,100).
   */
  budget?: number;
  /** Step bound of the searches. Default 5000. */
  maxSteps?: number;
  /**
   * A schedule (compact form) the counterexample must start with (explore's `prefix`): the minimum is over
   * the runs that start with it, which the rewrites leave alone and the searches continue.
   */
  prefix?: string;
}

export interface Shrunk {
  /** The minimised schedule (exact form). */
  schedule: string;
  verdict: Verdict;
  preemptions: number;
  steps: number;
  /** The preemption and step counts of the schedule given. */
  original: { preemptions: number; steps: number };
  /** False when the budget ran out before minimality was shown. */
  minimal: boolean;
  /** Runs spent. */
  runs: number;
}

/** Replay an exact list of choices, failing (UsageError) if one names a thread that cannot run; also returns each step's runnable set. */
export function replayExact(p: Prepared, choices: readonly string[], maxSteps = 5000): { run: RunResult; runnable: string[][] } {
  const runnable: string[][] = [];
  const run = runOnce(p, {
    maxSteps,
    chooser: (c) => {
      const t = choices[c.step];
      if (t === undefined) throw new UsageError(`schedule ended after ${c.step} steps but threads ${c.runnable.join(", ")} can still run`);
      if (!c.runnable.includes(t)) throw new UsageError(`schedule step ${c.step}: thread ${t} cannot run (runnable: ${c.runnable.join(", ")})`);
      runnable.push([...c.runnable]);
      return t;
    },
  });
  if (run.steps < choices.length) throw new UsageError(`the run ended after ${run.steps} steps, before the schedule's ${choices.length}`);
  return { run, runnable };
}

/** Preemptions and steps of an exact schedule, by replay. */
export function measure(p: Prepared, schedule: string, maxSteps = 5000): { run: RunResult; preemptions: number; choices: string[] } {
  const choices = expandSchedule(schedule, p.threads.map((t) => t.name));
  const { run, runnable } = replayExact(p, choices, maxSteps);
  return { run, preemptions: countPreemptions(choices, runnable), choices };
}

/** A candidate: follow `choices` while they can run, then the default continuation; null if a choice cannot run. */
function tryChoices(p: Prepared, choices: readonly string[], maxSteps: number): { run: RunResult; preemptions: number } | null {
  const runnable: string[][] = [];
  const taken: string[] = [];
  let ok = true;
  const run = runOnce(p, {
    maxSteps,
    chooser: (c) => {
      runnable.push([...c.runnable]);
      let t = choices[c.step];
      if (t !== undefined && !c.runnable.includes(t)) ok = false;
      if (t === undefined || !ok) t = c.last !== null && c.runnable.includes(c.last) ? c.last : (c.runnable[0] as string);
      taken.push(t);
      return t;
    },
  });
  if (!ok || cutByStepBound(run, maxSteps)) return null;
  return { run, preemptions: countPreemptions(taken, runnable) };
}

type Block = [string, number];
function blocksOf(choices: readonly string[]): Block[] {
  const out: Block[] = [];
  for (const t of choices) {
    const b = out[out.length - 1];
    if (b && b[0] === t) b[1]++;
    else out.push([t, 1]);
  }
  return out;
}
function choicesOf(blocks: readonly Block[]): string[] {
  const out: string[] = [];
  for (const [t, n] of blocks) for (let i = 0; i < n; i++) out.push(t);
  return out;
}

/**
 * Candidate rewrites of a schedule, simplest first: cut it short (the default continuation finishes it),
 * swap two adjacent blocks, or move a block next to its thread's previous or next block.
 */
function* rewrites(blocks: readonly Block[]): Generator<string[]> {
  for (let i = 1; i < blocks.length; i++) yield choicesOf(blocks.slice(0, i)); // then the default continuation
  // Without block i: a thread whose steps the failure does not need (another page's migrator) drops out.
  for (let i = 0; i < blocks.length; i++) yield choicesOf([...blocks.slice(0, i), ...blocks.slice(i + 1)]);
  for (let i = 1; i < blocks.length; i++) {
    const b = blocks.map((x) => [...x] as Block);
    [b[i - 1], b[i]] = [b[i] as Block, b[i - 1] as Block];
    yield choicesOf(b);
  }
  for (let i = 1; i < blocks.length; i++) {
    const [t, n] = blocks[i] as Block;
    for (let j = i - 1; j >= 0; j--) {
      if ((blocks[j] as Block)[0] !== t) continue;
      const b = blocks.map((x) => [...x] as Block);
      (b[j] as Block)[1] += n;
      b.splice(i, 1);
      yield choicesOf(b); // block i moved earlier, into its thread's previous block
      break;
    }
    for (let j = i + 1; j < blocks.length; j++) {
      if ((blocks[j] as Block)[0] !== t) continue;
      const b = blocks.map((x) => [...x] as Block);
      (b[j] as Block)[1] += n;
      b.splice(i, 1);
      yield choicesOf(b); // block i moved later, into its thread's next block
      break;
    }
  }
}

/** Minimise a failing exact schedule. */
export function shrink(p: Prepared, schedule: string, o: ShrinkOptions = {}): Shrunk {
  const maxSteps = o.maxSteps ?? 5000;
  let left = o.budget ?? 30000;
  if (!Number.isInteger(left) || left < 0) throw new UsageError(`minimise budget must be a non-negative integer, got ${o.budget}`);
  const start = measure(p, schedule, maxSteps);
  if (!isFailure(start.run.verdict)) throw new UsageError(`schedule does not fail (verdict ${start.run.verdict.kind}); nothing to minimise`);
  const target = outcomeKey(start.run.verdict);
  const same = (v: Verdict) => outcomeKey(v) === target;
  let best = { schedule: start.run.schedule, preemptions: start.preemptions, steps: start.run.steps };
  const better = (pre: number, steps: number) => pre < best.preemptions || (pre === best.preemptions && steps < best.steps);
  let runs = 0;
  // The prefix's own choices stay; the searches count only the preemptions after it.
  let head: string[] = [];
  let headPreemptions = 0;
  if (o.prefix !== undefined) {
    const own = prefixChoices(p, o.prefix, maxSteps);
    head = start.choices.slice(0, own.length);
    if (own.join(" ") !== head.join(" ")) throw new UsageError(`schedule "${schedule}" does not start with the prefix "${o.prefix}"`);
    headPreemptions = countPreemptions(head, replayExact(p, start.choices, maxSteps).runnable.slice(0, head.length));
  }

  // 1. Local rewrites, greedily, until none helps (cheap: one replay each).
  const local = () => {
    for (let improved = true; improved; ) {
      improved = false;
      const names = p.threads.map((t) => t.name);
      for (const tail of rewrites(blocksOf(expandSchedule(best.schedule, names).slice(head.length)))) {
        runs++;
        const cand = head.length === 0 ? tail : [...head, ...tail];
        const r = tryChoices(p, cand, maxSteps);
        if (r && same(r.run.verdict) && better(r.preemptions, r.run.steps)) {
          best = { schedule: r.run.schedule, preemptions: r.preemptions, steps: r.run.steps };
          improved = true;
          break;
        }
      }
    }
  };
  local();

  // 2. Bounded exhaustive searches show the preemption count minimal, or find fewer.
  let minimal = true;
  const progress = new Progress(o, "minimise");
  let states = 0; // the last bounded search's, for the progress report
  const search = (preemptions: number, steps: number, shortest = false) => {
    const bounds = { preemptions: preemptions - headPreemptions, maxSteps: steps, maxSchedules: Math.max(1, left), ...(o.prefix !== undefined ? { prefix: o.prefix } : {}) };
    const r = single(p, { ...bounds, reduction: "states", stopAtFirst: true, shortest, isFailure: same }, progress, runs, false);
    left -= r.schedules;
    runs += r.schedules;
    states = r.states;
    return r;
  };
  for (let bound = headPreemptions; bound < best.preemptions; bound++) {
    if (left <= 0) {
      minimal = false;
      break;
    }
    const r = search(bound, maxSteps);
    if (r.failure) {
      const m = measure(p, r.failure.schedule, maxSteps);
      best = { schedule: m.run.schedule, preemptions: m.preemptions, steps: m.run.steps };
      local();
      break;
    }
    if (r.cuts.some((c) => c !== "preemptions")) {
      minimal = false;
      break;
    }
  }
  // 3. Then fewer steps with as many preemptions: one search whose step bound drops below each failure it finds.
  if (minimal && best.steps > 1) {
    if (left <= 0) minimal = false;
    else {
      const r = search(best.preemptions, best.steps - 1, true);
      if (r.cuts.includes("schedules")) minimal = false;
      if (r.failure) {
        const m = measure(p, r.failure.schedule, maxSteps);
        if (better(m.preemptions, m.run.steps)) best = { schedule: m.run.schedule, preemptions: m.preemptions, steps: m.run.steps };
      }
    }
  }
  progress.done(runs, states);
  // Confirm by a strict replay of the exact schedule.
  const check = measure(p, best.schedule, maxSteps);
  if (!same(check.run.verdict) || check.run.schedule !== best.schedule) {
    throw new Error(`shrink: the minimised schedule "${best.schedule}" replays to ${check.run.verdict.kind}, not ${target}`);
  }
  return {
    schedule: best.schedule,
    verdict: check.run.verdict,
    preemptions: check.preemptions,
    steps: check.run.steps,
    original: { preemptions: start.preemptions, steps: start.run.steps },
    minimal,
    runs,
  };
}
