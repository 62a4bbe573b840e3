/** Seeded random schedules for the fix tests (a helper, not a test file). */
import { prepareScenario, runPrepared } from "../../src/api";
import type { Chooser, VerdictKind } from "../../src/sim/scheduler";

/** mulberry32, as in test/sim/scheduler.test.ts. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Odd seeds: a uniform choice at every step. Even seeds: keep running the last thread and switch with
 * probability 1/8, which reaches the long one-thread stretches the races need far more often.
 */
export function seededChooser(seed: number): Chooser {
  const r = rng(seed);
  const sticky = seed % 2 === 0;
  return (c) => {
    if (sticky && c.last !== null && c.runnable.includes(c.last) && r() >= 1 / 8) return c.last;
    return c.runnable[Math.floor(r() * c.runnable.length)] as string;
  };
}

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
