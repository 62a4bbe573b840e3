/** Seeded random and PCT exploration: hit rates, reproducibility, and the first counterexample. */
import { prepareScenario, runPrepared } from "../../src/api";
import { explore } from "../../src/explore";
import { mulberry32 } from "../../src/explore/common";
import { explorePct, pctChooser } from "../../src/explore/pct";
import { exploreRandom, randomChooser } from "../../src/explore/random";
import { measure } from "../../src/explore/shrink";

const s1bug = prepareScenario("S1", { kernel: "2.6.34" });
const s1fixed = prepareScenario("S1", { kernel: "2.6.36" });
const strip = <T extends { elapsedMs: number; searchMs?: number }>(r: T) => ({ ...r, elapsedMs: 0, searchMs: 0 });

describe("the PRNG", () => {
  test("mulberry32 is seeded: same seed, same stream; another seed, another stream", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect([c(), c(), c()]).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe("uniform random", () => {
  test("finds the S1 race on 2.6.34 with a fixed seed, and reproduces it exactly", () => {
    const a = explore(s1bug, { mode: "random", runs: 300, seed: 7, minimise: false });
    expect(a.hits).toBeGreaterThan(0);
    expect(a.hitRate).toBe((a.hits as number) / 300);
    expect(a.verdict).toBe("bug");
    const b = explore(s1bug, { mode: "random", runs: 300, seed: 7, minimise: false });
    expect(strip(b)).toEqual(strip(a));
  });
  test("another seed gives other runs", () => {
    const a = exploreRandom(s1bug, { runs: 50, seed: 1 });
    const b = exploreRandom(s1bug, { runs: 50, seed: 2 });
    expect(a.steps === b.steps && a.hits === b.hits && a.first?.seed === b.first?.seed).toBe(false);
  });
  test("run i uses seed + i: the first failing run replays from its seed alone", () => {
    const r = exploreRandom(s1bug, { runs: 300, seed: 100 });
    const first = r.first as NonNullable<typeof r.first>;
    const again = runPrepared(s1bug, { chooser: randomChooser(first.seed), trace: false });
    expect(again.schedule).toBe(first.run.schedule);
    expect(again.verdict).toEqual(first.run.verdict);
  });
  test("no hits on 2.6.36, where the race is closed", () => {
    const r = explore(s1fixed, { mode: "random", runs: 200, seed: 1 });
    expect(r.hits).toBe(0);
    expect(r.verdict).toBe("clean");
    expect(r.exhausted).toBe(false);
  });
  test("the counterexample is minimised and replays to the same verdict", () => {
    const r = explore(s1bug, { mode: "random", runs: 100, seed: 3, minimiseBudget: 200 });
    expect(r.found).toBeDefined();
    const replay = runPrepared(s1bug, { schedule: r.schedule as string, strict: true, trace: false });
    expect(replay.verdict.kind).toBe(r.verdict);
    expect(replay.verdict.invariant).toBe(r.invariant);
    expect(r.preemptions).toBeLessThanOrEqual(measure(s1bug, r.found as string).preemptions);
  });
});

describe("PCT", () => {
  test("finds the S1 race with a fixed seed and reproduces it exactly", () => {
    const a = explore(s1bug, { mode: "pct", runs: 1000, seed: 11, depth: 3, minimise: false });
    expect(a.hits).toBeGreaterThan(0);
    // PCT's guarantee for a bug of depth d: each run finds it with probability >= 1/(n k^(d-1)). S1 needs
    // three orderings (unmap before the split, the split's first store, the restore walk inside the
    // window): d = 3, n = 3 threads, k = a run's length (about 35 steps): >= 1/3675 per run.
    expect(a.hitRate as number).toBeGreaterThanOrEqual(1 / (3 * (a.k as number) ** 2));
    const b = explore(s1bug, { mode: "pct", runs: 1000, seed: 11, depth: 3, minimise: false });
    expect(strip(b)).toEqual(strip(a));
  });
  test("depth d gives d-1 priority changes: depth 1 runs the threads one after the other", () => {
    const names = s1bug.threads.map((t) => t.name);
    const r = runPrepared(s1bug, { chooser: pctChooser(5, names, 1, 40), trace: false });
    // No change point: each thread runs to its end or until it blocks, so the schedule has few switches.
    expect(r.schedule.split(" ").length).toBeLessThanOrEqual(6);
  });
  test("k is the length of a default run", () => {
    const r = explorePct(s1bug, { runs: 5, seed: 1 });
    expect(r.k).toBe(runPrepared(s1bug, { unscripted: true, trace: false }).steps);
  });
  test("no hits on 2.6.36", () => {
    expect(explore(s1fixed, { mode: "pct", runs: 200, seed: 1 }).hits).toBe(0);
  });
});

describe("options", () => {
  test("bad options are usage errors naming what is accepted", () => {
    expect(() => explore(s1bug, { mode: "sideways" as never })).toThrow(/expected one of exhaustive, random, pct/);
    expect(() => explore(s1bug, { mode: "random", runs: 0 })).toThrow(/runs must be an integer >= 1/);
    expect(() => explore(s1bug, { mode: "pct", depth: 1.5 })).toThrow(/depth/);
    expect(() => explore(s1bug, { mode: "random", seed: -1 })).toThrow(/seed/);
  });
  test("stopAtFirst stops a random exploration at the first hit", () => {
    const r = explore(s1bug, { mode: "random", runs: 1000, seed: 1, stopAtFirst: true, minimise: false });
    expect(r.hits).toBe(1);
    expect(r.runs).toBeLessThan(1000);
  });
});
