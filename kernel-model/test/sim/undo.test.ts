import { exhaustive } from "../../src/explore/exhaustive";
import { Recorder, Locations } from "../../src/explore/footprint";
import { prepareScenario } from "../../src";
import { builtinScenario, S1 } from "../../src/scenarios/builtin";
import { UndoLog } from "../../src/sim/undo";
import type { State } from "../../src/mm/types";

describe("UndoLog: going back to an earlier point of a run by undoing its writes", () => {
  test("fields stored, added and deleted come back as they were, key order included", () => {
    const o: Record<string, unknown> = { a: 1, b: { x: 2 }, c: 3 };
    const log = new UndoLog();
    const before = JSON.stringify(o);
    log.field(o, "a");
    o.a = 10;
    log.field(o, "d");
    o.d = 4;
    log.object(o);
    delete o.b;
    const mid = log.mark;
    log.field(o, "b");
    o.b = "new";
    log.rollback(mid);
    expect(Object.keys(o)).toEqual(["a", "c", "d"]);
    log.rollback(0);
    expect(JSON.stringify(o)).toBe(before);
    expect(Object.keys(o)).toEqual(["a", "b", "c"]);
    expect(() => log.rollback(1)).toThrow(/past the end/);
  });

  test("an array's contents and length come back after pushes, splices and stores", () => {
    const a = ["x", "y"];
    const log = new UndoLog();
    log.array(a);
    a.push("z");
    log.array(a);
    a.splice(0, 1);
    log.array(a);
    a[5] = "far";
    log.rollback(0);
    expect(a).toEqual(["x", "y"]);
    expect(a.length).toBe(2);
  });

  test("the recording view notes every write it makes, in every mode", () => {
    const s = { pages: { P: { refcount: 1 }, Q: { refcount: 1 } }, vmas: {}, locks: {}, violations: [] } as unknown as State;
    const before = JSON.stringify(s);
    const rec = new Recorder(new Locations());
    const log = new UndoLog();
    rec.undo = log;
    for (const [mode, page] of [["footprint", "P"], ["off", "Q"]] as const) {
      rec.mode = mode;
      const v = rec.view(s) as unknown as { pages: Record<string, { refcount: number }>; vmas: Record<string, unknown>; violations: unknown[] };
      (v.pages[page] as { refcount: number }).refcount++;
      v.vmas[`vma-${page}`] = { id: page };
      v.violations.push({ invariant: "I1" });
      delete v.pages[page];
    }
    expect(JSON.stringify(s)).not.toBe(before);
    log.rollback(0);
    expect(JSON.stringify(s)).toBe(before);
  });
});

describe("exhaustive exploration with undo gives the search without it, run for run", () => {
  const cells: [string, string, () => ReturnType<typeof S1>][] = [
    ["S1", "2.6.34", () => builtinScenario("S1")],
    ["S2", "2.6.34", () => builtinScenario("S2")],
    ["S9", "2.6.34", () => builtinScenario("S9")],
    ["S5", "2.6.36", () => builtinScenario("S5")],
    ["S1 with 2 pages and 2 migrators", "2.6.36", () => S1({ pages: 2, migrators: "per-page" })],
  ];
  test.each(cells)("%s on %s", (_, kernel, spec) => {
    const p = prepareScenario(spec(), { kernel });
    const o = { reduction: "states" as const, stopAtFirst: false, collectEndStates: true };
    const a = exhaustive(p, o);
    const b = exhaustive(p, { ...o, undo: false });
    expect(a.exhausted).toBe(true);
    expect(a.schedules).toBeGreaterThan(10);
    for (const k of ["states", "transitions", "schedules", "steps", "restarts"] as const) expect(a[k]).toBe(b[k]);
    expect(a.endStates).toEqual(b.endStates);
    expect(a.outcomes).toEqual(b.outcomes);
  });
});
