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
  /** exhaustive: stop after this many milliseconds (a bound, like maxSchedules, but machine-dependent). */
  maxMs?: number;
  /** Stop at the first bug. Default true for exhaustive ("time to first counterexample"), false for random/pct (the hit rate needs every run). */
  stopAtFirst?: boolean;
  /** Minimise the counterexample (fewest preemptions, then fewest steps). Default true. */
  minimise?: boolean;
  /** Runs the minimisation's bounded searches may spend before settling for the best found so far. Default 30,000 (see shrink.ts). */
  minimiseBudget?: number;
  /**
   * exhaustive: the reduction, "auto" (default: DPOR for up to 256 runs, then state caching), "dpor",
   * "states" (state caching + sleep sets, resuming from snapshots) or false (brute force); see exhaustive.ts.
   */
  reduction?: "auto" | "dpor" | "states" | false;
  /** exhaustive: group steps into transactions (default true; see movers.ts). False: a choice before every step. */
  transactions?: boolean;
  /** exhaustive: a schedule (compact form) every run starts with; only its continuations are explored. */
  prefix?: string;
  /** Called now and then (every progressIntervalMs, default 250) with progress, and once at the end. */
  onProgress?: (p: ExploreProgress) => void;
  /** Print progress on stderr (a line rewritten with \r on a TTY, a line every 5 s otherwise). Default false. */
  stderrProgress?: boolean;
  progressIntervalMs?: number;
}

export interface ExploreProgress {
  schedules: number;
  states: number;
  elapsedMs: number;
  /** States (exhaustive) or steps (random/pct) per second so far. */
  statesPerSecond?: number;
  schedulesPerSecond?: number;
  /** True on the last report. */
  done?: boolean;
  /**
   * "search", or "minimise" while the counterexample is minimised (bounded searches: schedules count on
   * over all of them, states are the current one's).
   */
  phase?: "search" | "minimise";
}

export interface ExploreResult {
  mode: ExploreMode;
  /**
   * clean only when the space was exhausted (exhaustive) or no run failed or hit the step bound (random/pct);
   * bound-reached when a bound cut the search (or a random run) and nothing failed.
   */
  verdict: VerdictKind;
  invariant?: string;
  message?: string;
  /** The (minimised) counterexample, replayable with run --schedule. */
  schedule?: string;
  /**
   * Distinct states visited (exhaustive); random/pct keep no states (that is what makes them fast), so
   * this is the states they stepped through, repeats included (the steps executed).
   */
  states: number;
  /** Events explored (exhaustive: transactions, see movers.ts); random/pct: steps. */
  transitions: number;
  schedules: number;
  /** exhaustive: true when every interleaving within the bounds was covered. */
  exhausted: boolean;
  /** exhaustive: passes started again (counted in schedules) because a transaction's mover guess was contradicted. */
  restarts?: number;
  /** exhaustive: the reduction that ran ("dpor+states": the default's DPOR pass, then state caching). */
  reduction?: "dpor" | "states" | "brute" | "dpor+states";
  /** random/pct: runs that ended in a bug. */
  hits?: number;
  runs?: number;
  hitRate?: number;
  /** Seed of the first failing run (random/pct). */
  seed?: number;
  elapsedMs: number;
  /** Milliseconds spent searching (elapsedMs less the minimisation). */
  searchMs?: number;
  /** The counterexample's preemptions and steps, and whether minimisation showed them minimal. */
  preemptions?: number;
  steps?: number;
  minimal?: boolean;
  /** The schedule as found, before minimisation. */
  found?: string;
  /** exhaustive: the bounds that cut the search (empty when exhausted or stopped at a bug). */
  cuts?: ("steps" | "preemptions" | "schedules" | "time")[];
  /** exhaustive: the verdicts reached, with one schedule and the number of runs each. */
  outcomes?: { verdict: VerdictKind; invariant?: string; message?: string; schedule: string; runs: number }[];
  /** random/pct: runs cut by the step bound. */
  bounded?: number;
  /** pct: the estimated run length k the change points were drawn from. */
  k?: number;
}
