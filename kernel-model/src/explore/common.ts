/** What the explorers share: failure classification, the run call, seeded randomness. */
import type { Prepared } from "../scenarios/build";
import { UsageError } from "../kernels";
import { clonerOf } from "../sim/clone";
import { expandSchedule } from "../sim/schedule";
import { runThreadsOn, type RunOptions, type RunResult, type Verdict, type VerdictKind } from "../sim/scheduler";

/** Verdicts that are counterexamples (a bound is not one, and neither is clean). */
export function isFailure(v: Verdict | VerdictKind): boolean {
  const k = typeof v === "string" ? v : v.kind;
  return k === "bug" || k === "deadlock" || k === "livelock" || k === "use-after-free";
}

/** "bug:I1", "deadlock:deadlock", "clean:": the key under which outcomes are grouped. */
export function outcomeKey(v: Verdict): string {
  return `${v.kind}:${v.invariant ?? ""}`;
}

/**
 * Did the step bound cut this run? The scheduler's verdict prefers a recorded (non-fatal) violation over
 * the bound, but a run the bound cut is not a complete run: explorers count it as cut, not as a failure.
 */
export function cutByStepBound(r: RunResult, maxSteps: number): boolean {
  return r.verdict.kind === "bound-reached" || (r.steps >= maxSteps && !r.violations.some((v) => v.fatal) && Object.values(r.state.threads).some((t) => !t.done));
}

/** One run of a prepared scenario, without the scenario's scripted schedule and without a trace. */
export function runOnce(p: Prepared, o: RunOptions): RunResult {
  // The prepared state is never changed (every run starts from a copy), so its compiled copier is reused.
  return runThreadsOn(clonerOf(p.initial)(), p.policy, p.opts, p.threads, o, false);
}

/**
 * The exact choices a prefix schedule makes (explore's `prefix`: the scheduler follows it, then asks a
 * chooser). A prefix that cannot be followed is a UsageError naming it.
 */
export function prefixChoices(p: Prepared, prefix: string, maxSteps: number): string[] {
  let first = -1;
  let run: RunResult;
  try {
    run = runOnce(p, {
      maxSteps,
      schedule: prefix,
      strict: true,
      chooser: (c) => {
        if (first < 0) first = c.step;
        return c.runnable[0] as string;
      },
    });
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`prefix "${prefix}": ${e.message}`);
    throw e;
  }
  const all = expandSchedule(run.schedule, p.threads.map((t) => t.name));
  return first < 0 ? all : all.slice(0, first);
}

/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit seeded PRNG, small and fast, good enough to pick
 * threads. Returns a function giving uniform floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function below(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

/** The number of preemptions of an exact list of choices: switches away from a thread that could still run. */
export function countPreemptions(choices: readonly string[], runnable: readonly (readonly string[])[]): number {
  let n = 0;
  for (let i = 1; i < choices.length; i++) {
    const prev = choices[i - 1] as string;
    if (choices[i] !== prev && (runnable[i] ?? []).includes(prev)) n++;
  }
  return n;
}
