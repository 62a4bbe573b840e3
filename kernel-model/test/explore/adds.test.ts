import { dependent, type Footprint, Locations, Recorder } from "../../src/explore/footprint";
import { Futures } from "../../src/explore/futures";
import { exhaustive } from "../../src/explore/exhaustive";
import { prepareScenario } from "../../src";
import type { ScenarioSpec } from "../../src/scenarios/spec";
import { atomic_add } from "../../src/sim/atomic";
import { UndoLog } from "../../src/sim/undo";
import type { State } from "../../src/mm/types";

/** A state with one anon_vma, seen through a recording view. */
function viewed(): { rec: Recorder; locs: Locations; s: State; v: State } {
  const locs = new Locations();
  const rec = new Recorder(locs);
  const s = { anon_vmas: { av1: { external_refcount: 1, head: ["avc1"] } } } as unknown as State;
  return { rec, locs, s, v: rec.view(s) };
}
const loc = (locs: Locations, path: string): number => locs.names.indexOf(path);
const fp = (reads: number[], writes: number[], adds?: number[]): Footprint => ({ reads: new Set(reads), writes: new Set(writes), ...(adds ? { adds: new Set(adds) } : {}) });

describe("atomic adds (sim/atomic.ts): recorded as adds, which commute with each other only", () => {
  test("through the view, an add is a write and an add of the field, not a read; the value changes", () => {
    const { rec, locs, s, v } = viewed();
    atomic_add(v.anon_vmas["av1"] as { external_refcount: number }, "external_refcount", 1);
    const { footprint } = rec.take();
    const l = loc(locs, "anon_vmas.av1.external_refcount");
    expect(l).toBeGreaterThanOrEqual(0);
    expect([...footprint.writes]).toContain(l);
    expect([...(footprint.adds ?? [])]).toEqual([l]);
    expect([...footprint.reads]).not.toContain(l);
    expect(s.anon_vmas["av1"]?.external_refcount).toBe(2);
  });

  test("an add the same step also reads, or also stores to, is no pure add", () => {
    for (const other of ["read", "store"] as const) {
      const { rec, v } = viewed();
      const av = v.anon_vmas["av1"] as { external_refcount: number };
      atomic_add(av, "external_refcount", -1);
      if (other === "read") expect(av.external_refcount).toBe(0);
      else av.external_refcount = 5;
      expect(rec.take().footprint.adds).toBeUndefined();
    }
  });

  test("on a plain object it is a plain +=, and the undo log restores an add made through the view", () => {
    const o = { external_refcount: 3 };
    atomic_add(o, "external_refcount", -2);
    expect(o.external_refcount).toBe(1);
    const { rec, s, v } = viewed();
    const undo = new UndoLog();
    rec.undo = undo;
    const mark = undo.mark;
    atomic_add(v.anon_vmas["av1"] as { external_refcount: number }, "external_refcount", 1);
    undo.rollback(mark);
    expect(s.anon_vmas["av1"]?.external_refcount).toBe(1);
  });

  test("dependent(): two adds to one location commute; an add and a read, or an add and a store, do not", () => {
    expect(dependent(fp([], [7], [7]), fp([], [7], [7]))).toBe(false);
    expect(dependent(fp([], [7], [7]), fp([7], []))).toBe(true);
    expect(dependent(fp([7], []), fp([], [7], [7]))).toBe(true);
    expect(dependent(fp([], [7], [7]), fp([], [7]))).toBe(true);
    expect(dependent(fp([], [7]), fp([], [7], [7]))).toBe(true);
  });

  test("futures: an add touches a future that reads or stores the location, not one that only adds; growing into a store invalidates", () => {
    const why: string[] = [];
    const fu = new Futures(["M", "N"], (w) => why.push(w), (l) => `loc${l}`);
    fu.event(1, 21, "get", fp([], [7], [7]));
    const e = fu.find(1, 21, "get");
    expect(e).toBeDefined();
    expect(fu.touches(fp([], [7], [7]), e!)).toBe(false);
    expect(fu.touches(fp([], [7]), e!)).toBe(true);
    expect(fu.touches(fp([7], []), e!)).toBe(true);
    fu.relyOn(e!);
    fu.event(1, 21, "get", fp([], [7]));
    expect(why).toEqual(['N at "get": the thread went on to write (not only add to) loc7, beyond what the search relied on']);
  });
});

/** Two migrators of two pages of one vma: both pin its anon_vma (2.6.36 unmap_and_move, atomic_inc) and drop it. */
const twoPins: ScenarioSpec = {
  id: "two-pins",
  setup: [
    { op: "mmap", mm: "A", start: 16, end: 32 },
    { op: "touch", mm: "A", addr: 28, page: "P0" },
    { op: "touch", mm: "A", addr: 29, page: "P1" },
  ],
  threads: [
    { name: "M0", ops: [{ op: "migrate", page: "P0" }] },
    { name: "M1", ops: [{ op: "migrate", page: "P1" }] },
  ],
};

// The prefixes stop one migrator before its pin (its step 4, "rcu_read_lock(); PageAnon(page)") and the
// other before its drop (step 20, atomic_dec_and_lock): brute force enumerates the 2,532 interleavings left.
test.each(["M0*19 M1*3", "M1*19 M0*3"])("two migrators' pin and drop of one anon_vma commute (prefix %s): one schedule, the end states of brute force", (prefix) => {
  const p = prepareScenario(twoPins, { kernel: "2.6.36" });
  const o = { stopAtFirst: false, collectEndStates: true, prefix };
  const brute = exhaustive(p, { ...o, reduction: false });
  const states = exhaustive(p, { ...o, reduction: "states", checkFootprints: true });
  expect(brute.exhausted && states.exhausted).toBe(true);
  expect(brute.schedules).toBeGreaterThan(1000);
  expect(states.endStates).toEqual(brute.endStates);
  expect(states.outcomes.map((x) => x.verdict.kind)).toEqual(["clean"]);
  // With the count read and written, the drop and the pin would be ordered both ways.
  expect(states.schedules).toBe(1);
});
