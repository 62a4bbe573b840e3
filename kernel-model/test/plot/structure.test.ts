import { runScenario } from "../../src/api";
import type { State } from "../../src/mm/types";
import { PTE_COLORS } from "../../src/plot/common";
import { structureCompare, structureFigure } from "../../src/plot/structure";
import type { Op } from "../../src/scenarios/spec";
import { expectTitled, layout, segments, trace, traces } from "./figure";

const forkSetup: Op[] = [
  { op: "mmap", mm: "A", start: 16, end: 32 },
  { op: "touch", mm: "A", addr: 20, page: "P" },
  { op: "fork", mm: "A", child: "B" },
  { op: "touch", mm: "B", addr: 21, write: true, page: "Q" },
];
const forked = (kernel: string): State => runScenario({ id: "fork", setup: forkSetup, threads: [] }, { kernel }).state;

describe("structureFigure", () => {
  test("2.6.33 builds one anon_vma for the family, 2.6.34 one per process, linked by chains", () => {
    const old = structureFigure(forked("2.6.33"));
    const neu = structureFigure(forked("2.6.34"));
    expect(trace(old, "anon_vma").x).toHaveLength(1);
    expect(trace(neu, "anon_vma").x).toHaveLength(2);
    expect(trace(old, "anon_vma_chain").x).toHaveLength(2);
    expect(trace(neu, "anon_vma_chain").x).toHaveLength(3);
    // One same_anon_vma edge per chain on an anon_vma's list: 2.6.34's av1 has the parent's and the child's.
    expect(segments(trace(neu, "anon_vma->head (same_anon_vma)"))).toHaveLength(3);
    // The root is marked only where a family has several anon_vmas.
    expect(trace(old, "anon_vma").marker.line.width).toEqual([1]);
    expect(trace(neu, "anon_vma").text).toContain("av1 (root)");
    expect(trace(neu, "anon_vma").marker.line.width).toEqual([3, 1]);
  });

  test("columns are mm, vma, chain, anon_vma, page; nodes of a column never overlap; an mm sits beside its vmas", () => {
    const f = structureFigure(forked("2.6.34"));
    const cols: Record<string, number> = { mm_struct: 0, vm_area_struct: 1, anon_vma_chain: 2, anon_vma: 3 };
    for (const [name, x] of Object.entries(cols)) {
      const t = trace(f, name);
      expect(new Set(t.x)).toEqual(new Set([x]));
      const ys = [...(t.y as number[])].sort((a, b) => a - b);
      for (let k = 1; k < ys.length; k++) expect(ys[k]! - ys[k - 1]!).toBeGreaterThanOrEqual(1);
    }
    const mm = trace(f, "mm_struct");
    const vma = trace(f, "vm_area_struct");
    expect(mm.y).toEqual(vma.y); // one vma per mm here
  });

  test("chain -> anon_vma edges do not cross (S3's child has chains to both anon_vmas)", () => {
    for (const state of [forked("2.6.34"), runScenario("S3", { kernel: "2.6.34", schedule: "mig*1", maxSteps: 0 }).state]) {
      const edges = segments(trace(structureFigure(state), "anon_vma->head (same_anon_vma)")).map((e) => [e.y[0]!, e.y[1]!] as const);
      expect(edges.length).toBeGreaterThanOrEqual(3);
      for (const [a1, b1] of edges) for (const [a2, b2] of edges) if (a1 < a2) expect(b1).toBeLessThanOrEqual(b2);
    }
  });

  test("vma labels and hover carry the fields vma_address() reads", () => {
    const f = structureFigure(forked("2.6.34"));
    const vma = trace(f, "vm_area_struct");
    expect(vma.text[0]).toContain("[16,32) pgoff 16");
    expect(vma.hovertext[0]).toContain("vm_start p16, vm_end p32, vm_pgoff 16");
  });

  test("a page with a migration entry is red and linked by a migration pte edge from the vma that maps it", () => {
    // S1 after 12 steps: the migrator has replaced A:p28 by a migration entry and copied P to pg1@mig.
    const s = runScenario("S1", { kernel: "2.6.34", schedule: "mig*12", maxSteps: 12 }).state;
    expect(s.mms.A!.ptes["28"]!.kind).toBe("migration");
    const f = structureFigure(s);
    const page = trace(f, "page with a migration pte");
    expect(page.text[0]).toMatch(/^P idx 28/);
    expect(page.text[0]).toContain("A:p28 mig");
    expect(page.marker.color).toEqual([PTE_COLORS.migration]);
    expect(page.hovertext[0]).toContain("pte A:p28 migration");
    const edges = segments(trace(f, "pte: migration entry"));
    expect(edges).toHaveLength(1);
    expect(edges[0]!.x[0]).toBe(1); // from the vma column
    expect(edges[0]!.x[2]).toBe(4); // to the page column
    expect(() => trace(f, "pte: present")).toThrow();
  });

  test("in the middle of __split_vma the new vma and its chain are drawn as pointers not yet on their lists", () => {
    const r = runScenario("S1", { kernel: "2.6.34" });
    const split = r.trace.find((e) => e.label.startsWith("__split_vma"))!;
    const s = runScenario("S1", { kernel: "2.6.34", schedule: r.schedule, maxSteps: split.i + 1 }).state;
    const f = structureFigure(s);
    expect(segments(trace(f, "vma->vm_mm (not on mm->mmap)"))).toHaveLength(1);
    expect(segments(trace(f, "avc pointer, not on the list")).length).toBeGreaterThanOrEqual(1);
    expect(trace(f, "vm_area_struct").hovertext.some((h: string) => h.includes("(not on mm-&gt;mmap)"))).toBe(true);
  });

  test("freed objects something still points to are shown open and marked; the others are left out", () => {
    const s = runScenario("S1", { kernel: "2.6.34" }).state; // P freed, still named by the stale migration entry
    const f = structureFigure(s);
    const page = trace(f, "page with a migration pte");
    expect(page.text[0]).toContain("freed");
    expect(page.marker.symbol).toEqual(["circle-open"]);
    const all = traces(f).flatMap((t) => (t.text as string[] | undefined) ?? []);
    expect(all.some((t) => t.startsWith("pg1@mig"))).toBe(false); // freed and unreferenced
    const withFreed = structureFigure(s, { showFreed: true });
    expect(traces(withFreed).flatMap((t) => (t.text as string[] | undefined) ?? []).some((t) => t.startsWith("pg1@mig"))).toBe(true);
  });

  test("has a title and no visible axes to title", () => {
    const f = structureFigure(forked("2.6.34"), { title: "fork on 2.6.34" });
    expectTitled(f, false);
    expect(layout(f).title.text).toBe("fork on 2.6.34");
    expect(layout(f).yaxis.range[0]).toBeGreaterThan(layout(f).yaxis.range[1]); // row 0 at the top
  });
});

describe("structureCompare", () => {
  test("panels side by side, each with its own column headers, one legend entry per kind", () => {
    const f = structureCompare([{ label: "2.6.33", state: forked("2.6.33") }, { label: "2.6.34", state: forked("2.6.34") }]);
    expectTitled(f, false);
    const av = traces(f).filter((t) => t.name === "anon_vma");
    expect(av).toHaveLength(2);
    expect(av[0]!.x).toEqual([3]);
    expect(Math.min(...(av[1]!.x as number[]))).toBeGreaterThan(5); // shifted by a panel width
    expect(av.map((t) => t.showlegend)).toEqual([true, false]);
    const groups = traces(f).filter((t) => t.showlegend).map((t) => t.legendgroup);
    expect(new Set(groups).size).toBe(groups.length);
    const labels = (layout(f).annotations as { text: string }[]).map((a) => a.text);
    expect(labels).toContain("<b>2.6.33</b>");
    expect(labels).toContain("<b>2.6.34</b>");
    expect(labels.filter((t) => t === "<i>anon_vma_chain</i>")).toHaveLength(2);
  });
});
