import { exhaustive } from "../../src/explore/exhaustive";
import { Futures } from "../../src/explore/futures";
import { prepareScenario } from "../../src";
import { KERNEL_VERSIONS } from "../../src/kernels";
import { S1 } from "../../src/scenarios/builtin";

const fp = (reads: number[], writes: number[]) => ({ reads: new Set(reads), writes: new Set(writes) });

function futures(): { fu: Futures; why: string[] } {
  const why: string[] = [];
  return { fu: new Futures(["M", "F"], (w) => why.push(w), (l) => `loc${l}`), why };
}

describe("Futures: what a thread may still touch, learned from the events the search runs", () => {
  test("a thread state's future is what its events touched plus the futures of the states that followed", () => {
    const { fu } = futures();
    const a = fu.event(0, 11, "a", fp([1], [2]));
    fu.link(0, a, 12, "b");
    fu.event(0, 12, "b", fp([], [3]));
    const e = fu.find(0, 11, "a");
    expect(e).toBeDefined();
    expect([...(e?.writes ?? [])].sort()).toEqual([2, 3]);
    expect([...(e?.reads ?? [])]).toEqual([1]);
    expect(fu.touches(fp([3], []), e!)).toBe(true); // reads what the thread will write
    expect(fu.touches(fp([1], []), e!)).toBe(false); // two reads do not conflict
    expect(fu.touches(fp([], [1]), e!)).toBe(true);
  });

  test("a future is unknown while a state that can follow has not run an event", () => {
    const { fu } = futures();
    const a = fu.event(0, 11, "a", fp([1], []));
    fu.link(0, a, 12, "b");
    expect(fu.find(0, 11, "a")).toBeUndefined();
    fu.event(0, 12, "b", fp([], []));
    expect(fu.find(0, 11, "a")).toBeDefined();
  });

  test("a new thread state falls back to its label's entry, the union over every state with that label", () => {
    const { fu } = futures();
    fu.event(1, 21, "access A:p28", fp([5], []));
    fu.event(1, 22, "access A:p28", fp([6], []));
    const e = fu.find(1, 23, "access A:p28");
    expect([...(e?.reads ?? [])].sort()).toEqual([5, 6]);
  });

  test("a future the pass relied on that grows invalidates the pass, naming the thread and the location", () => {
    const { fu, why } = futures();
    const a = fu.event(0, 11, "a", fp([1], []));
    fu.link(0, a, 12, "b");
    fu.event(0, 12, "b", fp([2], []));
    fu.relyOn(fu.find(0, 11, "a")!);
    fu.event(0, 12, "b", fp([], [7]));
    expect(why).toEqual(['M at "a": the thread went on to write loc7, beyond what the search relied on']);
    expect(fu.tripped).toBe(true);
    // The next pass starts from what was learned: no reliance yet, so growth is only learning.
    fu.newPass();
    fu.event(0, 12, "b", fp([], [8]));
    expect(why).toHaveLength(1);
  });

  test("a relied future still unknown at the end of the pass invalidates it; a loop of known states is known", () => {
    const { fu } = futures();
    const a = fu.event(0, 11, "a", fp([], []));
    const b = fu.event(0, 12, "b", fp([], []));
    fu.link(0, a, 12, "b");
    fu.link(0, b, 11, "a");
    expect(fu.unsettled()).toBeNull();
    expect(fu.find(0, 11, "a")).toBeDefined();
    fu.relyOn(fu.find(0, 11, "a")!);
    fu.link(0, b, 13, "c");
    expect(fu.unsettled()).toMatch(/^M at "a": the thread can go on to a state whose event the pass never ran$/);
  });
});

describe("state caching with persistent sets", () => {
  test("S1 with 2 pages and 2 migrators on 2.6.36: the same end states as without, in fewer states", () => {
    const p = prepareScenario(S1({ pages: 2, migrators: "per-page" }), { kernel: "2.6.36" });
    const o = { reduction: "states" as const, stopAtFirst: false, collectEndStates: true };
    const on = exhaustive(p, { ...o, persistent: true });
    const off = exhaustive(p, { ...o, persistent: false });
    expect(on.exhausted && off.exhausted).toBe(true);
    expect(on.outcomes.map((x) => x.verdict.kind)).toEqual(["clean"]);
    expect(on.endStates).toEqual(off.endStates);
    expect(on.states).toBeLessThan(off.states * 0.7);
  });

  test("S1 with 2 pages and 2 migrators on 2.6.34: closed sets (threads pulled in while their futures touch what was explored, blocked ones left out while only members can release their lock) reach the same verdicts and end states as sets of one and as none, in fewer states", () => {
    const p = prepareScenario(S1({ pages: 2, migrators: "per-page" }), { kernel: "2.6.34" });
    const o = { reduction: "states" as const, stopAtFirst: false, collectEndStates: true };
    const closed = exhaustive(p, { ...o, persistent: true });
    const first = exhaustive(p, { ...o, persistent: "first" as const });
    const off = exhaustive(p, { ...o, persistent: false });
    const verdicts = (r: typeof closed) => r.outcomes.map((x) => `${x.verdict.kind}:${x.verdict.invariant ?? ""}`).sort();
    expect(closed.exhausted && first.exhausted && off.exhausted).toBe(true);
    expect(verdicts(off)).toEqual(["bug:I1", "bug:I2", "clean:"]);
    expect(verdicts(closed)).toEqual(verdicts(off));
    expect(closed.endStates?.length).toBeGreaterThan(1);
    expect(closed.endStates).toEqual(off.endStates);
    expect(first.endStates).toEqual(off.endStates);
    expect(closed.states).toBeLessThan(first.states);
    // A blocked thread (T at down_write while F holds mmap_sem, F at down_read while T does) pulled in
    // no longer makes the node explore every thread when only members can release its lock.
    const allBlocked = exhaustive(p, { ...o, leaveBlocked: false });
    expect(verdicts(allBlocked)).toEqual(verdicts(off));
    expect(allBlocked.endStates).toEqual(off.endStates);
    expect(closed.states).toBeLessThan(allBlocked.states);
  });

  test("S1 with 2 pages and 2 migrators on 2.6.36: the seed whose closure looks smallest explores fewer states than the first thread in order, with the same verdicts and end states", () => {
    for (const kernel of ["2.6.36"] as const) {
      const p = prepareScenario(S1({ pages: 2, migrators: "per-page" }), { kernel });
      const o = { reduction: "states" as const, stopAtFirst: false, collectEndStates: true };
      const smallest = exhaustive(p, o);
      const order = exhaustive(p, { ...o, seed: "order" as const });
      const off = exhaustive(p, { ...o, persistent: false });
      const verdicts = (r: typeof off) => r.outcomes.map((x) => `${x.verdict.kind}:${x.verdict.invariant ?? ""}`).sort();
      expect(smallest.exhausted && order.exhausted).toBe(true);
      expect(verdicts(smallest)).toEqual(verdicts(off));
      expect(smallest.endStates).toEqual(off.endStates);
      expect(order.endStates).toEqual(off.endStates);
      expect(smallest.states).toBeLessThan(order.states);
    }
  });

  test("walks in the middle of a pass keep the search where it was: the same verdicts, end states and states as without", () => {
    const p = prepareScenario(S1({ pages: 2, migrators: "per-page" }), { kernel: "2.6.36" });
    const o = { reduction: "states" as const, stopAtFirst: false, collectEndStates: true };
    const none = exhaustive(p, { ...o, walksAfter: 0 });
    const verdicts = (r: typeof none) => r.outcomes.map((x) => `${x.verdict.kind}:${x.verdict.invariant ?? ""}`).sort();
    for (const walksAfter of [1, 50]) {
      const early = exhaustive(p, { ...o, walksAfter });
      expect(early.exhausted).toBe(true);
      expect(verdicts(early)).toEqual(verdicts(none));
      expect(early.endStates).toEqual(none.endStates);
      // The stack survives the walks: a pass cut short by them would stop with fewer states.
      expect(early.states).toBeGreaterThan(none.states * 0.8);
    }
    expect(() => exhaustive(p, { ...o, walksAfter: -1 })).toThrow(/walksAfter must be a non-negative integer, got -1/);
    expect(() => exhaustive(p, { ...o, seed: "random" as never })).toThrow(/seed must be "smallest" or "order", got "random"/);
  });

  // S5 on 2.6.34 and 2.6.35 take 30 s each here, with no DPOR pass first: too slow for a unit test.
  const cells = KERNEL_VERSIONS.flatMap((k) => ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"].filter((s) => s !== "S5" || k === "2.6.33" || k === "2.6.36").map((s) => [s, k] as const));
  test.each(cells)("%s on %s: the same verdicts and end states as without", (s, kernel) => {
    const p = prepareScenario(s, { kernel });
    const o = { reduction: "states" as const, stopAtFirst: false, collectEndStates: true };
    const on = exhaustive(p, { ...o, persistent: true });
    const off = exhaustive(p, { ...o, persistent: false });
    const verdicts = (r: typeof on) => r.outcomes.map((x) => `${x.verdict.kind}:${x.verdict.invariant ?? ""}`).sort();
    expect(on.exhausted).toBe(off.exhausted);
    expect(verdicts(on)).toEqual(verdicts(off));
    expect(on.endStates).toEqual(off.endStates);
  });
});
