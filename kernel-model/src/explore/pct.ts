/**
 * PCT, probabilistic concurrency testing: Burckhardt, Kothari, Musuvathi, Nagarakatte, "A Randomized
 * Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010.
 *
 * Each run gives the n threads distinct random priorities d, d+1, ..., d+n-1 and picks d-1 change points
 * uniformly among the steps 1..k. At every step the runnable thread with the highest priority runs; at the
 * i-th change point, the thread about to run first has its priority lowered to d-i (below every initial
 * priority), so it yields to the others. A bug of depth d (d ordering constraints) is found by one run
 * with probability at least 1/(n k^(d-1)).
 *
 * Deviations from the paper:
 * - k, the step count the change points are drawn from, is not known in advance: it is the length of one
 *   run under the default continuation (the last thread keeps running), measured once per exploration, so
 *   each run is a function of (seed, d, k) alone. Shuttle instead grows k with the longest run seen.
 * - Blocked threads keep their priority and are skipped while blocked (the paper's threads are enabled or
 *   not in the same way; its proof assumes nothing about blocking).
 * - Change points are distinct (drawn without replacement); if k < d-1, there are k of them.
 */
import type { Prepared } from "../scenarios/build";
import { type Chooser, ignoresNext } from "../sim/scheduler";
import { below, mulberry32, runOnce } from "./common";
import { sample, type SamplingOptions, type SamplingResult } from "./random";

export interface PctOptions extends SamplingOptions {
  /** Bug depth d: d-1 priority change points. Default 3. */
  depth?: number;
}

/** A PCT chooser for one run. `threads` are all thread names (declaration order), `k` the estimated run length. */
export function pctChooser(seed: number, threads: readonly string[], depth: number, k: number): Chooser {
  const rand = mulberry32(seed);
  const n = threads.length;
  // Random distinct priorities d .. d+n-1 (Fisher-Yates over the threads).
  const order = [...threads];
  for (let i = n - 1; i > 0; i--) {
    const j = below(rand, i + 1);
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  const priority = new Map<string, number>();
  order.forEach((t, i) => priority.set(t, depth + i));
  // d-1 distinct change points in 1..k.
  const points = new Map<number, number>(); // step number (1-based) -> i
  const want = Math.min(depth - 1, k);
  for (let i = 1; points.size < want; ) {
    const step = 1 + below(rand, k);
    if (!points.has(step)) points.set(step, i++);
  }
  const highest = (runnable: readonly string[]): string => {
    let best = runnable[0] as string;
    for (const t of runnable) if ((priority.get(t) as number) > (priority.get(best) as number)) best = t;
    return best;
  };
  return ignoresNext((c) => {
    const i = points.get(c.step + 1);
    if (i !== undefined) priority.set(highest(c.runnable), depth - i);
    return highest(c.runnable);
  });
}

/** PCT exploration. */
export function explorePct(p: Prepared, o: PctOptions = {}): SamplingResult & { k: number; depth: number } {
  const depth = o.depth ?? 3;
  const probe = runOnce(p, { maxSteps: o.maxSteps ?? 5000 });
  const k = Math.max(1, probe.steps);
  const names = p.threads.map((t) => t.name);
  return { ...sample(p, o, (seed) => pctChooser(seed, names, depth, k)), k, depth };
}
