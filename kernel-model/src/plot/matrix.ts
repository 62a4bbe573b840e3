/**
 * Outcome matrices: scenario x (kernel or fix) heat maps of verdicts, one fixed colour per verdict.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { runScenario } from "../api";
import type { VerdictKind } from "../sim/scheduler";
import { esc, VERDICT_COLORS, VERDICT_KINDS } from "./common";
import type { Figure } from "./display";

/** One cell of an outcome matrix. */
export interface OutcomeCell {
  /** Row label, e.g. a scenario id. */
  row: string;
  /** Column label, e.g. a kernel version or a fix id. */
  col: string;
  verdict: VerdictKind;
  /** Hover text: the invariant and message, the schedule, what the manifest expects. */
  detail?: string;
}

/** Options of {@link outcomeMatrixFigure}. */
export interface OutcomeMatrixOptions {
  /** Figure title. Default: "Outcomes". */
  title?: string;
  /** Axis titles. Default: "scenario" and "kernel". */
  rowTitle?: string;
  colTitle?: string;
  /** Row and column order. Default: order of first appearance in `cells`. */
  rows?: string[];
  cols?: string[];
}

/** Short text for a cell: "clean", "BUG I1", "UAF I6", "deadlock". */
export function verdictLabel(verdict: VerdictKind, invariant?: string): string {
  const base = verdict === "bug" ? "BUG" : verdict === "use-after-free" ? "UAF" : verdict === "bound-reached" ? "bound" : verdict;
  return invariant && verdict !== "clean" && invariant !== verdict ? `${base} ${invariant}` : base;
}

/**
 * A heat map of verdicts: rows x columns, each cell in its verdict's fixed colour (clean green, bug red,
 * use-after-free purple, deadlock and livelock orange, bound-reached grey) with the verdict written in it;
 * hover shows `detail`. The legend lists the verdicts that occur. A cell given twice keeps the last one.
 *
 *   showPlot(tslab.display, outcomeMatrixFigure(manifestCells(), { title: "S1-S9 by kernel, no fix" }));
 *   showPlot(tslab.display, outcomeMatrixFigure(manifestCells({ columns: "fix" }), { colTitle: "fix on 2.6.34" }));
 */
export function outcomeMatrixFigure(cells: readonly OutcomeCell[], o: OutcomeMatrixOptions = {}): Figure {
  const rows = o.rows ?? [...new Set(cells.map((c) => c.row))];
  const cols = o.cols ?? [...new Set(cells.map((c) => c.col))];
  const at = new Map(cells.map((c) => [`${c.row}\u0000${c.col}`, c]));
  const code = (v: VerdictKind) => VERDICT_KINDS.indexOf(v);
  const k = VERDICT_KINDS.length;
  const z = rows.map((r) => cols.map((c) => {
    const cell = at.get(`${r}\u0000${c}`);
    return cell ? code(cell.verdict) : null;
  }));
  const text = rows.map((r) => cols.map((c) => {
    const cell = at.get(`${r}\u0000${c}`);
    return cell ? esc(cellText(cell)) : "";
  }));
  const hover = rows.map((r) => cols.map((c) => {
    const cell = at.get(`${r}\u0000${c}`);
    return cell ? `<b>${esc(r)} × ${esc(c)}</b>: ${esc(cell.verdict)}${cell.detail ? "<br>" + esc(cell.detail).replace(/\n/g, "<br>") : ""}` : "";
  }));
  // A stepwise colour scale: code i fills [i/k, (i+1)/k] with its verdict's colour (z from -0.5 to k-0.5).
  const colorscale: [number, string][] = [];
  VERDICT_KINDS.forEach((v, i) => colorscale.push([i / k, VERDICT_COLORS[v]], [(i + 1) / k, VERDICT_COLORS[v]]));
  const present = VERDICT_KINDS.filter((v) => cells.some((c) => c.verdict === v));
  const data: object[] = [
    {
      type: "heatmap", x: cols, y: rows, z, zmin: -0.5, zmax: k - 0.5, colorscale, showscale: false,
      text, texttemplate: "%{text}", textfont: { size: 12, color: "#ffffff" },
      customdata: hover, hovertemplate: "%{customdata}<extra></extra>",
      xgap: 3, ygap: 3, hoverongaps: false,
    },
    // Legend entries: one invisible point per verdict that occurs.
    ...present.map((v) => ({
      type: "scatter", mode: "markers", name: v, x: [null], y: [null],
      marker: { symbol: "square", size: 14, color: VERDICT_COLORS[v] }, hoverinfo: "skip", showlegend: true,
    })),
  ];
  return {
    data,
    layout: {
      title: { text: esc(o.title ?? "Outcomes") },
      xaxis: { title: { text: esc(o.colTitle ?? "kernel") }, type: "category", tickfont: { size: 12 }, tickangle: cols.length > 6 ? -35 : 0, automargin: true },
      yaxis: { title: { text: esc(o.rowTitle ?? "scenario") }, type: "category", autorange: "reversed", tickfont: { size: 12 }, automargin: true },
      height: Math.max(300, 190 + 38 * rows.length),
      // Few columns: a compact figure; many: the width of the page.
      ...(cols.length <= 6 ? { width: Math.max(480, 300 + 130 * cols.length) } : {}),
      margin: { l: 90, r: 30, t: 60, b: 60 },
      legend: { orientation: "v", x: 1.02, y: 1, itemsizing: "constant", title: { text: "verdict" } },
      plot_bgcolor: "#ffffff",
    },
    config: { responsive: true, displaylogo: false },
  };
}

function cellText(c: OutcomeCell): string {
  const inv = /^(I\d+)/.exec(c.detail ?? "");
  return verdictLabel(c.verdict, inv?.[1]);
}

/** Options of {@link manifestCells}. */
export interface ManifestCellsOptions {
  /**
   * "kernel" (default): scenario x kernel version, entries without a fix.
   * "fix": scenario x fix (including "none") on one kernel version, `kernel`.
   */
  columns?: "kernel" | "fix";
  /** The kernel version of the "fix" columns. Default "2.6.34". */
  kernel?: string;
  /** Run each entry's scripted schedule and show what it gives (default true), or show the manifest's expected verdicts. */
  run?: boolean;
  /** Path of manifest.json. Default: the package's own. */
  manifest?: string;
}

interface ManifestEntry {
  scenario: string;
  kernel: string;
  fix: string;
  mode: string;
  verdict: VerdictKind;
  invariant?: string;
  message?: string;
}

/** The package's manifest.json (kernel-model/manifest.json, shipped with the package). */
export const MANIFEST_PATH = join(__dirname, "..", "..", "manifest.json");

/**
 * Cells from the manifest's scripted entries: by default scenario x kernel without a fix, each entry run
 * with its scenario's own interleaving. `detail` gives the invariant, the message, the schedule and, when
 * the run disagrees with the manifest, what the manifest expects.
 *
 *   const cells = manifestCells();                                  // S1-S9 x 2.6.33-2.6.36, fix none
 *   const fixes = manifestCells({ columns: "fix", kernel: "2.6.34" }); // S1-S9 x every fix on 2.6.34
 */
export function manifestCells(o: ManifestCellsOptions = {}): OutcomeCell[] {
  const m = JSON.parse(readFileSync(o.manifest ?? MANIFEST_PATH, "utf8")) as { entries: ManifestEntry[] };
  const columns = o.columns ?? "kernel";
  const kernel = o.kernel ?? "2.6.34";
  const entries = m.entries.filter((e) => e.mode === "scripted" && (columns === "kernel" ? e.fix === "none" : e.kernel === kernel));
  return entries.map((e) => {
    const col = columns === "kernel" ? e.kernel : e.fix;
    if (o.run === false) {
      const detail = [e.invariant && `${e.invariant}: ${e.message ?? ""}`, "(manifest's expected verdict, not run)"].filter(Boolean).join("\n");
      return { row: e.scenario, col, verdict: e.verdict, detail };
    }
    const r = runScenario(e.scenario, { kernel: e.kernel, fix: e.fix });
    const v = r.verdict;
    const lines = [
      v.invariant ? `${v.invariant}: ${v.message ?? ""}${v.step !== undefined && v.step >= 0 ? ` (step ${v.step})` : ""}` : "",
      `${e.kernel}${e.fix === "none" ? "" : ` + ${e.fix}`}, schedule ${r.schedule}`,
      v.kind === e.verdict ? "" : `the manifest expects ${e.verdict}`,
    ];
    return { row: e.scenario, col, verdict: v.kind, detail: lines.filter(Boolean).join("\n") };
  });
}
