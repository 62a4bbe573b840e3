import { prepareScenario, runPrepared } from "../../src/api";
import { VERDICT_COLORS, VERDICT_KINDS } from "../../src/plot/common";
import { hitRateFigure, raceWindow, raceWindowFigure, wilson, windowSchedule } from "../../src/plot/rates";
import type { ChoiceContext } from "../../src/sim/scheduler";
import { expectTitled, layout, traces } from "./figure";
import { mulberry32 as rng } from "../../src/explore/common";


/** Cumulative hits of S1 on 2.6.34 under a seeded random scheduler that keeps the last thread with probability `stick`. */
function series(name: string, stick: number, marks: number[]) {
  const p = prepareScenario("S1", { kernel: "2.6.34" });
  const hits: number[] = [];
  let h = 0;
  for (let seed = 1; seed <= Math.max(...marks); seed++) {
    const next = rng(seed);
    const chooser = (c: ChoiceContext) =>
      c.last !== null && c.runnable.includes(c.last) && next() < stick ? c.last : (c.runnable[Math.floor(next() * c.runnable.length)] as string);
    if (runPrepared(p, { chooser, trace: false }).verdict.kind === "bug") h++;
    if (marks.includes(seed)) hits.push(h);
  }
  return { name, runs: marks, hits };
}

describe("wilson", () => {
  test("95% score intervals", () => {
    const [lo, hi] = wilson(5, 10);
    expect(lo).toBeCloseTo(0.2366, 3);
    expect(hi).toBeCloseTo(0.7634, 3);
    expect(wilson(0, 10)[0]).toBe(0);
    expect(wilson(0, 10)[1]).toBeCloseTo(0.2775, 3);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });
});

describe("hitRateFigure", () => {
  const marks = [10, 20, 50, 100, 200];
  const uniform = series("uniform random", 0, marks);
  const sticky = series("sticky random", 0.9, marks);
  const f = hitRateFigure([uniform, sticky]);

  test("one line per strategy, y = hits / runs, intervals around it", () => {
    expectTitled(f, true);
    const [u, s] = traces(f);
    expect(u!.name).toBe("uniform random");
    expect(u!.x).toEqual(marks);
    expect(u!.y).toEqual(uniform.hits.map((h, k) => h / marks[k]!));
    expect(s!.y).toEqual(sticky.hits.map((h, k) => h / marks[k]!));
    // The race is real: random scheduling finds it, and the counts are cumulative.
    expect(uniform.hits.at(-1)).toBeGreaterThan(0);
    for (let k = 1; k < marks.length; k++) expect(uniform.hits[k]).toBeGreaterThanOrEqual(uniform.hits[k - 1]!);
    for (const t of [u!, s!]) {
      (t.y as number[]).forEach((y, k) => {
        const [lo, hi] = wilson(Math.round(y * marks[k]!), marks[k]!);
        expect(t.error_y.array[k]).toBeCloseTo(hi - y, 10);
        expect(t.error_y.arrayminus[k]).toBeCloseTo(y - lo, 10);
      });
    }
    expect(u!.hovertext[4]).toContain(`${uniform.hits[4]} of 200 runs hit`);
  });

  test("log x once runs span a factor of 10; percent y axis", () => {
    expect(layout(f).xaxis.type).toBe("log"); // 10 .. 200
    expect(layout(hitRateFigure([{ name: "a", runs: [10, 20], hits: [1, 2] }])).xaxis.type).toBe("linear");
    expect(layout(f).yaxis.tickformat).toBe(".0%");
    expect(traces(hitRateFigure([uniform], { ci: false }))[0]!.error_y).toBeUndefined();
  });
});

describe("race window", () => {
  const p34 = prepareScenario("S1", { kernel: "2.6.34" });
  const p36 = prepareScenario("S1", { kernel: "2.6.36" });
  // The scripted interleaving of S1 in these terms: mig until rmap_walk_anon, then T until "->vm_end =".
  const scripted = runPrepared(p34);
  const iS = scripted.trace.findIndex((e) => e.thread !== "mig");
  const jS = scripted.trace.slice(iS).findIndex((e) => e.thread !== "T");

  test("windowSchedule leaves out empty tokens", () => {
    expect(windowSchedule("mig", "T", 12, 7)).toBe("mig*12 T*7 mig* T*");
    expect(windowSchedule("mig", "T", 0, 7)).toBe("T*7 mig* T*");
    expect(windowSchedule("mig", "T", 0, 0)).toBe("mig* T*");
  });

  test("S1 fires at the scripted offsets on 2.6.34 and nowhere on 2.6.36", () => {
    const w = raceWindow(p34, "mig", "T");
    expect(w.i[0]).toBe(0);
    expect(w.i.length).toBeGreaterThan(iS);
    const at = (i: number, j: number) => w.verdicts[w.i.indexOf(i)]![w.j.indexOf(j)];
    expect(at(iS, jS)).toBe("bug");
    expect(at(0, 0)).toBe("clean"); // mig runs to the end first
    expect(w.schedules[w.i.indexOf(iS)]![w.j.indexOf(jS)]).toBe(`mig*${iS} T*${jS} mig* T*`);
    const w36 = raceWindow(p36, "mig", "T", { i: w.i, j: w.j });
    expect(w36.verdicts.flat().every((v) => v === "clean")).toBe(true);
  });

  test("the heat map has a cell per (i, j) in the verdict colours, and counts the failing pairs", () => {
    const w = raceWindow(p34, "mig", "T", { i: [0, iS, iS + 1], j: [0, jS, jS + 1, jS + 2] });
    const f = raceWindowFigure(w);
    expectTitled(f, true);
    const hm = traces(f)[0]!;
    expect(hm.x).toEqual([0, jS, jS + 1, jS + 2]);
    expect(hm.y).toEqual([0, iS, iS + 1]);
    expect(hm.z[1][1]).toBe(VERDICT_KINDS.indexOf("bug"));
    const stops = hm.colorscale as [number, string][];
    expect(stops[2 * VERDICT_KINDS.indexOf("bug")]![1]).toBe(VERDICT_COLORS.bug);
    expect(hm.customdata[1][1]).toContain(`mig*${iS} T*${jS} mig* T*`);
    const fails = w.verdicts.flat().filter((v) => v !== "clean").length;
    expect(layout(f).annotations[0].text).toContain(`${fails} of 12 (i, j) pairs fail`);
    expect(traces(f).slice(1).map((t) => t.name)).toContain("bug");
  });

  test("from a prepared scenario directly, and a wrong thread name is an error", () => {
    const f = raceWindowFigure(p34, "mig", "T", { i: [iS], j: [jS] });
    expect(traces(f)[0]!.z).toEqual([[VERDICT_KINDS.indexOf("bug")]]);
    expect(() => raceWindow(p34, "mig", "X")).toThrow(/no thread "X"/);
  });
});
