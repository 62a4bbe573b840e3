/** Seeded random schedules for the fix tests (a helper, not a test file). */
import { prepareScenario, runPrepared } from "../../src/api";
import { seededChooser } from "../../src/fixes/compare";
import type { VerdictKind } from "../../src/sim/scheduler";

export { seededChooser };

export interface Sweep {
  runs: number;
  kinds: Partial<Record<VerdictKind, number>>;
  /** The first non-clean run, replayable: scenario, kernel, fix and schedule. */
  first?: string;
  retries: number;
}

/** Run `seeds` seeded schedules of a scenario with a kernel and fix; count the verdicts. */
export function sweep(scenario: string, kernel: string, fix: string, seeds = 300): Sweep {
  const p = prepareScenario(scenario, { kernel, fix });
  const out: Sweep = { runs: 0, kinds: {}, retries: 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    const r = runPrepared(p, { chooser: seededChooser(seed), trace: false });
    out.runs++;
    out.kinds[r.verdict.kind] = (out.kinds[r.verdict.kind] ?? 0) + 1;
    out.retries += r.state.counters.retries;
    if (r.verdict.kind !== "clean" && out.first === undefined) {
      out.first = `${scenario} on ${kernel} + ${fix}, seed ${seed}: ${r.verdict.kind} ${r.verdict.invariant ?? ""} ${r.verdict.message ?? ""}; schedule ${r.schedule}`;
    }
  }
  return out;
}
