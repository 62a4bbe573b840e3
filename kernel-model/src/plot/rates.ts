/**
 * How often and where the race fires: hit rate of randomised scheduling as the number of runs grows, and
 * the race window, a heat map of verdicts over the offsets at which two threads interleave.
 */
import { runPrepared } from "../api";
import type { Prepared } from "../scenarios/build";
import type { VerdictKind } from "../sim/scheduler";
import { esc, VERDICT_COLORS, VERDICT_KINDS } from "./common";
import type { Figure } from "./display";
import { verdictLabel } from "./matrix";

/** One line of {@link hitRateFigure}: after `runs[k]` runs, `hits[k]` of them found the bug. */
export interface HitRateSeries {
  name: string;
  runs: number[];
  hits: number[];
}

/** Options of {@link hitRateFigure}. */
export interface HitRateOptions {
  /** Figure title. Default: "Hit rate as the number of runs grows". */
  title?: string;
  /** Draw 95% Wilson score intervals as error bars. Default true. */
  ci?: boolean;
  /** Logarithmic x axis. Default: when the runs span a factor of 10 or more. */
  logX?: boolean;
}

/** The 95% Wilson score interval of `hits` successes in `runs` trials (z = 1.96). */
export function wilson(hits: number, runs: number): [number, number] {
  if (runs <= 0) return [0, 1];
  const z = 1.96;
  const p = hits / runs;
  const d = 1 + (z * z) / runs;
  const c = (p + (z * z) / (2 * runs)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / runs + (z * z) / (4 * runs * runs))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

const SERIES_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

/**
 * Hit rate (runs that found the bug / runs) against the number of runs, one line per strategy, with 95%
 * Wilson intervals. Series are cumulative counts: `hits[k]` bugs in the first `runs[k]` runs.
 *
 *   // counts from two explorations, e.g. random and PCT over seeds 1..n
 *   showPlot(tslab.display, hitRateFigure([
 *     { name: "random", runs: [10, 100, 1000], hits: [0, 3, 41] },
 *     { name: "PCT d=3", runs: [10, 100, 1000], hits: [1, 12, 130] },
 *   ]));
 */
export function hitRateFigure(series: readonly HitRateSeries[], o: HitRateOptions = {}): Figure {
  const all = series.flatMap((s) => s.runs).filter((n) => n > 0);
  const logX = o.logX ?? (all.length > 0 && Math.max(...all) / Math.min(...all) >= 10);
  const ci = o.ci ?? true;
  let top = 0;
  const data = series.map((s, k) => {
    const n = Math.min(s.runs.length, s.hits.length);
    const x = s.runs.slice(0, n);
    const y = x.map((r, i) => (r > 0 ? (s.hits[i] as number) / r : 0));
    const iv = x.map((r, i) => wilson(s.hits[i] as number, r));
    top = Math.max(top, ...(ci ? iv.map((b) => b[1]) : y));
    return {
      type: "scatter", mode: "lines+markers", name: esc(s.name), x, y,
      line: { color: SERIES_COLORS[k % SERIES_COLORS.length], width: 2 },
      marker: { size: 7 },
      ...(ci
        ? { error_y: { type: "data", symmetric: false, array: iv.map((b, i) => b[1] - (y[i] as number)), arrayminus: iv.map((b, i) => (y[i] as number) - b[0]), thickness: 1, width: 3 } }
        : {}),
      hovertext: x.map((r, i) => {
        const [lo, hi] = iv[i] as [number, number];
        return `${esc(s.name)}: ${s.hits[i]} of ${r} runs hit (${pct(y[i] as number)})<br>95% interval ${pct(lo)} .. ${pct(hi)}`;
      }),
      hoverinfo: "text",
    };
  });
  return {
    data,
    layout: {
      title: { text: esc(o.title ?? "Hit rate as the number of runs grows") },
      xaxis: { title: { text: "runs" }, type: logX ? "log" : "linear", gridcolor: "#eeeeee", ...(logX ? { dtick: "D2" } : {}) },
      yaxis: { title: { text: "runs that hit the bug" }, tickformat: ".0%", range: [0, Math.min(1, Math.max(0.05, top * 1.1))], rangemode: "tozero", gridcolor: "#eeeeee" },
      height: 420,
      margin: { l: 70, r: 30, t: 60, b: 60 },
      legend: { x: 1.02, y: 1 },
      hovermode: "closest",
      plot_bgcolor: "#ffffff",
    },
    config: { responsive: true, displaylogo: false },
  };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
}

/** Options of {@link raceWindow} and {@link raceWindowFigure}. */
export interface RaceWindowOptions {
  /** Steps of thread A before B starts: these values. Default 0 .. A's steps when it runs first and alone. */
  i?: number[];
  /** Steps of thread B before A resumes. Default 0 .. B's steps when it runs first and alone. */
  j?: number[];
  /** Step bound of each run. Default 5000. */
  maxSteps?: number;
  /** Figure title. Default: "Race window: A then B". */
  title?: string;
}

/** The verdict of every (i, j) offset: `verdicts[a][b]` for `i[a]` steps of A, then `j[b]` of B, then the rest. */
export interface RaceWindow {
  threadA: string;
  threadB: string;
  i: number[];
  j: number[];
  verdicts: VerdictKind[][];
  invariants: (string | undefined)[][];
  schedules: string[][];
}

/** The schedule `A*i B*j A* B*` (tokens with 0 steps left out); the default continuation runs the rest. */
export function windowSchedule(a: string, b: string, i: number, j: number): string {
  return [i > 0 ? `${a}*${i}` : "", j > 0 ? `${b}*${j}` : "", `${a}*`, `${b}*`].filter(Boolean).join(" ");
}

/** Steps `t` takes when it runs first and alone until it blocks or ends. */
function soloSteps(p: Prepared, t: string, maxSteps: number): number {
  const r = runPrepared(p, { schedule: `${t}*`, maxSteps });
  let n = 0;
  while (n < r.trace.length && r.trace[n]?.thread === t) n++;
  return n;
}

const range = (n: number) => Array.from({ length: n + 1 }, (_, k) => k);

/**
 * Runs `A*i B*j A* B*` for every i and j (then the default continuation: the other threads) and records
 * each verdict. Deterministic: the same inputs give the same window.
 */
export function raceWindow(p: Prepared, threadA: string, threadB: string, o: RaceWindowOptions = {}): RaceWindow {
  const names = p.threads.map((t) => t.name);
  for (const t of [threadA, threadB]) if (!names.includes(t)) throw new Error(`raceWindow: no thread "${t}"; threads are ${names.join(", ")}`);
  const maxSteps = o.maxSteps ?? 5000;
  const is = o.i ?? range(soloSteps(p, threadA, maxSteps));
  const js = o.j ?? range(soloSteps(p, threadB, maxSteps));
  const verdicts: VerdictKind[][] = [];
  const invariants: (string | undefined)[][] = [];
  const schedules: string[][] = [];
  for (const i of is) {
    const vr: VerdictKind[] = [];
    const ir: (string | undefined)[] = [];
    const sr: string[] = [];
    for (const j of js) {
      const schedule = windowSchedule(threadA, threadB, i, j);
      const r = runPrepared(p, { schedule, maxSteps, trace: false });
      vr.push(r.verdict.kind);
      ir.push(r.verdict.invariant);
      sr.push(schedule);
    }
    verdicts.push(vr);
    invariants.push(ir);
    schedules.push(sr);
  }
  return { threadA, threadB, i: is, j: js, verdicts, invariants, schedules };
}

/**
 * The race window as a heat map: y = steps thread A runs first (i), x = steps thread B then runs (j),
 * each cell the verdict of `A*i B*j A* B*` in its verdict colour (bug red, clean green, ...). The red
 * region is where B's stores land between A's steps at the wrong moment. Hover a cell for its schedule.
 *
 *   const p = prepareScenario("S1", { kernel: "2.6.34" });
 *   showPlot(tslab.display, raceWindowFigure(p, "mig", "T"));
 *   // or from a computed window: raceWindowFigure(raceWindow(p, "mig", "T", { i: [10, 11, 12] }))
 */
export function raceWindowFigure(p: Prepared | RaceWindow, threadA?: string, threadB?: string, o: RaceWindowOptions = {}): Figure {
  let w: RaceWindow;
  if ("verdicts" in p) w = p;
  else {
    if (threadA === undefined || threadB === undefined) throw new Error("raceWindowFigure(prepared, threadA, threadB): name the two threads");
    w = raceWindow(p, threadA, threadB, o);
  }
  const { threadA: a, threadB: b } = w;
  const k = VERDICT_KINDS.length;
  const colorscale: [number, string][] = [];
  VERDICT_KINDS.forEach((v, n) => colorscale.push([n / k, VERDICT_COLORS[v]], [(n + 1) / k, VERDICT_COLORS[v]]));
  const z = w.verdicts.map((row) => row.map((v) => VERDICT_KINDS.indexOf(v)));
  const hover = w.verdicts.map((row, r) => row.map((v, c) => {
    const inv = w.invariants[r]?.[c];
    return `${esc(a)} ${w.i[r]} steps, then ${esc(b)} ${w.j[c]} steps<br>schedule ${esc(w.schedules[r]?.[c] ?? "")}<br><b>${esc(verdictLabel(v, inv))}</b>`;
  }));
  const total = w.i.length * w.j.length;
  const bugs = w.verdicts.flat().filter((v) => v !== "clean" && v !== "bound-reached").length;
  const present = VERDICT_KINDS.filter((v) => w.verdicts.some((row) => row.includes(v)));
  return {
    data: [
      {
        type: "heatmap", x: w.j, y: w.i, z, zmin: -0.5, zmax: k - 0.5, colorscale, showscale: false, xgap: 1, ygap: 1,
        customdata: hover, hovertemplate: "%{customdata}<extra></extra>",
      },
      ...present.map((v) => ({
        type: "scatter", mode: "markers", name: v, x: [null], y: [null], hoverinfo: "skip",
        marker: { symbol: "square", size: 14, color: VERDICT_COLORS[v] },
      })),
    ],
    layout: {
      title: { text: esc(o.title ?? `Race window: ${a} then ${b}`) },
      xaxis: { title: { text: `j: steps of ${esc(b)} after ${esc(a)}'s first i` }, dtick: w.j.length > 30 ? 5 : 1, constrain: "domain" },
      yaxis: { title: { text: `i: steps of ${esc(a)} before ${esc(b)} starts` }, dtick: w.i.length > 30 ? 5 : 2, autorange: "reversed" },
      annotations: [{
        x: 0, y: 1.01, xref: "paper", yref: "paper", xanchor: "left", yanchor: "bottom", showarrow: false, font: { size: 11, color: "#555555" },
        text: `schedule ${esc(a)}*i ${esc(b)}*j ${esc(a)}* ${esc(b)}* then the others; ${bugs} of ${total} (i, j) pairs fail`,
      }],
      height: Math.max(380, 180 + 14 * w.i.length),
      margin: { l: 80, r: 30, t: 80, b: 60 },
      legend: { x: 1.02, y: 1, title: { text: "verdict" } },
      plot_bgcolor: "#ffffff",
    },
    config: { responsive: true, displaylogo: false },
  };
}
