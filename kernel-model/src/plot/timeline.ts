/**
 * Thread timelines: one swimlane per thread, one marker per step, locks held drawn as bars under the lane,
 * the vma field stores and the vma_address() reads that race with them in their own colours, and the step
 * of the deciding violation marked.
 */
import type { RunResult } from "../sim/scheduler";
import type { TraceEntry } from "../sim/trace";
import { clip, esc, hoverLines, lockClassOf, lockColor, VERDICT_COLORS } from "./common";
import type { Figure } from "./display";

/** A shaded range of steps, e.g. the window between two stores where a read goes wrong. */
export interface TimelineHighlight {
  /** First step of the range (trace index). */
  from: number;
  /** Last step of the range (inclusive). */
  to: number;
  /** Text shown at the top of the range. */
  text?: string;
  /** Fill colour. Default a light yellow. */
  color?: string;
}

/** Options of {@link timelineFigure}. */
export interface TimelineOptions {
  /** Figure title. Default: "Thread timeline: <verdict>". */
  title?: string;
  /** Step ranges to shade. Default none. */
  highlight?: TimelineHighlight[];
  /** Label the vma field stores and vma_address() reads with their step text. Default true. */
  labels?: boolean;
  /** Lane order. Default: the run's threads in declaration order (threads that never ran included). */
  threads?: string[];
}

/** What a step is, for its colour: a store to vm_start/vm_end/vm_pgoff, a vma_address() read, or other. */
export type StepKind = "store" | "vma_address" | "step";

/** Classifies a step by its label (exported for tests and notebooks). */
export function stepKind(label: string): StepKind {
  if (label.includes("vma_address")) return "vma_address";
  if (/vm_start =|vm_pgoff|vm_end =|\+=|-=/.test(label)) return "store";
  return "step";
}

const KIND_STYLE: Record<StepKind, { name: string; color: string; symbol: string; size: number }> = {
  step: { name: "step", color: "#7f7f7f", symbol: "circle", size: 8 },
  store: { name: "vma field store (vm_start / vm_end / vm_pgoff)", color: "#ff7f0e", symbol: "square", size: 12 },
  vma_address: { name: "vma_address() read", color: "#1f77b4", symbol: "diamond", size: 13 },
};

const VIOLATION_NOTE = /^(I\d+|deadlock|livelock)\s*:/;

/** Locks held by a thread as intervals [from, to) of trace indices; `to` is the releasing step (or the end). */
export interface LockInterval {
  thread: string;
  lock: string;
  from: number;
  /** The step that released it; the step after the last one when still held at the end. */
  to: number;
  /** Still held when the run ended. */
  open: boolean;
}

/** The lock-held intervals of a trace, from each step's `held` list. */
export function lockIntervals(trace: readonly TraceEntry[]): LockInterval[] {
  const out: LockInterval[] = [];
  const open = new Map<string, Map<string, number>>();
  const end = trace.length ? (trace[trace.length - 1] as TraceEntry).i + 1 : 0;
  for (const e of trace) {
    const mine = open.get(e.thread) ?? new Map<string, number>();
    open.set(e.thread, mine);
    for (const [lock, from] of mine) {
      if (!e.held.includes(lock)) {
        out.push({ thread: e.thread, lock, from, to: e.i, open: false });
        mine.delete(lock);
      }
    }
    for (const lock of e.held) if (!mine.has(lock)) mine.set(lock, e.i);
  }
  for (const [thread, mine] of open) for (const [lock, from] of mine) out.push({ thread, lock, from, to: end, open: true });
  return out.sort((a, b) => a.from - b.from || a.thread.localeCompare(b.thread));
}

function stepHover(e: TraceEntry): string {
  const changes = e.changes.length > 8 ? [...e.changes.slice(0, 7), `… (${e.changes.length - 7} more changes)`] : e.changes;
  return (
    `<b>#${e.i} ${esc(e.thread)}</b>: ${esc(e.label)}<br>` +
    `<i>${esc(e.loc)}</i>` +
    (e.held.length ? `<br>holds ${esc(e.held.join(", "))}` : "") +
    (e.notes.length ? "<br>" + hoverLines(e.notes.map((n) => `=> ${n}`)) : "") +
    (changes.length ? "<br>" + hoverLines(changes.map((c) => `  ${c}`), 9) : "")
  );
}

/** A short marker label: "vm_start = 20", "vma_address(pg1@mig, vma1)". */
function shortLabel(e: TraceEntry): string {
  const s = e.label.replace(/^(vma_adjust|expand_downwards): /, "").replace(/^vma_address: read /, "read ");
  return clip(s, 26);
}

/**
 * A run as swimlanes: x is the step (trace index), y the thread. Each step is a marker (hover: label,
 * v2.6.34 file:line, locks held, notes, state changes); vma field stores are orange squares and
 * `vma_address()` reads blue diamonds; steps that recorded a violation get a red ring; locks held are
 * bars under the lane, coloured by lock class; the deciding violation (`run.verdict.step`) is a vertical
 * line with its message. A thread that is blocked or not scheduled simply has no marker at that step.
 *
 *   const r = runScenario("S1", { kernel: "2.6.34" });
 *   showPlot(tslab.display, timelineFigure(r, { title: "S1 on 2.6.34",
 *     highlight: [{ from: 18, to: 28, text: "vm_start stored, vm_pgoff not yet" }] }));
 */
export function timelineFigure(run: RunResult, o: TimelineOptions = {}): Figure {
  const trace = run.trace;
  const inTrace = [...new Set(trace.map((e) => e.thread))];
  const threads = o.threads ?? [...Object.keys(run.state.threads), ...inTrace.filter((t) => !(t in run.state.threads))];
  const lane = new Map(threads.map((t, k) => [t, k]));
  const laneOf = (t: string) => lane.get(t) ?? 0;
  const last = trace.length ? (trace[trace.length - 1] as TraceEntry).i : 0;
  const labels = o.labels ?? true;
  const data: object[] = [];

  // Runs: consecutive steps of one thread joined by a thick faint line, so gaps (another thread ran, or
  // this one was blocked) stand out.
  const rx: (number | null)[] = [];
  const ry: (number | null)[] = [];
  for (let k = 1; k < trace.length; k++) {
    const a = trace[k - 1] as TraceEntry;
    const b = trace[k] as TraceEntry;
    if (a.thread === b.thread) rx.push(a.i, b.i, null), ry.push(laneOf(a.thread), laneOf(b.thread), null);
  }
  data.push({
    type: "scatter", mode: "lines", name: "consecutive steps", x: rx, y: ry, hoverinfo: "skip", showlegend: false,
    line: { color: "#d9d9d9", width: 6 },
  });

  // Locks held: horizontal bars under the lane, one row per lock the thread takes.
  const intervals = lockIntervals(trace);
  const slot = new Map<string, number>();
  const perThread = new Map<string, number>();
  for (const iv of intervals) {
    const k = `${iv.thread}|${iv.lock}`;
    if (!slot.has(k)) {
      const n = perThread.get(iv.thread) ?? 0;
      slot.set(k, n % 5);
      perThread.set(iv.thread, n + 1);
    }
  }
  const classes = [...new Set(intervals.map((iv) => lockClassOf(iv.lock)))];
  for (const cls of classes) {
    const ivs = intervals.filter((iv) => lockClassOf(iv.lock) === cls);
    data.push({
      type: "bar", orientation: "h", name: `holds ${cls}`, legendgroup: `lock-${cls}`,
      base: ivs.map((iv) => iv.from),
      x: ivs.map((iv) => Math.max(0.35, iv.to - iv.from)),
      y: ivs.map((iv) => laneOf(iv.thread) + 0.2 + 0.125 * (slot.get(`${iv.thread}|${iv.lock}`) ?? 0)),
      width: 0.11,
      marker: { color: lockColor(cls), opacity: 0.85, line: { width: 0 } },
      text: ivs.map((iv) => iv.lock),
      textposition: "inside", insidetextanchor: "start", textfont: { size: 9, color: "#ffffff" },
      hovertext: ivs.map(
        (iv) => `${esc(iv.thread)} holds ${esc(iv.lock)}<br>steps ${iv.from}..${iv.open ? `${iv.to - 1} (still held at the end)` : `${iv.to - 1}, released at ${iv.to}`}`,
      ),
      hoverinfo: "text",
    });
  }

  // Steps, one trace per kind.
  for (const kind of ["step", "store", "vma_address"] as StepKind[]) {
    const es = trace.filter((e) => stepKind(e.label) === kind);
    if (es.length === 0) continue;
    const st = KIND_STYLE[kind];
    data.push({
      type: "scatter", mode: "markers", name: st.name,
      x: es.map((e) => e.i), y: es.map((e) => laneOf(e.thread)),
      hovertext: es.map(stepHover), hoverinfo: "text",
      marker: { color: st.color, symbol: st.symbol, size: st.size, line: { color: "#ffffff", width: 1 } },
    });
  }

  // Steps that recorded a violation (I5 at the missed vma_address, I2 at unlock_page, the BUG).
  const bad = trace.filter((e) => e.notes.some((n) => VIOLATION_NOTE.test(n)));
  if (bad.length) {
    data.push({
      type: "scatter", mode: "markers", name: "violation recorded",
      x: bad.map((e) => e.i), y: bad.map((e) => laneOf(e.thread)),
      hovertext: bad.map(stepHover), hoverinfo: "text",
      marker: { symbol: "circle-open", size: 22, color: VERDICT_COLORS.bug, line: { width: 2.5, color: VERDICT_COLORS.bug } },
    });
  }

  const shapes: object[] = [];
  const annotations: object[] = [];
  // Labels of stores and reads above their markers, staggered in levels so that neighbours do not overlap.
  if (labels) {
    const lastAt = new Map<string, { x: number; level: number }>();
    for (const e of trace) {
      const kind = stepKind(e.label);
      if (kind === "step") continue;
      const prev = lastAt.get(e.thread);
      const level = prev && e.i - prev.x <= 5 ? (prev.level + 1) % 3 : 0;
      lastAt.set(e.thread, { x: e.i, level });
      annotations.push({
        x: e.i, y: laneOf(e.thread), xref: "x", yref: "y", yanchor: "bottom", yshift: 9 + 13 * level,
        text: esc(shortLabel(e)), showarrow: false, font: { size: 9, color: KIND_STYLE[kind].color },
      });
    }
  }
  for (const h of o.highlight ?? []) {
    shapes.push({
      type: "rect", xref: "x", yref: "paper", x0: h.from - 0.5, x1: h.to + 0.5, y0: 0, y1: 1, layer: "below",
      fillcolor: h.color ?? "#fff3b0", opacity: 0.6, line: { width: 0 },
    });
    if (h.text) annotations.push({ x: (h.from + h.to) / 2, y: 1, xref: "x", yref: "paper", yanchor: "top", text: esc(h.text), showarrow: false, font: { size: 11, color: "#8a6d00" } });
  }
  const v = run.verdict;
  if (v.kind !== "clean" && v.step !== undefined) {
    const x = v.step < 0 ? last + 0.5 : v.step;
    const color = VERDICT_COLORS[v.kind];
    shapes.push({ type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1, line: { color, width: 2, dash: "dash" } });
    const where = v.step < 0 ? " (end-of-run check)" : ` at step ${v.step}`;
    annotations.push({
      x, y: 1, xref: "x", yref: "paper", yanchor: "bottom", xanchor: x > last * 0.6 ? "right" : "left",
      text: `<b>${esc(v.invariant ?? v.kind)}</b>${esc(where)}: ${esc(clip(v.message ?? v.kind, 70))}`,
      showarrow: false, font: { size: 11, color }, bgcolor: "rgba(255,255,255,0.85)",
    });
  }

  const verdictText = v.kind === "clean" ? "clean" : `${v.kind}${v.invariant ? ` (${v.invariant})` : ""}`;
  return {
    data,
    layout: {
      title: { text: esc(o.title ?? `Thread timeline: ${verdictText}`) },
      barmode: "overlay",
      xaxis: { title: { text: "step (trace index)" }, range: [-1, last + 1.5], zeroline: false, dtick: last > 60 ? 10 : 5, showgrid: true, gridcolor: "#f0f0f0" },
      yaxis: {
        title: { text: "thread" }, tickvals: threads.map((_, k) => k), ticktext: threads.map(esc),
        range: [threads.length - 0.25, -0.75], zeroline: false, showgrid: false,
      },
      shapes, annotations,
      height: Math.max(320, 180 + 150 * threads.length),
      margin: { l: 70, r: 30, t: 80, b: 50 },
      legend: { orientation: "h", y: -0.18, yanchor: "top", font: { size: 10 } },
      hovermode: "closest",
      plot_bgcolor: "#ffffff",
    },
    config: { responsive: true, displaylogo: false },
  };
}
