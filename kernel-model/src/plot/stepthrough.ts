/**
 * Step-through: a run replayed frame by frame, with a slider (and a play button) over its steps. Each frame
 * shows the address space at that step: every mm a lane, its vmas as bars over their page range, the ptes as
 * markers (present, migration entry, swap entry) and the address the walker's vma_address() computed.
 */
import type { Prepared } from "../scenarios/build";
import type { Mm, Pte, State } from "../mm/types";
import { runPrepared } from "../api";
import type { RunResult } from "../sim/scheduler";
import type { TraceEntry } from "../sim/trace";
import { esc, hoverLines, PTE_COLORS, VERDICT_COLORS } from "./common";
import type { Figure } from "./display";
import { stepKind } from "./timeline";

/** Options of {@link stepThroughFigure}. */
export interface StepThroughOptions {
  /** Figure title. Default: "Step-through: <scenario id>". */
  title?: string;
  /**
   * Most frames (besides the starting state). Default 80. A longer run keeps the steps that matter
   * (field stores, vma_address() reads, violations, the last step) and fills up with evenly spaced others.
   */
  maxFrames?: number;
}

/** The result of one vma_address() read, as the walker computed it. */
export interface WalkerRead {
  step: number;
  thread: string;
  page: string;
  vma: string;
  mm: string;
  /** vm_start + (page->index - vm_pgoff): the address computed from the fields it read. */
  address: number;
  /** Inside [vm_start, vm_end): vma_address() returns it; otherwise it returns -EFAULT. */
  inside: boolean;
  /** The step recorded I5: the walk missed a pte of the page through this read. */
  missed: boolean;
  vm_start: number;
  vm_pgoff: number;
  vm_end: number;
  index: number;
}

const EFAULT_NOTE = /vma_address\(([\w@]+), (\w+)\) = -EFAULT \(vm_start (-?\d+), vm_pgoff (-?\d+), vm_end (-?\d+)\)/;
const ONE_STEP = /^vma_address\(([\w@]+), (\w+)\)$/;

/**
 * What the vma_address() read at `e` computed, from the state right after it (a one-step read does not
 * change the fields it reads). Per-field reads are recognised only when they return -EFAULT (their note
 * names the page). Null for other steps.
 */
export function walkerRead(e: TraceEntry, after: State): WalkerRead | null {
  let page: string, vma: string, start: number, pgoff: number, end: number;
  const note = e.notes.map((n) => EFAULT_NOTE.exec(n)).find((m) => m !== null);
  const one = ONE_STEP.exec(e.label);
  if (note) {
    [page, vma] = [note[1] as string, note[2] as string];
    [start, pgoff, end] = [Number(note[3]), Number(note[4]), Number(note[5])];
  } else if (one) {
    [page, vma] = [one[1] as string, one[2] as string];
    const v = after.vmas[vma];
    if (!v) return null;
    [start, pgoff, end] = [v.vm_start, v.vm_pgoff, v.vm_end];
  } else return null;
  const p = after.pages[page];
  const v = after.vmas[vma];
  if (!p || !v) return null;
  const address = start + (p.index - pgoff);
  return {
    step: e.i, thread: e.thread, page, vma, mm: v.mm, address, inside: start <= address && address < end,
    missed: e.notes.some((n) => n.startsWith("I5:")),
    vm_start: start, vm_pgoff: pgoff, vm_end: end, index: p.index,
  };
}

/**
 * The state after each step of `run`, replayed on `prepared`: `states[0]` is the state before step 0 and
 * `states[i + 1]` the state after step i. One replay, with a chooser that follows the trace.
 */
export function statesAlong(prepared: Prepared, run: RunResult): State[] {
  if (run.trace.length !== run.steps) throw new Error("stepThroughFigure: the run has no trace; run it with trace: true (the default)");
  const states: State[] = [];
  const mismatch = (why: string) =>
    new Error(`stepThroughFigure: replaying "${run.schedule}" on this prepared scenario ${why}; pass the Prepared the run was made from`);
  const r = runPrepared(prepared, {
    trace: false,
    maxSteps: run.trace.length,
    chooser: (c) => {
      const e = run.trace[c.step] as TraceEntry;
      // The replay must take the same steps, not only the same threads.
      if (c.next[e.thread]?.label !== e.label) throw mismatch(`diverges at step ${c.step} ("${e.thread}: ${e.label}")`);
      states.push(structuredClone(c.state) as State);
      return e.thread;
    },
  });
  states.push(r.state);
  if (r.schedule !== run.schedule) throw mismatch(`gave "${r.schedule}"`);
  return states;
}

/** Which steps get a frame: all of them up to `max`, else the ones that matter plus evenly spaced others. */
function pickFrames(run: RunResult, max: number): number[] {
  const n = run.trace.length;
  if (n <= max) return run.trace.map((e) => e.i);
  const must = new Set<number>([n - 1]);
  if (run.verdict.step !== undefined && run.verdict.step >= 0 && run.verdict.step < n) must.add(run.verdict.step);
  for (const e of run.trace) if (stepKind(e.label) !== "step" || e.notes.some((x) => /^(I\d+|deadlock|livelock)\s*:/.test(x))) must.add(e.i);
  let picked = [...must].sort((a, b) => a - b);
  if (picked.length > max) picked = Array.from({ length: max }, (_, k) => picked[Math.round((k * (picked.length - 1)) / (max - 1))] as number);
  for (let k = 0; picked.length < max && k < max; k++) {
    const i = Math.round((k * (n - 1)) / (max - 1));
    if (!picked.includes(i)) picked.push(i);
  }
  return [...new Set(picked)].sort((a, b) => a - b).slice(0, max);
}

const VMA_PALETTE = ["#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5"];

interface FrameArgs {
  state: State;
  lanes: string[];
  vmaColor: (id: string) => string;
  reads: WalkerRead[];
  current: number;
}

/** The seven traces of a frame, always in this order: vmas, ptes present/migration/swap, reads found/-EFAULT/missed. */
function frameTraces({ state, lanes, vmaColor, reads, current }: FrameArgs): object[] {
  const laneOf = (mm: string) => lanes.indexOf(mm);
  const bars = { base: [] as number[], x: [] as number[], y: [] as number[], text: [] as string[], hovertext: [] as string[], color: [] as string[], pattern: [] as string[] };
  for (const mmId of lanes) {
    const mm = state.mms[mmId];
    if (!mm) continue;
    const own = Object.values(state.vmas).filter((v) => v.mm === mmId && !v.freed);
    const listed = mm.mmap.filter((id) => own.some((v) => v.id === id));
    const loose = own.filter((v) => !mm.mmap.includes(v.id)).map((v) => v.id);
    [...listed, ...loose].forEach((id, k) => {
      const v = state.vmas[id];
      if (!v) return;
      const onList = mm.mmap.includes(id);
      bars.base.push(v.vm_start);
      bars.x.push(Math.max(0.0001, v.vm_end - v.vm_start));
      bars.y.push(laneOf(mmId) + (k % 2 === 0 ? -0.07 : 0.07));
      bars.text.push(`${id} off ${v.vm_pgoff}`);
      bars.color.push(vmaColor(id));
      bars.pattern.push(onList ? "" : "/");
      bars.hovertext.push(hoverLines([
        `${id}${onList ? "" : " (not on mm->mmap yet)"}`,
        `[p${v.vm_start}, p${v.vm_end}) vm_pgoff ${v.vm_pgoff}`,
        `page index i is at p(i - ${v.vm_pgoff} + ${v.vm_start})`,
        `anon_vma ${v.anon_vma ?? "NULL"}, chain [${v.anon_vma_chain.join(", ")}]`,
      ]));
    });
  }
  const ptes: Record<Pte["kind"], { x: number[]; y: number[]; text: string[]; hovertext: string[] }> = {
    present: { x: [], y: [], text: [], hovertext: [] },
    migration: { x: [], y: [], text: [], hovertext: [] },
    swap: { x: [], y: [], text: [], hovertext: [] },
  };
  for (const mmId of lanes) {
    const mm = state.mms[mmId] as Mm | undefined;
    if (!mm) continue;
    for (const [a, pte] of Object.entries(mm.ptes)) {
      const t = ptes[pte.kind];
      const target = pte.kind === "swap" ? `swap ${pte.entry}` : pte.page;
      const pageIndex = pte.kind === "swap" ? undefined : state.pages[pte.page]?.index;
      t.x.push(Number(a) + 0.5);
      t.y.push(laneOf(mmId) - 0.3);
      t.text.push(target);
      t.hovertext.push(hoverLines([
        `pte ${mmId}:p${a}: ${pte.kind}${pte.kind !== "swap" && pte.write ? " (write)" : ""}`,
        `-> ${target}${pageIndex !== undefined ? ` (index ${pageIndex})` : ""}`,
      ]));
    }
  }
  const walk = (kind: "found" | "efault" | "missed") => {
    const rs = reads.filter((r) => (r.missed ? "missed" : r.inside ? "found" : "efault") === kind && lanes.includes(r.mm));
    return {
      x: rs.map((r) => r.address + 0.5),
      y: rs.map((r) => laneOf(r.mm) + 0.3),
      text: rs.map((r) => `${r.step === current ? "" : `#${r.step} `}${kind === "missed" ? "✗ " : ""}${r.vma}: p${r.address}${r.inside ? "" : " -EFAULT"}`),
      hovertext: rs.map((r) => hoverLines([
        `#${r.step} ${r.thread}: vma_address(${r.page}, ${r.vma})`,
        `vm_start ${r.vm_start} + (index ${r.index} - vm_pgoff ${r.vm_pgoff}) = p${r.address}`,
        r.inside ? `inside [p${r.vm_start}, p${r.vm_end}): returns p${r.address}` : `outside [p${r.vm_start}, p${r.vm_end}): returns -EFAULT`,
        ...(r.missed ? ["the walk missed a pte of the page here (I5)"] : []),
      ])),
      opacity: rs.map((r) => (r.step === current ? 1 : 0.45)),
    };
  };
  const ok = walk("found");
  const efault = walk("efault");
  const missed = walk("missed");
  return [
    {
      type: "bar", orientation: "h", name: "vma [vm_start, vm_end)", base: bars.base, x: bars.x, y: bars.y, width: 0.26,
      text: bars.text, textposition: "inside", insidetextanchor: "middle", textfont: { size: 11, color: "#222222" },
      hovertext: bars.hovertext, hoverinfo: "text",
      marker: { color: bars.color, line: { color: "#555555", width: 1 }, pattern: { shape: bars.pattern, fgcolor: "#777777" } },
    },
    ...(["present", "migration", "swap"] as const).map((k) => ({
      type: "scatter", mode: "markers+text", name: `pte: ${k === "present" ? "present" : `${k} entry`}`,
      ...ptes[k], textposition: "top center", textfont: { size: 10, color: PTE_COLORS[k] }, hoverinfo: "text",
      marker: { color: PTE_COLORS[k], size: 13, symbol: k === "present" ? "circle" : k === "migration" ? "x" : "square", line: { width: 1, color: "#ffffff" } },
    })),
    {
      type: "scatter", mode: "markers+text", name: "vma_address() result", x: ok.x, y: ok.y, text: ok.text,
      textposition: "bottom center", textfont: { size: 10, color: "#1f77b4" }, hovertext: ok.hovertext, hoverinfo: "text",
      marker: { symbol: "triangle-up", size: 14, color: "#1f77b4", opacity: ok.opacity },
    },
    {
      type: "scatter", mode: "markers+text", name: "vma_address() = -EFAULT (computed address)", x: efault.x, y: efault.y, text: efault.text,
      textposition: "bottom center", textfont: { size: 10, color: "#7f7f7f" }, hovertext: efault.hovertext, hoverinfo: "text",
      marker: { symbol: "triangle-up-open", size: 14, color: "#7f7f7f", opacity: efault.opacity, line: { width: 2 } },
    },
    {
      type: "scatter", mode: "markers+text", name: "vma_address() read that missed a pte (I5)", x: missed.x, y: missed.y, text: missed.text,
      textposition: "bottom center", textfont: { size: 10, color: VERDICT_COLORS.bug }, hovertext: missed.hovertext, hoverinfo: "text",
      marker: { symbol: "triangle-up", size: 15, color: VERDICT_COLORS.bug, opacity: missed.opacity, line: { width: 1, color: "#ffffff" } },
    },
  ];
}

function caption(e: TraceEntry | null, run: RunResult): string {
  if (!e) return "start: the state after the set-up, before step 0";
  const notes = e.notes.map((n) => `=> ${n}`);
  const deciding = run.verdict.step === e.i ? " <b>(deciding violation)</b>" : "";
  return `<b>#${e.i} ${esc(e.thread)}</b>: ${esc(e.label)}  <i>[${esc(e.loc)}]</i>${deciding}` + (notes.length ? "<br>" + hoverLines(notes.flatMap((n) => wrap(n, 100)), 5) : "");
}

/** Splits text at spaces into lines of at most `n` characters (a longer word stays whole). */
function wrap(text: string, n: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const word of text.split(" ")) {
    if (cur && cur.length + 1 + word.length > n) {
      lines.push(cur);
      cur = "   " + word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}

/**
 * A run as animation frames with a slider: one frame for the starting state and one per step (up to
 * `maxFrames`), each showing every mm as a lane with its vmas as bars over `[vm_start, vm_end)` (hatched
 * while not yet on mm->mmap), the ptes as markers above them (present green, migration entry red x, swap
 * blue) and, below, the address each `vma_address()` read computed: blue when it lands inside the vma,
 * red with "✗" when it falls outside and the walker gets -EFAULT. Pass the `Prepared` the run came from:
 * the states are recomputed by replaying `run`'s steps on it.
 *
 *   const p = prepareScenario("S1", { kernel: "2.6.34" });
 *   const r = runPrepared(p);
 *   showPlot(tslab.display, stepThroughFigure(p, r, { title: "S1, step by step" }));
 */
export function stepThroughFigure(prepared: Prepared, run: RunResult, o: StepThroughOptions = {}): Figure {
  const states = statesAlong(prepared, run);
  const picked = pickFrames(run, o.maxFrames ?? 80);

  const lanes: string[] = [];
  for (const s of states) for (const id of Object.keys(s.mms)) if (!lanes.includes(id)) lanes.push(id);
  const vmaIds: string[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of states) {
    for (const v of Object.values(s.vmas)) {
      if (!vmaIds.includes(v.id)) vmaIds.push(v.id);
      if (!v.freed) (lo = Math.min(lo, v.vm_start)), (hi = Math.max(hi, v.vm_end));
    }
    for (const mm of Object.values(s.mms)) for (const a of Object.keys(mm.ptes)) (lo = Math.min(lo, Number(a))), (hi = Math.max(hi, Number(a) + 1));
  }
  const reads: WalkerRead[] = [];
  run.trace.forEach((e, k) => {
    const r = walkerRead(e, states[k + 1] as State);
    if (r) reads.push(r);
  });
  for (const r of reads) (lo = Math.min(lo, r.address)), (hi = Math.max(hi, r.address + 1));
  if (!Number.isFinite(lo)) (lo = 0), (hi = 1);
  const vmaColor = (id: string) => VMA_PALETTE[Math.max(0, vmaIds.indexOf(id)) % VMA_PALETTE.length] as string;

  // A read stays on screen, faded, for a few steps after it, so the miss is visible while the walk goes on.
  const readsAt = (step: number) => reads.filter((r) => r.step <= step && step - r.step <= 4);
  const frames: { name: string; data: object[]; layout: object }[] = [];
  const mkFrame = (name: string, state: State, e: TraceEntry | null) => ({
    name,
    data: frameTraces({ state, lanes, vmaColor, reads: e ? readsAt(e.i) : [], current: e ? e.i : -1 }),
    layout: { annotations: [{ ...CAPTION, text: caption(e, run) }] },
  });
  frames.push(mkFrame("start", states[0] as State, null));
  for (const i of picked) frames.push(mkFrame(String(i), states[i + 1] as State, run.trace[i] as TraceEntry));

  // The slider and buttons sit a fixed 75 px under the plot area, whatever its height.
  const height = Math.max(470, 340 + 130 * lanes.length);
  const below = -75 / (height - 160 - 160);
  const first = frames[0] as { data: object[]; layout: { annotations: object[] } };
  const sliderSteps = frames.map((f) => ({
    label: f.name, method: "animate",
    args: [[f.name], { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } }],
  }));
  return {
    data: first.data,
    frames,
    layout: {
      title: { text: esc(o.title ?? `Step-through: ${prepared.spec.id}`), y: 0.985, yanchor: "top" },
      barmode: "overlay",
      xaxis: { title: { text: "virtual page number (address >> PAGE_SHIFT)" }, range: [lo - 1, hi + 1], dtick: hi - lo > 40 ? 4 : 2, gridcolor: "#eeeeee" },
      yaxis: { title: { text: "mm" }, tickvals: lanes.map((_, k) => k), ticktext: lanes.map(esc), range: [lanes.length - 0.4, -0.65], zeroline: false },
      annotations: first.layout.annotations,
      height,
      margin: { l: 60, r: 30, t: 160, b: 160 },
      legend: { orientation: "v", x: 1.02, y: 1, yanchor: "top", font: { size: 10 } },
      hovermode: "closest",
      plot_bgcolor: "#ffffff",
      sliders: [{
        active: 0, steps: sliderSteps, x: 0.22, len: 0.78, y: below, yanchor: "top", pad: { t: 10 },
        currentvalue: { prefix: "step ", font: { size: 12 } }, font: { size: 9 },
      }],
      updatemenus: [{
        type: "buttons", direction: "left", showactive: false, x: 0, y: below, xanchor: "left", yanchor: "top", pad: { t: 30 },
        buttons: [
          { label: "Play", method: "animate", args: [null, { mode: "immediate", fromcurrent: true, frame: { duration: 600, redraw: true }, transition: { duration: 0 } }] },
          { label: "Pause", method: "animate", args: [[null], { mode: "immediate", frame: { duration: 0, redraw: false }, transition: { duration: 0 } }] },
        ],
      }],
    },
    config: { responsive: true, displaylogo: false },
  };
}

/** Where the step caption sits: above the plot, left-aligned. */
const CAPTION = { x: 0, y: 1.03, xref: "paper", yref: "paper", xanchor: "left", yanchor: "bottom", align: "left", showarrow: false, font: { size: 12 } };
