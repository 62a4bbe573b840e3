/**
 * Structure diagrams: the reverse-map objects of a state as a layered graph,
 * mm_struct → vm_area_struct → anon_vma_chain → anon_vma ← page, with each pte drawn from the vma that
 * maps it to its page. This is the path an rmap walk takes backwards: page->mapping gives the anon_vma, its
 * same_anon_vma list gives the chains, each chain a vma, and vma_address() the pte.
 */
import type { AnonVma, Avc, Mm, Page, Pte, State, Vma } from "../mm/types";
import { clip, esc, hoverLines, PTE_COLORS } from "./common";
import type { Figure } from "./display";

/** Options of {@link structureFigure} and {@link structureCompare}. */
export interface StructureOptions {
  /** Figure title. Default: "rmap structure" (compare: "rmap structure side by side"). */
  title?: string;
  /**
   * Also show objects that are freed (or, for chains, unlinked) and that nothing shown points to.
   * Default false: freed objects still referenced (a pte to a freed page, a page->mapping to a freed
   * anon_vma) are always shown, greyed and marked "freed".
   */
  showFreed?: boolean;
  /** Mark the root anon_vma (anon_vma->root, read from 2.6.36 on) with a thick border. Default true. */
  markRoot?: boolean;
  /** Draw each pte as a curve from the vma that maps it to its page. Default true. */
  pteEdges?: boolean;
}

type NodeKind = "mm" | "vma" | "avc" | "anon_vma" | "page";
type PteKind = Pte["kind"];

interface GNode {
  kind: NodeKind;
  id: string;
  x: number;
  y: number;
  label: string;
  hover: string;
  freed: boolean;
  /** Pages: the worst pte kind that maps it ("migration" > "swap" > "present"), or "none". */
  status?: PteKind | "none";
  root?: boolean;
}

interface GEdge {
  kind: "mmap" | "vm_mm" | "same_vma" | "same_anon_vma" | "avc_pointer" | "mapping" | PteKind;
  from: GNode;
  to: GNode;
}

interface Graph {
  nodes: GNode[];
  edges: GEdge[];
  /** Largest row used (rows start at 0). */
  rows: number;
}

/** Column of each node kind. */
const COLUMN: Record<NodeKind, number> = { mm: 0, vma: 1, avc: 2, anon_vma: 3, page: 4 };
/** Horizontal distance between two panels of a comparison, in column units. */
const PANEL_WIDTH = 5.4;

const NODE_STYLE: Record<Exclude<NodeKind, "page">, { name: string; color: string; symbol: string; size: number }> = {
  mm: { name: "mm_struct", color: "#3b4252", symbol: "square", size: 18 },
  vma: { name: "vm_area_struct", color: "#1f77b4", symbol: "square", size: 16 },
  avc: { name: "anon_vma_chain", color: "#17becf", symbol: "circle", size: 11 },
  anon_vma: { name: "anon_vma", color: "#9467bd", symbol: "hexagon", size: 20 },
};
const FREED_COLOR = "#c8c8c8";

const EDGE_STYLE: Record<GEdge["kind"], { name: string; color: string; dash: string; width: number }> = {
  mmap: { name: "mm->mmap", color: "#7f8c9a", dash: "solid", width: 1.5 },
  vm_mm: { name: "vma->vm_mm (not on mm->mmap)", color: "#7f8c9a", dash: "dot", width: 1.5 },
  same_vma: { name: "vma->anon_vma_chain (same_vma)", color: "#1f77b4", dash: "solid", width: 1.5 },
  same_anon_vma: { name: "anon_vma->head (same_anon_vma)", color: "#9467bd", dash: "solid", width: 1.5 },
  avc_pointer: { name: "avc pointer, not on the list", color: "#9467bd", dash: "dot", width: 1.5 },
  mapping: { name: "page->mapping", color: "#555555", dash: "dash", width: 1.5 },
  present: { name: "pte: present", color: PTE_COLORS.present, dash: "solid", width: 1.2 },
  migration: { name: "pte: migration entry", color: PTE_COLORS.migration, dash: "solid", width: 2 },
  swap: { name: "pte: swap entry", color: PTE_COLORS.swap, dash: "solid", width: 1.2 },
};

const PAGE_STATUS_NAME: Record<PteKind | "none", string> = {
  migration: "page with a migration pte",
  swap: "page with a swap pte",
  present: "page mapped (present pte)",
  none: "page not mapped",
};

function ptesOf(s: State): { mm: Mm; addr: number; pte: Pte; page: string | null }[] {
  const out: { mm: Mm; addr: number; pte: Pte; page: string | null }[] = [];
  for (const mm of Object.values(s.mms)) {
    for (const [a, pte] of Object.entries(mm.ptes)) {
      const page = pte.kind === "swap" ? (s.swap.slots[String(pte.entry)] ?? null) : pte.page;
      out.push({ mm, addr: Number(a), pte, page });
    }
  }
  return out;
}

function pteText(mm: string, addr: number, pte: Pte): string {
  if (pte.kind === "swap") return `${mm}:p${addr} swap entry ${pte.entry}`;
  return `${mm}:p${addr} ${pte.kind}${pte.write ? " (write)" : ""}`;
}

/** Pushes sorted positions apart so that neighbours are at least `gap` apart. */
function spread(items: { y: number }[], gap = 1): void {
  items.sort((a, b) => a.y - b.y);
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1] as { y: number };
    const cur = items[i] as { y: number };
    if (cur.y < prev.y + gap) cur.y = prev.y + gap;
  }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The graph of a state: which objects are shown, their rows (a layered layout) and the edges. */
function buildGraph(s: State, o: StructureOptions): Graph {
  const showFreed = o.showFreed ?? false;
  const markRoot = o.markRoot ?? true;
  const ptes = ptesOf(s);
  const lockOwner = (id: string): string => {
    const l = s.locks[id];
    if (!l) return "";
    const who = [l.owner, ...l.readers].filter((x): x is string => !!x);
    return who.length ? ` (held by ${who.join(", ")})` : "";
  };

  // Which objects to show: live ones, and freed ones something live still points to.
  const pageShown = new Set<string>();
  for (const p of Object.values(s.pages)) if (!p.freed || showFreed) pageShown.add(p.id);
  for (const t of ptes) if (t.page && s.pages[t.page]) pageShown.add(t.page);
  for (const id of Object.values(s.swap.slots)) if (s.pages[id]) pageShown.add(id);

  const vmaShown = new Set<string>();
  for (const mm of Object.values(s.mms)) for (const v of mm.mmap) if (s.vmas[v]) vmaShown.add(v);
  for (const v of Object.values(s.vmas)) if (!v.freed || showFreed) vmaShown.add(v.id);

  const avShown = new Set<string>();
  for (const av of Object.values(s.anon_vmas)) if (!av.freed || showFreed) avShown.add(av.id);
  for (const id of pageShown) {
    const m = s.pages[id]?.mapping;
    if (m && s.anon_vmas[m.anon]) avShown.add(m.anon);
  }
  for (const id of vmaShown) {
    const v = s.vmas[id] as Vma;
    if (v.anon_vma && s.anon_vmas[v.anon_vma]) avShown.add(v.anon_vma);
    for (const c of v.anon_vma_chain) {
      const a = s.avcs[c];
      if (a && s.anon_vmas[a.anon_vma]) avShown.add(a.anon_vma);
    }
  }
  // A chain is shown while it is on a list of a shown object, or while it is being set up (both ends live).
  const avcShown = new Set<string>();
  for (const id of vmaShown) for (const c of (s.vmas[id] as Vma).anon_vma_chain) if (s.avcs[c]) avcShown.add(c);
  for (const id of avShown) for (const c of (s.anon_vmas[id] as AnonVma).head) if (s.avcs[c]) avcShown.add(c);
  for (const a of Object.values(s.avcs)) {
    const v = s.vmas[a.vma];
    const av = s.anon_vmas[a.anon_vma];
    if (showFreed || (v && av && !v.freed && !av.freed)) avcShown.add(a.id);
  }
  for (const id of avcShown) {
    const a = s.avcs[id] as Avc;
    if (s.vmas[a.vma]) vmaShown.add(a.vma);
    if (s.anon_vmas[a.anon_vma]) avShown.add(a.anon_vma);
  }

  // Rows: walk mm -> vma -> avc in list order and give each chain (or chainless vma) a row.
  let row = 0;
  const nodes = new Map<string, GNode>();
  const key = (k: NodeKind, id: string) => `${k}:${id}`;
  const vmaOrder: Vma[] = [];
  const mmIds = Object.keys(s.mms);
  for (const mmId of mmIds) {
    const mm = s.mms[mmId] as Mm;
    const listed = mm.mmap.filter((v) => vmaShown.has(v));
    const others = [...vmaShown].filter((v) => (s.vmas[v] as Vma).mm === mmId && !mm.mmap.includes(v)).sort();
    for (const v of [...listed, ...others]) vmaOrder.push(s.vmas[v] as Vma);
  }
  for (const v of vmaShown) if (!s.mms[(s.vmas[v] as Vma).mm]) vmaOrder.push(s.vmas[v] as Vma);

  const avcRows = new Map<string, number>();
  const vmaNodes: GNode[] = [];
  for (const v of vmaOrder) {
    const chain = v.anon_vma_chain.filter((c) => avcShown.has(c));
    const loose = [...avcShown].filter((c) => (s.avcs[c] as Avc).vma === v.id && !chain.includes(c)).sort();
    const rows: number[] = [];
    for (const c of [...chain, ...loose]) {
      if (avcRows.has(c)) continue;
      avcRows.set(c, row);
      rows.push(row++);
    }
    if (rows.length === 0) rows.push(row++);
    const listed = s.mms[v.mm]?.mmap.includes(v.id) ?? false;
    const n: GNode = {
      kind: "vma", id: v.id, x: COLUMN.vma, y: mean(rows), freed: v.freed,
      label: `${v.id}${v.freed ? " freed" : ""}<br>[${v.vm_start},${v.vm_end}) pgoff ${v.vm_pgoff}`,
      hover: hoverLines([
        `vm_area_struct ${v.id}${v.freed ? " (freed)" : ""}`,
        `vm_mm ${v.mm}${listed ? "" : " (not on mm->mmap)"}`,
        `vm_start p${v.vm_start}, vm_end p${v.vm_end}, vm_pgoff ${v.vm_pgoff}`,
        `maps page index ${v.vm_pgoff}..${v.vm_pgoff + v.vm_end - v.vm_start - 1}`,
        `anon_vma ${v.anon_vma ?? "NULL"}`,
        `anon_vma_chain [${v.anon_vma_chain.join(", ")}]`,
        `prot ${v.flags.prot}${v.flags.growsdown ? ", VM_GROWSDOWN" : ""}${v.flags.stack_incomplete_setup ? ", VM_STACK_INCOMPLETE_SETUP" : ""}`,
      ]),
    };
    nodes.set(key("vma", v.id), n);
    vmaNodes.push(n);
  }
  for (const c of [...avcShown].sort()) if (!avcRows.has(c)) avcRows.set(c, row++);
  // Two barycentric passes against crossings: place the anon_vmas at the mean row of their chains (kept
  // apart), then order each vma's chains by where their anon_vmas sit.
  const avTarget = (c: string): string => (s.avcs[c] as Avc).anon_vma;
  for (let pass = 0; pass < 2; pass++) {
    const pos = [...avShown].map((id) => {
      const ys = [...avcRows].filter(([c]) => avTarget(c) === id).map(([, r]) => r);
      return { id, y: ys.length ? mean(ys) : Infinity };
    });
    spread(pos);
    const avY = new Map(pos.map((q) => [q.id, q.y]));
    for (const v of vmaOrder) {
      const mine = [...avcRows].filter(([c]) => (s.avcs[c] as Avc).vma === v.id);
      const slots = mine.map(([, r]) => r).sort((a, b) => a - b);
      mine.sort(([a, ra], [b, rb]) => (avY.get(avTarget(a)) ?? 0) - (avY.get(avTarget(b)) ?? 0) || ra - rb);
      mine.forEach(([c], i) => avcRows.set(c, slots[i] as number));
    }
  }
  for (const [c, r] of avcRows) {
    const a = s.avcs[c] as Avc;
    nodes.set(key("avc", c), {
      kind: "avc", id: c, x: COLUMN.avc, y: r, freed: false, label: c,
      hover: hoverLines([`anon_vma_chain ${c}`, `vma ${a.vma}`, `anon_vma ${a.anon_vma}`]),
    });
  }
  spread(vmaNodes);

  const mmNodes: GNode[] = [];
  for (const mmId of mmIds) {
    const mm = s.mms[mmId] as Mm;
    const ys = vmaNodes.filter((n) => (s.vmas[n.id] as Vma).mm === mmId).map((n) => n.y);
    const n: GNode = {
      kind: "mm", id: mmId, x: COLUMN.mm, y: ys.length ? mean(ys) : row++, freed: mm.exited,
      label: `mm ${mmId}${mm.exited ? " exited" : ""}${mm.bprm ? " (bprm)" : ""}`,
      hover: hoverLines([
        `mm_struct ${mmId}${mm.exited ? " (exited)" : ""}${mm.bprm ? " (execve's new mm)" : ""}`,
        `mmap [${mm.mmap.join(", ")}]`,
        `mmap_sem${lockOwner(mm.mmap_sem)}`,
        `page_table_lock${lockOwner(mm.page_table_lock)}`,
        `${Object.keys(mm.ptes).length} pte(s)`,
      ]),
    };
    nodes.set(key("mm", mmId), n);
    mmNodes.push(n);
  }
  spread(mmNodes);

  const avNodes: GNode[] = [];
  for (const id of avShown) {
    const av = s.anon_vmas[id] as AnonVma;
    const ys = [...avcRows].filter(([c]) => (s.avcs[c] as Avc).anon_vma === id || av.head.includes(c)).map(([, r]) => r);
    // anon_vma->root only means something in a family of several anon_vmas (2.6.36 reads it).
    const root = av.root === id && Object.values(s.anon_vmas).some((x) => x.id !== id && x.root === id);
    const n: GNode = {
      kind: "anon_vma", id, x: COLUMN.anon_vma, y: ys.length ? mean(ys) : row++, freed: av.freed,
      root: markRoot && root,
      label: `${id}${markRoot && root ? " (root)" : ""}${av.freed ? " freed" : ""}`,
      hover: hoverLines([
        `anon_vma ${id}${av.freed ? " (freed)" : ""}`,
        `root ${av.root}`,
        `head (same_anon_vma) [${av.head.join(", ")}]`,
        `external_refcount ${av.external_refcount}`,
        `lock ${av.lock}${lockOwner(av.lock)}`,
      ]),
    };
    nodes.set(key("anon_vma", id), n);
    avNodes.push(n);
  }
  spread(avNodes);

  // Pages: centred on their anon_vma, then kept apart.
  const pageNodes: GNode[] = [];
  const byAv = new Map<string, Page[]>();
  const orphans: Page[] = [];
  for (const id of pageShown) {
    const p = s.pages[id] as Page;
    if (p.mapping && nodes.has(key("anon_vma", p.mapping.anon))) {
      const l = byAv.get(p.mapping.anon) ?? [];
      l.push(p);
      byAv.set(p.mapping.anon, l);
    } else orphans.push(p);
  }
  const severity: Record<PteKind | "none", number> = { none: 0, present: 1, swap: 2, migration: 3 };
  const makePage = (p: Page, y: number): GNode => {
    const mine = ptes.filter((t) => t.page === p.id);
    let status: PteKind | "none" = "none";
    for (const t of mine) if (severity[t.pte.kind] > severity[status]) status = t.pte.kind;
    const where = mine.map((t) => pteText(t.mm.id, t.addr, t.pte));
    const short = mine.map((t) => `${t.mm.id}:p${t.addr}${t.pte.kind === "present" ? "" : t.pte.kind === "migration" ? " mig" : " swap"}`);
    return {
      kind: "page", id: p.id, x: COLUMN.page, y, freed: p.freed, status,
      label: `${p.id} idx ${p.index}${p.freed ? " freed" : ""}<br>${clip(short.join(", ") || "unmapped", 28)}`,
      hover: hoverLines([
        `page ${p.id}${p.freed ? " (freed)" : ""}`,
        `index ${p.index}, mapping ${p.mapping ? p.mapping.anon : "NULL"}`,
        `mapcount ${p.mapcount}, refcount ${p.refcount}`,
        `PG_locked${lockOwner(p.lock) || " (unlocked)"}`,
        `swap cache ${p.swapCache === null ? "no" : `entry ${p.swapCache}`}`,
        ...(where.length ? where.map((w) => `pte ${w}`) : ["no pte maps it"]),
      ]),
    };
  };
  for (const av of avNodes) {
    const ps = (byAv.get(av.id) ?? []).sort((a, b) => a.index - b.index || a.id.localeCompare(b.id));
    ps.forEach((p, i) => pageNodes.push(makePage(p, av.y + i - (ps.length - 1) / 2)));
  }
  for (const p of orphans.sort((a, b) => a.id.localeCompare(b.id))) pageNodes.push(makePage(p, row++));
  spread(pageNodes);
  for (const n of pageNodes) nodes.set(key("page", n.id), n);

  // Edges.
  const edges: GEdge[] = [];
  const add = (kind: GEdge["kind"], a: GNode | undefined, b: GNode | undefined) => {
    if (a && b) edges.push({ kind, from: a, to: b });
  };
  for (const v of vmaOrder) {
    const listed = s.mms[v.mm]?.mmap.includes(v.id) ?? false;
    add(listed ? "mmap" : "vm_mm", nodes.get(key("mm", v.mm)), nodes.get(key("vma", v.id)));
    for (const c of v.anon_vma_chain) add("same_vma", nodes.get(key("vma", v.id)), nodes.get(key("avc", c)));
  }
  for (const c of avcRows.keys()) {
    const a = s.avcs[c] as Avc;
    const onList = s.anon_vmas[a.anon_vma]?.head.includes(c) ?? false;
    add(onList ? "same_anon_vma" : "avc_pointer", nodes.get(key("avc", c)), nodes.get(key("anon_vma", a.anon_vma)));
    if (!(s.vmas[a.vma]?.anon_vma_chain.includes(c) ?? false)) add("avc_pointer", nodes.get(key("vma", a.vma)), nodes.get(key("avc", c)));
  }
  for (const n of pageNodes) {
    const m = (s.pages[n.id] as Page).mapping;
    if (m) add("mapping", n, nodes.get(key("anon_vma", m.anon)));
  }
  for (const t of ptes) {
    if (!t.page) continue;
    const v = vmaOrder.find((x) => x.mm === t.mm.id && !x.freed && x.vm_start <= t.addr && t.addr < x.vm_end);
    add(t.pte.kind, nodes.get(v ? key("vma", v.id) : key("mm", t.mm.id)), nodes.get(key("page", t.page)));
  }
  const top = Math.min(0, ...[...nodes.values()].map((n) => n.y));
  for (const n of nodes.values()) n.y -= top;
  const rows = Math.max(0, ...[...nodes.values()].map((n) => n.y));
  return { nodes: [...nodes.values()], edges, rows };
}

/** Plotly traces of one graph shifted by `dx`; `legend` = show legend entries. */
function graphTraces(g: Graph, dx: number, legend: boolean, pteEdges: boolean): object[] {
  const traces: object[] = [];
  for (const kind of Object.keys(EDGE_STYLE) as GEdge["kind"][]) {
    const es = g.edges.filter((e) => e.kind === kind);
    if (es.length === 0) continue;
    const st = EDGE_STYLE[kind];
    const isPte = kind === "present" || kind === "migration" || kind === "swap";
    if (isPte && !pteEdges) continue;
    const x: (number | null)[] = [];
    const y: (number | null)[] = [];
    for (const e of es) {
      if (isPte) {
        // An arc above the chain and anon_vma columns, so it does not run through their nodes.
        const lift = 0.45 + 0.12 * Math.abs(e.to.y - e.from.y);
        x.push(e.from.x + dx, (e.from.x + e.to.x) / 2 + dx, e.to.x + dx, null);
        y.push(e.from.y, Math.min(e.from.y, e.to.y) - lift, e.to.y, null);
      } else {
        x.push(e.from.x + dx, e.to.x + dx, null);
        y.push(e.from.y, e.to.y, null);
      }
    }
    traces.push({
      type: "scatter", mode: "lines", name: st.name, legendgroup: kind, showlegend: legend, hoverinfo: "skip", x, y,
      line: { color: st.color, dash: st.dash, width: st.width, ...(isPte ? { shape: "spline", smoothing: 1.3 } : {}) },
      opacity: isPte ? 0.75 : 1,
    });
  }
  const nodeTrace = (ns: GNode[], name: string, color: string, symbol: string, size: number, group: string) => ({
    type: "scatter", mode: "markers+text", name, legendgroup: group, showlegend: legend,
    x: ns.map((n) => n.x + dx), y: ns.map((n) => n.y),
    text: ns.map((n) => n.label), textposition: "top center", textfont: { size: 11 },
    hovertext: ns.map((n) => n.hover), hoverinfo: "text",
    marker: {
      symbol: ns.map((n) => (n.freed ? `${symbol}-open` : symbol)), size,
      color: ns.map((n) => (n.freed && n.kind !== "page" ? FREED_COLOR : color)),
      line: {
        color: ns.map((n) => (n.root ? "#000000" : n.freed ? (n.kind === "page" ? color : FREED_COLOR) : "#ffffff")),
        width: ns.map((n) => (n.root ? 3 : n.freed ? 2 : 1)),
      },
    },
  });
  for (const kind of ["mm", "vma", "avc", "anon_vma"] as const) {
    const ns = g.nodes.filter((n) => n.kind === kind);
    const st = NODE_STYLE[kind];
    if (ns.length) traces.push(nodeTrace(ns, st.name, st.color, st.symbol, st.size, kind));
  }
  for (const status of ["present", "migration", "swap", "none"] as const) {
    const ns = g.nodes.filter((n) => n.kind === "page" && n.status === status);
    if (ns.length) traces.push(nodeTrace(ns, PAGE_STATUS_NAME[status], PTE_COLORS[status], "circle", 16, `page-${status}`));
  }
  return traces;
}

function axes(minX: number, maxX: number, rows: number): object {
  return {
    xaxis: { visible: false, range: [minX - 0.6, maxX + 0.8], fixedrange: false },
    // Row 0 at the top; the room above it holds the column headers.
    yaxis: { visible: false, range: [rows + 0.7, -1.5], zeroline: false },
  };
}

function columnHeaders(dx: number): object[] {
  const names: [NodeKind, string][] = [["mm", "mm_struct"], ["vma", "vma"], ["avc", "anon_vma_chain"], ["anon_vma", "anon_vma"], ["page", "page"]];
  return names.map(([k, text]) => ({
    x: COLUMN[k] + dx, y: -1.15, xref: "x", yref: "y", text: `<i>${text}</i>`, showarrow: false, font: { size: 11, color: "#666666" },
  }));
}

/**
 * The reverse-map objects of a state as a graph: mms, vmas (with `[vm_start, vm_end)` and `vm_pgoff`),
 * anon_vma_chains, anon_vmas (the root with a thick border) and pages (coloured by the pte that maps them:
 * present, migration entry or swap entry), laid out in columns mm → vma → avc → anon_vma ← page. Dotted
 * edges are pointers not yet (or no longer) on their list, as in the middle of `__split_vma`. Hover a node
 * for its fields. Pure: returns plotly figure JSON.
 *
 *   const s = runScenario("S3", { kernel: "2.6.34" }).state;
 *   showPlot(tslab.display, structureFigure(s, { title: "S3 after the BUG" }));
 */
export function structureFigure(state: State, o: StructureOptions = {}): Figure {
  const g = buildGraph(state, o);
  return {
    data: graphTraces(g, 0, true, o.pteEdges ?? true),
    layout: {
      title: { text: esc(o.title ?? "rmap structure") },
      ...axes(0, COLUMN.page, g.rows),
      annotations: columnHeaders(0),
      height: Math.max(320, 150 + 62 * (g.rows + 2)),
      margin: { l: 30, r: 30, t: 60, b: 20 },
      legend: { orientation: "h", y: -0.02, yanchor: "top", font: { size: 10 } },
      plot_bgcolor: "#ffffff",
      hovermode: "closest",
    },
    config: { responsive: true, displaylogo: false },
  };
}

/**
 * Several states side by side, one panel each, on one shared row scale: e.g. the same fork on 2.6.33
 * (one anon_vma for the family) and 2.6.34 (a chain per vma and anon_vma).
 *
 *   const setup = [{ op: "mmap", mm: "A", start: 16, end: 32 }, { op: "touch", mm: "A", addr: 20, page: "P" },
 *                  { op: "fork", mm: "A", child: "B" }, { op: "touch", mm: "B", addr: 21, write: true }];
 *   const at = (kernel: string) => runScenario({ id: "fork", setup, threads: [] }, { kernel }).state;
 *   showPlot(tslab.display, structureCompare([{ label: "2.6.33", state: at("2.6.33") }, { label: "2.6.34", state: at("2.6.34") }]));
 */
export function structureCompare(states: { label: string; state: State }[], o: StructureOptions = {}): Figure {
  const data: object[] = [];
  const annotations: object[] = [];
  let rows = 0;
  states.forEach(({ label, state }, i) => {
    const g = buildGraph(state, o);
    const dx = i * PANEL_WIDTH;
    rows = Math.max(rows, g.rows);
    data.push(...graphTraces(g, dx, i === 0, o.pteEdges ?? true));
    annotations.push(...columnHeaders(dx));
    annotations.push({ x: dx + COLUMN.page / 2, y: -1.75, xref: "x", yref: "y", text: `<b>${esc(label)}</b>`, showarrow: false, font: { size: 14 } });
  });
  // Panels share the legend: entries first shown in a later panel get a legend entry there.
  const seen = new Set<string>();
  for (const t of data as { legendgroup: string; showlegend: boolean }[]) {
    t.showlegend = !seen.has(t.legendgroup);
    seen.add(t.legendgroup);
  }
  const shapes = states.slice(1).map((_, i) => ({
    type: "line", xref: "x", yref: "paper", x0: (i + 1) * PANEL_WIDTH - 0.7, x1: (i + 1) * PANEL_WIDTH - 0.7, y0: 0, y1: 1,
    line: { color: "#dddddd", width: 1 },
  }));
  const ax = axes(0, (states.length - 1) * PANEL_WIDTH + COLUMN.page, rows) as { yaxis: { range: number[] } };
  ax.yaxis.range = [rows + 0.7, -2.1];
  return {
    data,
    layout: {
      title: { text: esc(o.title ?? "rmap structure side by side") },
      ...ax,
      annotations,
      shapes,
      height: Math.max(360, 170 + 62 * (rows + 2.5)),
      margin: { l: 30, r: 30, t: 60, b: 20 },
      legend: { orientation: "h", y: -0.02, yanchor: "top", font: { size: 10 } },
      plot_bgcolor: "#ffffff",
      hovermode: "closest",
    },
    config: { responsive: true, displaylogo: false },
  };
}
