/**
 * The exploration API (issue 5). Strategies live one per file in this folder; they all drive
 * `runThreads` (sim/scheduler.ts) through its `schedule`/`chooser` options, so replay is not a
 * separate code path: every counterexample is a schedule string that `run --schedule` replays.
 */
import type { VerdictKind } from "../sim/scheduler";

export type ExploreMode = "exhaustive" | "random" | "pct";

export interface ExploreOptions {
  mode: ExploreMode;
  /** random/pct: number of runs. Default 1000. */
  runs?: number;
  /** random/pct: seed of the first run. Default 1. */
  seed?: number;
  /** pct: bug depth d (d-1 priority change points). Default 3. */
  depth?: number;
  /** Steps per run (the run's step bound). Default 5000. */
  maxSteps?: number;
  /** exhaustive: preemption bound (context switches away from a runnable thread); undefined = unbounded. */
  preemptions?: number;
  /** exhaustive: stop after this many schedules (a bound: reported as such, never as clean). */
  maxSchedules?: number;
  /** Stop at the first bug (default true for exhaustive "time to first counterexample"). */
  stopAtFirst?: boolean;
  /** Minimise the counterexample (fewest preemptions, then fewest steps). Default true. */
  minimise?: boolean;
  /** Called now and then with progress. */
  onProgress?: (p: ExploreProgress) => void;
}

export interface ExploreProgress {
  schedules: number;
  states: number;
  elapsedMs: number;
}

export interface ExploreResult {
  mode: ExploreMode;
  /** clean only when the space was exhausted (exhaustive) or no run failed (random/pct); bound-reached when a bound cut an exhaustive search that found nothing. */
  verdict: VerdictKind;
  invariant?: string;
  message?: string;
  /** The (minimised) counterexample, replayable with run --schedule. */
  schedule?: string;
  /** Distinct states visited (exhaustive) or steps executed (random/pct). */
  states: number;
  transitions: number;
  schedules: number;
  /** exhaustive: true when every interleaving within the bounds was covered. */
  exhausted: boolean;
  /** random/pct: runs that ended in a bug. */
  hits?: number;
  runs?: number;
  hitRate?: number;
  /** Seed of the first failing run (random/pct). */
  seed?: number;
  elapsedMs: number;
}
