/**
 * Seeded uniform random scheduling: at every step, each runnable thread is equally likely to run.
 *
 * Run i of an exploration uses the seed `seed + i`, so any run can be repeated on its own
 * (`kernel-model run S1 --seed N`), and the same options give the same runs, byte for byte. The PRNG is
 * mulberry32 (common.ts); Math.random is never used.
 */
import type { Prepared } from "../scenarios/build";
import { type Chooser, ignoresNext, type RunResult } from "../sim/scheduler";
import { below, cutByStepBound, isFailure, mulberry32, runOnce } from "./common";
import { Progress, type ProgressOptions } from "./progress";

/** A chooser that picks uniformly among the runnable threads, from a seeded PRNG. */
export function randomChooser(seed: number): Chooser {
  const rand = mulberry32(seed);
  return ignoresNext((c) => c.runnable[below(rand, c.runnable.length)] as string);
}

/** Options of the sampling explorers (random and PCT). */
export interface SamplingOptions extends ProgressOptions {
  /** Number of runs. Default 1000. */
  runs?: number;
  /** Seed of the first run; run i uses seed + i. Default 1. */
  seed?: number;
  /** Steps per run. Default 5000. */
  maxSteps?: number;
  /** Stop at the first failing run. Default false (the hit rate needs every run). */
  stopAtFirst?: boolean;
}

/** What a sampling exploration found. */
export interface SamplingResult {
  runs: number;
  /** Runs that failed (bug, deadlock, livelock, use-after-free). */
  hits: number;
  /** Runs the step bound cut. */
  bounded: number;
  /** Steps executed over all runs. */
  steps: number;
  /** The first failing run and its seed. */
  first?: { run: RunResult; seed: number };
  elapsedMs: number;
}

/** Run `runs` schedules, each from its own seeded chooser. */
export function sample(p: Prepared, o: SamplingOptions, chooserFor: (seed: number) => Chooser): SamplingResult {
  const t0 = Date.now();
  const runs = o.runs ?? 1000;
  const seed = o.seed ?? 1;
  const maxSteps = o.maxSteps ?? 5000;
  const progress = new Progress(o);
  let hits = 0;
  let bounded = 0;
  let steps = 0;
  let first: SamplingResult["first"];
  let done = 0;
  for (let i = 0; i < runs; i++) {
    const s = (seed + i) >>> 0;
    const r = runOnce(p, { chooser: chooserFor(s), maxSteps });
    done++;
    steps += r.steps;
    if (cutByStepBound(r, maxSteps)) bounded++;
    else if (isFailure(r.verdict)) {
      hits++;
      first ??= { run: r, seed: s };
      if (o.stopAtFirst) break;
    }
    progress.tick(done, steps);
  }
  progress.done(done, steps);
  const out: SamplingResult = { runs: done, hits, bounded, steps, elapsedMs: Date.now() - t0 };
  if (first) out.first = first;
  return out;
}

/** Uniform random exploration. */
export function exploreRandom(p: Prepared, o: SamplingOptions = {}): SamplingResult {
  return sample(p, o, randomChooser);
}
