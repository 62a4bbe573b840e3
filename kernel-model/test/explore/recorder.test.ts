/** explore/footprint.ts: what the recording view notes, and what it refuses. */
import { Locations, Recorder } from "../../src/explore/footprint";
import type { State } from "../../src/mm/types";

function viewed(): { rec: Recorder; locs: Locations; s: State; v: State } {
  const locs = new Locations();
  const rec = new Recorder(locs);
  const s = { vmas: { vma1: { vm_start: 16, vm_pgoff: 16 } }, violations: [] } as unknown as State;
  return { rec, locs, s, v: rec.view(s) };
}
const names = (locs: Locations, set: ReadonlySet<number>): string[] => [...set].map((l) => locs.names[l] as string).sort();

describe("the recording view", () => {
  test("a top-level container is not recorded as read (never replaced); what is read in it is", () => {
    const { rec, locs, v } = viewed();
    expect(v.vmas["vma1"]?.vm_start).toBe(16);
    expect(v.violations.length).toBe(0);
    const { footprint } = rec.take();
    expect(names(locs, footprint.reads)).toEqual(["violations", "vmas.vma1", "vmas.vma1.vm_start"]);
  });

  test("a kernel path that replaces or deletes a top-level container is a model error", () => {
    const { v, s } = viewed();
    expect(() => {
      (v as unknown as Record<string, unknown>)["vmas"] = {};
    }).toThrow(/replaced or deleted the state's vmas/);
    expect(() => delete (v as unknown as Record<string, unknown>)["vmas"]).toThrow(/top-level containers as fixed/);
    expect(s.vmas["vma1"]).toBeDefined();
    // Keys inside one are the kernel's to add and delete.
    (v.vmas as Record<string, unknown>)["vma2"] = { vm_start: 20 };
    delete (v.vmas as Record<string, unknown>)["vma2"];
    expect(Object.keys(s.vmas)).toEqual(["vma1"]);
  });

  test("a thread's record is not recorded as read, what is in it is; only the scheduler changes the records", () => {
    const { rec, locs, s, v } = viewed();
    (s as unknown as { threads: unknown }).threads = { T: { id: "T", held: [], done: false, results: [] } };
    const view = rec.view(s);
    expect(view.threads["T"]?.held.length).toBe(0);
    expect(names(locs, rec.take().footprint.reads)).toEqual(["threads.T.held"]);
    expect(() => {
      (view.threads as Record<string, unknown>)["U"] = {};
    }).toThrow(/the scheduler owns them/);
    void v;
  });

  test("a field stored and stored back within an event is only read (unchanged)", () => {
    const { rec, locs, v } = viewed();
    rec.eventStart();
    const vma = v.vmas["vma1"] as { vm_start: number; vm_pgoff: number };
    vma.vm_start = 20;
    vma.vm_pgoff = 20;
    vma.vm_start = 16;
    expect(rec.unchanged().map((l) => locs.names[l])).toEqual(["vmas.vma1.vm_start"]);
  });
});
