/**
 * The public entry points: load or build a scenario, pick a kernel version, run it with a schedule or
 * a chooser, read the verdict and the trace.
 *
 *   const r = runScenario("S1", { kernel: "2.6.34" });
 *   r.verdict   // { kind: "bug", invariant: "I1", message: "kernel BUG at include/linux/swapops.h:105!", step: 41 }
 *   r.schedule  // the exact interleaving, replayable with { schedule: r.schedule }
 */
import { builtinScenario } from "./scenarios/builtin";
import { type BuildOptions, prepare, type Prepared } from "./scenarios/build";
import { loadScenarioFile, validateScenario } from "./scenarios/json";
import type { ScenarioSpec } from "./scenarios/spec";
import { runThreads, type RunOptions, type RunResult } from "./sim/scheduler";

export interface RunScenarioOptions extends BuildOptions, RunOptions {
  /** Ignore the scenario's own scripted schedule (run only `schedule`/`chooser`/the default continuation). */
  unscripted?: boolean;
}

/** A built-in id ("S1", case-insensitive), a path to a .json scenario file, or a spec object (validated). */
export function loadScenario(ref: string | ScenarioSpec): ScenarioSpec {
  if (typeof ref !== "string") return validateScenario(ref);
  if (ref.toLowerCase().endsWith(".json")) return loadScenarioFile(ref);
  return builtinScenario(ref);
}

/** Run the set-up and make the threads; reuse the result for many runs of one scenario and kernel. */
export function prepareScenario(ref: string | ScenarioSpec, o: BuildOptions = {}): Prepared {
  return prepare(loadScenario(ref), o);
}

/** Run a prepared scenario once. Without a schedule or chooser, the scenario's scripted interleaving is used. */
export function runPrepared(p: Prepared, o: RunScenarioOptions = {}): RunResult {
  const schedule = o.schedule ?? (o.unscripted || o.chooser ? undefined : p.spec.schedule);
  const ro: RunOptions = { ...o };
  if (schedule === undefined) delete ro.schedule;
  else ro.schedule = schedule;
  return runThreads(p.initial, p.policy, p.opts, p.threads, ro);
}

/** Prepare and run in one call. */
export function runScenario(ref: string | ScenarioSpec, o: RunScenarioOptions = {}): RunResult {
  return runPrepared(prepareScenario(ref, o), o);
}
