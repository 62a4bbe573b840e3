import { prepareScenario, runPrepared, runScenario } from "../../src/api";
import type { Prepared } from "../../src/scenarios/build";
import type { State } from "../../src/mm/types";
import { costBarsFigure, stateSpaceFigure } from "../../src/plot/costs";
import { expectTitled, layout, trace, traces } from "./figure";

describe("costBarsFigure", () => {
  const fixes = ["none", "root-anon-vma-lock", "migrate-mmap-sem"];
  const rows = fixes.map((fix) => ({ name: fix, counters: runScenario("S1", { kernel: "2.6.34", fix }).state.counters }));
  const f = costBarsFigure(rows, { title: "S1 cost per fix" });

  test("one bar trace per row, one category per lock class and per other counter, values from the counters", () => {
    expectTitled(f, true);
    expect(layout(f).barmode).toBe("group");
    expect(traces(f).map((t) => t.name)).toEqual(fixes);
    const x = traces(f)[0]!.x as string[];
    expect(x).toContain("anon_vma locks");
    expect(x).toContain("mmap_sem locks");
    expect(x.slice(-3)).toEqual(["wait steps", "retries", "walker steps"]);
    rows.forEach((r) => {
      const t = trace(f, r.name);
      const v = (name: string) => (t.y as number[])[x.indexOf(name)];
      expect(v("anon_vma locks")).toBe(r.counters.lockAcquisitions.anon_vma ?? 0);
      expect(v("wait steps")).toBe(Object.values(r.counters.waitSteps).reduce((a, b) => a + b, 0));
      expect(v("walker steps")).toBe(r.counters.walkerSteps);
    });
  });

  test("a fix that serialises the race makes threads wait; the unfixed race does not", () => {
    const x = traces(f)[0]!.x as string[];
    const waits = (fix: string) => (trace(f, fix).y as number[])[x.indexOf("wait steps")]!;
    expect(waits("none")).toBe(0);
    expect(waits("root-anon-vma-lock")).toBeGreaterThan(0);
    expect(trace(f, "root-anon-vma-lock").hovertext[x.indexOf("wait steps")]).toContain("anon_vma");
  });

  test("many rows: no values written over the bars, and no two rows drawn alike", () => {
    const many = Array.from({ length: 14 }, (_, i) => ({ name: `run ${i}`, counters: rows[i % rows.length]!.counters }));
    const g = costBarsFigure(many);
    expect(traces(g).every((t) => t.text === undefined)).toBe(true);
    expect(traces(f).every((t) => Array.isArray(t.text))).toBe(true); // three rows: labelled
    const looks = traces(g).map((t) => JSON.stringify(t.marker));
    expect(new Set(looks).size).toBe(14);
  });

  test("waits per lock class on request", () => {
    const g = costBarsFigure(rows, { waitsByClass: true });
    const x = traces(g)[0]!.x as string[];
    expect(x).not.toContain("wait steps");
    const classes = new Set(rows.flatMap((r) => Object.keys(r.counters.waitSteps)));
    for (const c of classes) expect(x).toContain(`waits on ${c}`);
  });
});

/**
 * A small real state space: every interleaving of S1's threads up to `depth` steps, counted as a tree of
 * schedules (no reduction) and as distinct states (state hashing merges interleavings that commute).
 */
function explore(p: Prepared, depth: number): { tree: number; distinct: number } {
  const key = (s: State) => JSON.stringify({ ...s, counters: null, seq: null });
  const seen = new Set<string>();
  let tree = 0;
  const visit = (prefix: string[]) => {
    tree++;
    let runnable: readonly string[] = [];
    let state: State | null = null;
    runPrepared(p, {
      trace: false,
      maxSteps: prefix.length + 1,
      chooser: (c) => {
        if (c.step < prefix.length) return prefix[c.step] as string;
        runnable = c.runnable;
        state = c.state as State;
        return c.runnable[0] as string;
      },
    });
    if (state) seen.add(key(state));
    if (prefix.length < depth) for (const t of runnable) visit([...prefix, t]);
  };
  visit([]);
  return { tree, distinct: seen.size };
}

describe("stateSpaceFigure", () => {
  const p = prepareScenario("S1", { kernel: "2.6.34" });
  const points = [1, 2, 3, 4, 5].flatMap((d) => {
    const { tree, distinct } = explore(p, d);
    return [{ name: "schedules (no reduction)", x: d, states: tree }, { name: "distinct states", x: d, states: distinct }];
  });
  const f = stateSpaceFigure([...points].reverse(), { xTitle: "steps explored" });

  test("log y, one line per series, points sorted by x, the counts as given", () => {
    expectTitled(f, true);
    expect(layout(f).yaxis.type).toBe("log");
    expect(layout(f).xaxis.title.text).toBe("steps explored");
    expect(traces(f).map((t) => t.name)).toEqual(["distinct states", "schedules (no reduction)"]);
    const tree = trace(f, "schedules (no reduction)");
    expect(tree.x).toEqual([1, 2, 3, 4, 5]);
    expect(tree.y).toEqual(points.filter((q) => q.name.startsWith("schedules")).map((q) => q.states));
  });

  test("the real space grows, and reduction keeps it smaller", () => {
    const tree = trace(f, "schedules (no reduction)").y as number[];
    const distinct = trace(f, "distinct states").y as number[];
    for (let k = 1; k < tree.length; k++) expect(tree[k]).toBeGreaterThan(tree[k - 1]!);
    expect(distinct.at(-1)).toBeLessThan(tree.at(-1)!);
    expect(trace(f, "distinct states").hovertext[4]).toContain(`${distinct[4]} states at x = 5`);
  });
});
