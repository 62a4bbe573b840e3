/**
 * The comparison of candidate fixes (issue 6): scenario x kernel x fix -> the verdict of the scenario's
 * scripted interleaving, the hit rate over seeded random schedules, and what the run cost. A deeper
 * search (exhaustive, PCT) plugs in through `explore`; this module only needs the scheduler.
 */
import { runPrepared } from "../api";
import { KERNEL_VERSIONS } from "../kernels";
import { prepare, type Prepared } from "../scenarios/build";
import { BUILTIN, builtinScenario } from "../scenarios/builtin";
import type { Chooser, VerdictKind } from "../sim/scheduler";
import { FIX_IDS, getFix } from "./index";
import { mulberry32 as rng } from "../explore/common";


/**
 * A seeded chooser. Odd seeds choose uniformly at every step; even seeds keep running the last thread and
 * switch with probability 1/8, which reaches the long one-thread stretches the races need far more often.
 */
export function seededChooser(seed: number): Chooser {
  const r = rng(seed);
  const sticky = seed % 2 === 0;
  return (c) => {
    if (sticky && c.last !== null && c.runnable.includes(c.last) && r() >= 1 / 8) return c.last;
    return c.runnable[Math.floor(r() * c.runnable.length)] as string;
  };
}

/** What one run cost, from State.counters and the trace. */
export interface RunCost {
  steps: number;
  /** Steps each thread ran (fast-path cost: what mprotect, exec, fork or a fault paid). */
  threadSteps: Record<string, number>;
  lockAcquisitions: Record<string, number>;
  /** Steps threads spent blocked, per lock class (contention). */
  waitSteps: Record<string, number>;
  retries: number;
  /** vma_address() calls: the walkers' work. */
  walkerSteps: number;
}

export interface CompareCell {
  scenario: string;
  kernel: string;
  fix: string;
  /** The scenario's scripted interleaving. */
  scripted: { verdict: VerdictKind; invariant?: string; message?: string; schedule: string; cost: RunCost };
  /** Seeded random schedules (see seededChooser): how many ended in each verdict. */
  random: { runs: number; hits: number; hitRate: number; kinds: Partial<Record<VerdictKind, number>>; firstHit?: { seed: number; schedule: string } };
  /** What `explore` returned, if given. */
  explored?: unknown;
}

export interface CompareOptions {
  /** Scenario ids; default every built-in one. */
  scenarios?: readonly string[];
  /** Kernel versions; default all four. */
  kernels?: readonly string[];
  /** Fix ids; default every fix (FIX_IDS). */
  fixes?: readonly string[];
  /** Seeded random runs per cell (seeds 1..runs). Default 50. */
  runs?: number;
  /** Called after each cell. */
  onProgress?: (done: number, total: number, cell: CompareCell) => void;
  /** A deeper search per cell (e.g. the exhaustive explorer); its result is stored in `explored`. */
  explore?: (p: Prepared) => unknown;
}

function costOf(r: ReturnType<typeof runPrepared>): RunCost {
  const threadSteps: Record<string, number> = {};
  for (const e of r.trace) threadSteps[e.thread] = (threadSteps[e.thread] ?? 0) + 1;
  const c = r.state.counters;
  return { steps: r.steps, threadSteps, lockAcquisitions: { ...c.lockAcquisitions }, waitSteps: { ...c.waitSteps }, retries: c.retries, walkerSteps: c.walkerSteps };
}

/** The comparison matrix; throws UsageError for an unknown scenario, kernel or fix. */
export function compareFixes(o: CompareOptions = {}): CompareCell[] {
  const scenarios = o.scenarios ?? Object.keys(BUILTIN);
  const kernels = o.kernels ?? KERNEL_VERSIONS;
  const fixes = o.fixes ?? FIX_IDS;
  for (const f of fixes) getFix(f);
  const runs = o.runs ?? 50;
  const total = scenarios.length * kernels.length * fixes.length;
  const cells: CompareCell[] = [];
  for (const id of scenarios) {
    const spec = builtinScenario(id);
    for (const kernel of kernels) {
      for (const fix of fixes) {
        const p = prepare(spec, { kernel, fix });
        const s = runPrepared(p);
        const scripted: CompareCell["scripted"] = { verdict: s.verdict.kind, schedule: s.schedule, cost: costOf(s) };
        if (s.verdict.invariant !== undefined) scripted.invariant = s.verdict.invariant;
        if (s.verdict.message !== undefined) scripted.message = s.verdict.message;
        const random: CompareCell["random"] = { runs, hits: 0, hitRate: 0, kinds: {} };
        for (let seed = 1; seed <= runs; seed++) {
          const r = runPrepared(p, { chooser: seededChooser(seed), trace: false });
          random.kinds[r.verdict.kind] = (random.kinds[r.verdict.kind] ?? 0) + 1;
          if (r.verdict.kind !== "clean") {
            random.hits++;
            random.firstHit ??= { seed, schedule: r.schedule };
          }
        }
        random.hitRate = runs > 0 ? random.hits / runs : 0;
        const cell: CompareCell = { scenario: spec.id, kernel, fix, scripted, random };
        if (o.explore) cell.explored = o.explore(p);
        cells.push(cell);
        o.onProgress?.(cells.length, total, cell);
      }
    }
  }
  return cells;
}

/** The matrix as text: one row per scenario and kernel, one column per fix: scripted verdict and random hit rate. */
export function formatCompare(cells: readonly CompareCell[]): string {
  const fixes = [...new Set(cells.map((c) => c.fix))];
  const rows = [...new Set(cells.map((c) => `${c.scenario} ${c.kernel}`))];
  const short: Record<VerdictKind, string> = { clean: "ok", bug: "BUG", deadlock: "DEADLOCK", livelock: "LIVELOCK", "use-after-free": "UAF", "bound-reached": "BOUND" };
  const cellText = (c: CompareCell | undefined) => (c ? `${short[c.scripted.verdict]} ${Math.round(c.random.hitRate * 100)}%` : "");
  const table = [["", ...fixes.map((f) => `${f} (${getFix(f).code})`)]];
  for (const row of rows) table.push([row, ...fixes.map((f) => cellText(cells.find((c) => `${c.scenario} ${c.kernel}` === row && c.fix === f)))]);
  const widths = (table[0] as string[]).map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  return table.map((r) => r.map((x, i) => x.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
}
