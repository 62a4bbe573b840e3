/**
 * Exploration: one entry point over three strategies (one file each).
 *
 *   const p = prepareScenario("S1", { kernel: "2.6.36" });
 *   explore(p, { mode: "exhaustive" })              // { verdict: "clean", exhausted: true, states, schedules, ... }
 *   explore(p, { mode: "random", runs: 10000 })     // { hits, hitRate, schedule: the first counterexample, minimised }
 *   explore(p, { mode: "pct", depth: 3, seed: 7 })
 *
 * Every counterexample comes back as an exact schedule string that `run --schedule` (or
 * `runPrepared(p, { schedule })`) replays, minimised by default (fewest preemptions, then fewest steps).
 * The same options (and seed) give the same result, byte for byte, except `elapsedMs`.
 */
import { UsageError } from "../kernels";
import type { Prepared } from "../scenarios/build";
import type { Verdict } from "../sim/scheduler";
import { prefixChoices } from "./common";
import { exhaustive } from "./exhaustive";
import { explorePct } from "./pct";
import { exploreRandom, type SamplingResult } from "./random";
import { shrink } from "./shrink";
import type { ProgressOptions } from "./progress";
import type { ExploreMode, ExploreOptions, ExploreResult } from "./types";

export const EXPLORE_MODES: readonly ExploreMode[] = ["exhaustive", "random", "pct"];

function positiveInt(name: string, v: number | undefined, min = 1): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new UsageError(`${name} must be an integer >= ${min}, got ${v}`);
}

/** The progress options of explore's, for the search and then the minimisation. */
function progressOf(o: ExploreOptions): ProgressOptions {
  return {
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.stderrProgress !== undefined ? { stderrProgress: o.stderrProgress } : {}),
    ...(o.progressIntervalMs !== undefined ? { progressIntervalMs: o.progressIntervalMs } : {}),
  };
}

/** Explore a prepared scenario (see prepareScenario) with one strategy. Throws UsageError for bad options. */
export function explore(p: Prepared, o: ExploreOptions): ExploreResult {
  const t0 = Date.now();
  if (!EXPLORE_MODES.includes(o.mode)) throw new UsageError(`unknown mode "${String(o.mode)}"; expected one of ${EXPLORE_MODES.join(", ")}`);
  positiveInt("runs", o.runs);
  positiveInt("depth", o.depth);
  positiveInt("maxSteps", o.maxSteps);
  positiveInt("maxSchedules", o.maxSchedules);
  positiveInt("maxMs", o.maxMs);
  positiveInt("preemptions", o.preemptions, 0);
  if (o.seed !== undefined && (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)) {
    throw new UsageError(`seed must be an integer from 0 to 4294967295, got ${o.seed}`);
  }
  positiveInt("minimiseBudget", o.minimiseBudget, 0);
  const progress = progressOf(o);
  const maxSteps = o.maxSteps ?? 5000;
  if (o.prefix !== undefined) prefixChoices(p, o.prefix, maxSteps); // bad input is said before any search
  if (o.mode === "exhaustive") {
    const r = exhaustive(p, {
      ...progress,
      maxSteps,
      stopAtFirst: o.stopAtFirst ?? true,
      ...(o.reduction !== undefined ? { reduction: o.reduction } : {}),
      ...(o.transactions !== undefined ? { transactions: o.transactions } : {}),
      ...(o.preemptions !== undefined ? { preemptions: o.preemptions } : {}),
      ...(o.maxSchedules !== undefined ? { maxSchedules: o.maxSchedules } : {}),
      ...(o.maxMs !== undefined ? { maxMs: o.maxMs } : {}),
      ...(o.prefix !== undefined ? { prefix: o.prefix } : {}),
    });
    const out: ExploreResult = {
      mode: "exhaustive",
      verdict: r.failure ? r.failure.verdict.kind : r.exhausted ? "clean" : "bound-reached",
      states: r.states,
      transitions: r.transitions,
      schedules: r.schedules,
      exhausted: r.exhausted,
      restarts: r.restarts,
      reduction: r.reduction,
      elapsedMs: 0,
      cuts: r.cuts,
      outcomes: r.outcomes.map((x) => ({ ...flat(x.verdict), schedule: x.schedule, runs: x.runs })),
    };
    out.searchMs = Date.now() - t0;
    if (r.failure) counterexample(out, p, r.failure.verdict, r.failure.schedule, o, maxSteps);
    return finish(out, Date.now() - t0);
  }
  const so = { ...progress, maxSteps, runs: o.runs ?? 1000, seed: o.seed ?? 1, stopAtFirst: o.stopAtFirst ?? false };
  let r: SamplingResult;
  let k: number | undefined;
  if (o.mode === "random") r = exploreRandom(p, so);
  else {
    const pr = explorePct(p, { ...so, depth: o.depth ?? 3 });
    r = pr;
    k = pr.k;
  }
  const out: ExploreResult = {
    mode: o.mode,
    verdict: r.first ? r.first.run.verdict.kind : r.bounded > 0 ? "bound-reached" : "clean",
    states: r.steps,
    transitions: r.steps,
    schedules: r.runs,
    exhausted: false,
    hits: r.hits,
    runs: r.runs,
    hitRate: r.runs > 0 ? r.hits / r.runs : 0,
    bounded: r.bounded,
    elapsedMs: 0,
  };
  if (k !== undefined) out.k = k;
  out.searchMs = Date.now() - t0;
  if (r.first) {
    out.seed = r.first.seed;
    counterexample(out, p, r.first.run.verdict, r.first.run.schedule, o, maxSteps);
  }
  return finish(out, Date.now() - t0);
}

function flat(v: Verdict): { verdict: Verdict["kind"]; invariant?: string; message?: string } {
  return { verdict: v.kind, ...(v.invariant !== undefined ? { invariant: v.invariant } : {}), ...(v.message !== undefined ? { message: v.message } : {}) };
}

/** Fill in the counterexample fields, minimised unless asked not to. */
function counterexample(out: ExploreResult, p: Prepared, verdict: Verdict, schedule: string, o: ExploreOptions, maxSteps: number): void {
  if (verdict.invariant !== undefined) out.invariant = verdict.invariant;
  if (verdict.message !== undefined) out.message = verdict.message;
  out.found = schedule;
  out.schedule = schedule;
  if (o.minimise ?? true) {
    const s = shrink(p, schedule, { ...progressOf(o), maxSteps, ...(o.prefix !== undefined ? { prefix: o.prefix } : {}), ...(o.minimiseBudget !== undefined ? { budget: o.minimiseBudget } : {}) });
    out.schedule = s.schedule;
    out.preemptions = s.preemptions;
    out.steps = s.steps;
    out.minimal = s.minimal;
    if (s.verdict.message !== undefined) out.message = s.verdict.message;
  }
}

function finish(out: ExploreResult, elapsedMs: number): ExploreResult {
  out.elapsedMs = elapsedMs;
  return out;
}

export { exhaustive, type ExhaustiveOptions, type ExhaustiveResult, type Outcome, type Bound } from "./exhaustive";
export { exploreRandom, randomChooser, sample, type SamplingOptions, type SamplingResult } from "./random";
export { explorePct, pctChooser, type PctOptions } from "./pct";
export { shrink, measure, replayExact, type Shrunk, type ShrinkOptions } from "./shrink";
export { Progress, format as formatProgress, type ProgressOptions } from "./progress";
export { hashState } from "./statehash";
export { isFailure, countPreemptions, mulberry32 } from "./common";
export type { ExploreMode, ExploreOptions, ExploreProgress, ExploreResult } from "./types";
