import * as fs from "fs";
import { VERDICT_COLORS, VERDICT_KINDS } from "../../src/plot/common";
import { MANIFEST_PATH, manifestCells, type OutcomeCell, outcomeMatrixFigure, verdictLabel } from "../../src/plot/matrix";
import type { VerdictKind } from "../../src/sim/scheduler";
import { expectTitled, layout, traces, type Trace } from "./figure";

/** The colour a heat map draws for z, from its stepwise colour scale. */
function colourOf(t: Trace, z: number): string {
  const frac = (z - t.zmin) / (t.zmax - t.zmin);
  const stops = t.colorscale as [number, string][];
  // Inside a step both ends have the same colour; take the stop pair around frac.
  for (let k = 0; k + 1 < stops.length; k += 2) if (frac >= stops[k]![0] && frac <= stops[k + 1]![0]) return stops[k]![1];
  throw new Error(`z ${z} outside the scale`);
}

const manifest = JSON.parse(fs.readFileSync(MANIFEST_PATH, "utf8")) as { entries: { scenario: string; kernel: string; fix: string; mode: string; verdict: VerdictKind }[] };

describe("outcomeMatrixFigure", () => {
  const cells: OutcomeCell[] = [
    { row: "S1", col: "2.6.33", verdict: "clean" },
    { row: "S1", col: "2.6.34", verdict: "bug", detail: "I1: kernel BUG at include/linux/swapops.h:105!" },
    { row: "S8", col: "2.6.33", verdict: "use-after-free", detail: "I6: use-after-free" },
    { row: "X", col: "2.6.34", verdict: "deadlock" },
    { row: "Y", col: "2.6.34", verdict: "livelock" },
    { row: "Z", col: "2.6.34", verdict: "bound-reached" },
  ];
  const f = outcomeMatrixFigure(cells, { title: "test matrix" });
  const hm = traces(f)[0]!;

  test("every cell is drawn in its verdict's fixed colour", () => {
    expect(hm.type).toBe("heatmap");
    expect(hm.y).toEqual(["S1", "S8", "X", "Y", "Z"]);
    expect(hm.x).toEqual(["2.6.33", "2.6.34"]);
    for (const c of cells) {
      const z = hm.z[(hm.y as string[]).indexOf(c.row)][(hm.x as string[]).indexOf(c.col)] as number;
      expect(colourOf(hm, z)).toBe(VERDICT_COLORS[c.verdict]);
    }
    expect(VERDICT_COLORS.clean).toBe("#2ca02c");
    expect(VERDICT_COLORS.bug).toBe("#d62728");
    expect(VERDICT_COLORS["use-after-free"]).toBe("#9467bd");
    expect(VERDICT_COLORS.deadlock).toBe(VERDICT_COLORS.livelock);
  });

  test("missing cells stay empty; cells carry their verdict as text and detail as hover", () => {
    expect(hm.z[1][1]).toBeNull(); // S8 x 2.6.34 not given
    expect(hm.text[0]).toEqual(["clean", "BUG I1"]);
    expect(hm.text[1]).toEqual(["UAF I6", ""]);
    expect(hm.customdata[0][1]).toContain("swapops.h:105");
  });

  test("a legend entry per verdict that occurs, none for the others", () => {
    const legend = traces(f).slice(1).map((t) => t.name);
    expect(legend).toEqual(["clean", "bug", "use-after-free", "deadlock", "livelock", "bound-reached"]);
    const two = outcomeMatrixFigure(cells.slice(0, 2));
    expect(traces(two).slice(1).map((t) => t.name)).toEqual(["clean", "bug"]);
    expectTitled(f, true);
  });

  test("verdictLabel", () => {
    expect(verdictLabel("bug", "I1")).toBe("BUG I1");
    expect(verdictLabel("deadlock", "deadlock")).toBe("deadlock");
    expect(verdictLabel("clean")).toBe("clean");
    expect(VERDICT_KINDS).toHaveLength(6);
  });
});

describe("manifestCells", () => {
  test("scenario x kernel without a fix: the scripted runs give the manifest's verdicts", () => {
    const cells = manifestCells();
    const expected = manifest.entries.filter((e) => e.mode === "scripted" && e.fix === "none");
    expect(cells).toHaveLength(expected.length);
    expect(new Set(cells.map((c) => c.col))).toEqual(new Set(["2.6.33", "2.6.34", "2.6.35", "2.6.36"]));
    // A run that disagrees with the manifest says so in its hover (manifest.test.ts fails on the drift itself).
    for (const e of expected) {
      const c = cells.find((x) => x.row === e.scenario && x.col === e.kernel)!;
      if (c.verdict === e.verdict) expect(c.detail).not.toContain("the manifest expects");
      else expect(c.detail).toContain(`the manifest expects ${e.verdict}`);
    }
    const s1 = cells.find((c) => c.row === "S1" && c.col === "2.6.34")!;
    expect(s1.detail).toContain("I1: kernel BUG at include/linux/swapops.h:105!");
    expect(s1.detail).toContain("schedule mig*");
    const f = outcomeMatrixFigure(cells);
    const hm = traces(f)[0]!;
    expect(colourOf(hm, hm.z[(hm.y as string[]).indexOf("S1")][(hm.x as string[]).indexOf("2.6.34")])).toBe(VERDICT_COLORS.bug);
    expect(colourOf(hm, hm.z[(hm.y as string[]).indexOf("S1")][(hm.x as string[]).indexOf("2.6.36")])).toBe(VERDICT_COLORS.clean);
    expect(layout(f).xaxis.title.text).toBe("kernel");
  });

  test("scenario x fix on one kernel, from the expected verdicts without running", () => {
    const cells = manifestCells({ columns: "fix", kernel: "2.6.34", run: false });
    const expected = manifest.entries.filter((e) => e.mode === "scripted" && e.kernel === "2.6.34");
    expect(cells).toHaveLength(expected.length);
    expect(cells.map((c) => c.col)).toContain("none");
    expect(cells.map((c) => c.col)).toContain("root-anon-vma-lock");
    expect(cells.find((c) => c.row === "S1" && c.col === "root-anon-vma-lock")?.verdict).toBe("clean");
    expect(cells.find((c) => c.row === "S4" && c.col === "root-anon-vma-lock")?.verdict).toBe("bug");
  });
});
