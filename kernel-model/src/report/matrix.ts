/**
 * The comparison matrix of issue 6: scenario x kernel x fix -> the verdict of an exhaustive search (with its
 * bound status), the hit rate under PCT, and the costs of the scripted run. Built on compareFixes().
 */
import { explore } from "../explore";
import { compareFixes, type CompareCell, type RunCost } from "../fixes/compare";
import type { Prepared } from "../scenarios/build";
import type { VerdictKind } from "../sim/scheduler";

export const MATRIX_MAX_SCHEDULES = 10000;

export interface MatrixOptions {
  scenarios?: readonly string[];
  kernels?: readonly string[];
  fixes?: readonly string[];
  /**
   * Schedules the exhaustive search may run per cell before it reports bound-reached. Default 10,000:
   * every built-in cell then ends proven clean or failing (the costliest, S5 with nested locks, takes
   * 2,754), where 100 left a quarter of the matrix as bound-reached.
   */
  maxSchedules?: number;
  /** PCT runs per cell (depth 3). Default 20. */
  pctRuns?: number;
  /** Called after each cell. */
  onProgress?: (done: number, total: number, cell: MatrixCell) => void;
}

export interface MatrixCell {
  scenario: string;
  kernel: string;
  fix: string;
  /** Exhaustive search: clean only when every interleaving was covered; bound-reached when the budget cut it. */
  verdict: VerdictKind;
  invariant?: string;
  message?: string;
  exhausted: boolean;
  schedules: number;
  states: number;
  /** A failing schedule (not minimised here; the report minimises it). */
  schedule?: string;
  pct: { runs: number; hits: number; hitRate: number };
  /** The scenario's scripted interleaving: its verdict and what it cost. */
  scripted: { verdict: VerdictKind; cost: RunCost };
}

interface Explored {
  exhaustive: ReturnType<typeof explore>;
  pct: ReturnType<typeof explore>;
}

/** Every cell of the matrix; throws UsageError for an unknown scenario, kernel or fix. */
export function compareMatrix(o: MatrixOptions = {}): MatrixCell[] {
  const maxSchedules = o.maxSchedules ?? MATRIX_MAX_SCHEDULES;
  const pctRuns = o.pctRuns ?? 20;
  const out: MatrixCell[] = [];
  const search = (p: Prepared): Explored => ({
    exhaustive: explore(p, { mode: "exhaustive", maxSchedules, minimise: false }),
    pct: explore(p, { mode: "pct", runs: pctRuns, seed: 1, minimise: false }),
  });
  const toCell = (c: CompareCell): MatrixCell => {
    const e = c.explored as Explored;
    const cell: MatrixCell = {
      scenario: c.scenario, kernel: c.kernel, fix: c.fix, verdict: e.exhaustive.verdict, exhausted: e.exhaustive.exhausted,
      schedules: e.exhaustive.schedules, states: e.exhaustive.states,
      pct: { runs: e.pct.runs ?? pctRuns, hits: e.pct.hits ?? 0, hitRate: e.pct.hitRate ?? 0 },
      scripted: { verdict: c.scripted.verdict, cost: c.scripted.cost },
    };
    if (e.exhaustive.invariant !== undefined) cell.invariant = e.exhaustive.invariant;
    if (e.exhaustive.message !== undefined) cell.message = e.exhaustive.message;
    if (e.exhaustive.schedule !== undefined) cell.schedule = e.exhaustive.schedule;
    return cell;
  };
  const base = {
    runs: 0,
    explore: search,
    onProgress: (done: number, total: number, c: CompareCell) => {
      const cell = toCell(c);
      out.push(cell);
      o.onProgress?.(done, total, cell);
    },
  };
  compareFixes({ ...base, ...(o.scenarios ? { scenarios: o.scenarios } : {}), ...(o.kernels ? { kernels: o.kernels } : {}), ...(o.fixes ? { fixes: o.fixes } : {}) });
  return out;
}

/** The matrix as text: one row per scenario and kernel, one column per fix, "verdict pct%" per cell. */
export function formatMatrix(cells: readonly MatrixCell[]): string {
  const fixes = [...new Set(cells.map((c) => c.fix))];
  const rows = [...new Set(cells.map((c) => `${c.scenario} ${c.kernel}`))];
  const short: Record<VerdictKind, string> = { clean: "ok", bug: "BUG", deadlock: "DEADLOCK", livelock: "LIVELOCK", "use-after-free": "UAF", "bound-reached": "bound" };
  const inv = (c: MatrixCell) => (c.invariant && /^I\d+$/.test(c.invariant) ? ` ${c.invariant}` : "");
  const text = (c: MatrixCell | undefined) => (c ? `${short[c.verdict]}${inv(c)} ${Math.round(c.pct.hitRate * 100)}%` : "");
  const table = [["", ...fixes]];
  for (const row of rows) table.push([row, ...fixes.map((f) => text(cells.find((c) => `${c.scenario} ${c.kernel}` === row && c.fix === f)))]);
  const widths = (table[0] as string[]).map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  return table.map((r) => r.map((x, i) => x.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
}
