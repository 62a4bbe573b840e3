/**
 * What a fix costs: grouped bars of the per-run counters (lock acquisitions by class, steps spent waiting,
 * retries, walker steps), and the growth of the state space an exhaustive search visits.
 */
import type { Counters } from "../mm/types";
import { esc } from "./common";
import type { Figure } from "./display";

/** One group member of {@link costBarsFigure}: a name (a fix, a kernel) and the counters of its run. */
export interface CostRow {
  name: string;
  counters: Counters;
}

/** Options of {@link costBarsFigure}. */
export interface CostBarsOptions {
  /** Figure title. Default: "Cost per run". */
  title?: string;
  /** Show waits per lock class as separate categories instead of one "wait steps" total. Default false. */
  waitsByClass?: boolean;
}

const ROW_COLORS = ["#7f7f7f", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#d62728"];

/** Rows up to which costBarsFigure writes each value over its bar. */
const LABELLED_ROWS = 4;
const HATCHES = ["/", "x", "."];

/** Row k's bar marker: the k-th colour, hatched once the palette has been used up. */
function rowMarker(k: number): { color: string; pattern?: { shape: string } } {
  const color = ROW_COLORS[k % ROW_COLORS.length] as string;
  const lap = Math.floor(k / ROW_COLORS.length);
  return lap === 0 ? { color } : { color, pattern: { shape: HATCHES[(lap - 1) % HATCHES.length] as string } };
}

const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** The metric categories of a set of rows, in display order, and how to read each from counters. */
export function costMetrics(rows: readonly CostRow[], waitsByClass = false): { name: string; of: (c: Counters) => number; hover: (c: Counters) => string }[] {
  const classes = [...new Set(rows.flatMap((r) => Object.keys(r.counters.lockAcquisitions)))];
  const waitClasses = [...new Set(rows.flatMap((r) => Object.keys(r.counters.waitSteps)))];
  const breakdown = (rec: Record<string, number>) =>
    Object.entries(rec).filter(([, n]) => n > 0).map(([k, n]) => `${esc(k)} ${n}`).join(", ") || "none";
  return [
    ...classes.map((cls) => ({ name: `${cls} locks`, of: (c: Counters) => c.lockAcquisitions[cls] ?? 0, hover: () => `lock acquisitions of class ${esc(cls)}` })),
    ...(waitsByClass
      ? waitClasses.map((cls) => ({ name: `waits on ${cls}`, of: (c: Counters) => c.waitSteps[cls] ?? 0, hover: () => `steps blocked on ${esc(cls)}, summed over threads` }))
      : [{ name: "wait steps", of: (c: Counters) => sum(c.waitSteps), hover: (c: Counters) => `steps blocked, summed over threads: ${breakdown(c.waitSteps)}` }]),
    { name: "retries", of: (c: Counters) => c.retries, hover: () => "retries (trylock failures, -EAGAIN passes)" },
    { name: "walker steps", of: (c: Counters) => c.walkerSteps, hover: () => "vma_address() calls by rmap walks" },
  ];
}

/**
 * Grouped bars: one category per metric (lock acquisitions per lock class, wait steps, retries, walker
 * steps), one bar per row, e.g. the same scenario under each fix. Values are the run's
 * `state.counters`; hover a bar for its breakdown.
 *
 *   const rows = ["none", "root-anon-vma-lock", "migrate-mmap-sem"].map((fix) =>
 *     ({ name: fix, counters: runScenario("S6", { kernel: "2.6.34", fix }).state.counters }));
 *   showPlot(tslab.display, costBarsFigure(rows, { title: "S6 (no race) under each fix" }));
 */
export function costBarsFigure(rows: readonly CostRow[], o: CostBarsOptions = {}): Figure {
  const metrics = costMetrics(rows, o.waitsByClass ?? false);
  const x = metrics.map((m) => m.name);
  // Values over the bars only while they fit (a handful of rows); beyond that, hover tells.
  const labelled = rows.length <= LABELLED_ROWS;
  const data = rows.map((r, k) => ({
    type: "bar", name: esc(r.name), x, y: metrics.map((m) => m.of(r.counters)),
    ...(labelled ? { text: metrics.map((m) => String(m.of(r.counters))), textposition: "outside", textfont: { size: 10 } } : {}),
    marker: rowMarker(k),
    hovertext: metrics.map((m) => `<b>${esc(r.name)}</b>: ${m.of(r.counters)} ${esc(m.name)}<br>${m.hover(r.counters)}`),
    hoverinfo: "text",
  }));
  const top = Math.max(1, ...data.flatMap((d) => d.y));
  return {
    data,
    layout: {
      title: { text: esc(o.title ?? "Cost per run") },
      barmode: "group",
      xaxis: { title: { text: "counter" }, type: "category", tickangle: x.length > 6 ? -30 : 0, automargin: true },
      yaxis: { title: { text: "count per run" }, range: [0, top * 1.15], gridcolor: "#eeeeee" },
      height: 440,
      margin: { l: 70, r: 30, t: 60, b: 80 },
      legend: { x: 1.02, y: 1, title: { text: "run" } },
      hovermode: "closest",
      plot_bgcolor: "#ffffff",
    },
    config: { responsive: true, displaylogo: false },
  };
}

/** One measurement of {@link stateSpaceFigure}: series `name` visited `states` states at parameter `x`. */
export interface StateSpacePoint {
  name: string;
  x: number;
  states: number;
}

/** Options of {@link stateSpaceFigure}. */
export interface StateSpaceOptions {
  /** Figure title. Default: "State-space growth". */
  title?: string;
  /** x axis title. Default: "scenario size". */
  xTitle?: string;
  /** y axis title. Default: "states visited (log scale)". */
  yTitle?: string;
}

/**
 * State-space growth on a log y axis: one line per series (e.g. exhaustive search without and with
 * reduction), points sorted by x. Ratios between series read as constant gaps on the log scale.
 *
 *   showPlot(tslab.display, stateSpaceFigure([
 *     { name: "no reduction", x: 1, states: 1200 }, { name: "no reduction", x: 2, states: 48000 },
 *     { name: "with reduction", x: 1, states: 300 }, { name: "with reduction", x: 2, states: 2100 },
 *   ], { xTitle: "pages migrated (S1 family)" }));
 */
export function stateSpaceFigure(points: readonly StateSpacePoint[], o: StateSpaceOptions = {}): Figure {
  const names = [...new Set(points.map((p) => p.name))];
  const data = names.map((name, k) => {
    const ps = points.filter((p) => p.name === name).sort((a, b) => a.x - b.x);
    return {
      type: "scatter", mode: "lines+markers", name: esc(name),
      x: ps.map((p) => p.x), y: ps.map((p) => Math.max(1, p.states)),
      line: { color: ROW_COLORS[(k + 1) % ROW_COLORS.length], width: 2 }, marker: { size: 8 },
      hovertext: ps.map((p) => `${esc(name)}: ${p.states.toLocaleString("en-US")} states at x = ${p.x}`),
      hoverinfo: "text",
    };
  });
  const ys = points.map((p) => Math.max(1, p.states));
  const decades = ys.length ? Math.log10(Math.max(...ys)) - Math.log10(Math.min(...ys)) : 0;
  const xs = points.map((p) => p.x);
  const integral = xs.every((x) => Number.isInteger(x)) && xs.length > 0 && Math.max(...xs) - Math.min(...xs) <= 20;
  return {
    data,
    layout: {
      title: { text: esc(o.title ?? "State-space growth") },
      xaxis: { title: { text: esc(o.xTitle ?? "scenario size") }, gridcolor: "#eeeeee", ...(integral ? { dtick: 1 } : {}) },
      // Powers of ten only once the data spans a few decades; 1-2-5 ticks below that.
      yaxis: { title: { text: esc(o.yTitle ?? "states visited (log scale)") }, type: "log", gridcolor: "#eeeeee", exponentformat: "power", dtick: decades > 2 ? 1 : "D2" },
      height: 420,
      margin: { l: 80, r: 30, t: 60, b: 60 },
      legend: { x: 1.02, y: 1 },
      hovermode: "closest",
      plot_bgcolor: "#ffffff",
    },
    config: { responsive: true, displaylogo: false },
  };
}
