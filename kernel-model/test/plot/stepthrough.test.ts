import { prepareScenario, runPrepared } from "../../src/api";
import { statesAlong, stepThroughFigure, walkerRead } from "../../src/plot/stepthrough";
import { expectTitled, layout, type Trace } from "./figure";

const p = prepareScenario("S1", { kernel: "2.6.34" });
const r = runPrepared(p);

type Frame = { name: string; data: Trace[]; layout: { annotations: { text: string }[] } };
const frames = (f: { frames?: object[] }) => (f.frames ?? []) as Frame[];
const byName = (fs: Frame[], name: string) => fs.find((x) => x.name === name)!;
// Trace order in every frame: vma bars, ptes present / migration / swap, reads found / -EFAULT / missed.
const [VMAS, PRESENT, MIGRATION, , , , MISSED] = [0, 1, 2, 3, 4, 5, 6];

describe("statesAlong", () => {
  test("one state before the run and one after each step; the last is the run's final state", () => {
    const states = statesAlong(p, r);
    expect(states).toHaveLength(r.trace.length + 1);
    expect(states[0]!.vmas).toEqual(p.initial.vmas);
    expect(states.at(-1)!.vmas).toEqual(r.state.vmas);
    expect(states.at(-1)!.mms).toEqual(r.state.mms);
    const store = r.trace.find((e) => e.label.includes("vm_start = 20"))!;
    expect(states[store.i]!.vmas.vma1!.vm_start).toBe(16);
    expect(states[store.i + 1]!.vmas.vma1!.vm_start).toBe(20);
  });

  test("a run from another kernel does not replay here, and says so", () => {
    const other = runPrepared(prepareScenario("S1", { kernel: "2.6.36" }));
    expect(() => statesAlong(p, other)).toThrow(/pass the Prepared the run was made from/);
  });
});

describe("walkerRead", () => {
  test("computes vm_start + (index - vm_pgoff) from the fields the read saw", () => {
    const states = statesAlong(p, r);
    const miss = r.trace.find((e) => e.notes.some((n) => n.startsWith("I5:")))!;
    const w = walkerRead(miss, states[miss.i + 1]!)!;
    expect(w).toMatchObject({ page: "pg1@mig", vma: "vma1", mm: "A", vm_start: 20, vm_pgoff: 16, vm_end: 32, index: 28, address: 32, inside: false, missed: true });
    const first = r.trace.find((e) => e.label === "vma_address(P, vma1)")!;
    expect(walkerRead(first, states[first.i + 1]!)).toMatchObject({ address: 28, inside: true, missed: false });
    expect(walkerRead(r.trace[0]!, states[1]!)).toBeNull();
  });
});

describe("stepThroughFigure", () => {
  const f = stepThroughFigure(p, r, { title: "S1 step by step" });
  const fs = frames(f);

  test("a frame for the start and one per step, a slider step per frame", () => {
    expectTitled(f, true);
    expect(fs).toHaveLength(r.trace.length + 1);
    expect(fs.map((x) => x.name)).toEqual(["start", ...r.trace.map((e) => String(e.i))]);
    const slider = layout(f).sliders[0];
    expect(slider.steps).toHaveLength(fs.length);
    expect(slider.steps[5].args[0]).toEqual([fs[5]!.name]);
    for (const fr of fs) expect(fr.data).toHaveLength(7);
    expect(f.data).toEqual(fs[0]!.data);
  });

  test("vma bars follow the stores: vma1 starts at p20 from the vm_start store on", () => {
    const store = r.trace.find((e) => e.label.includes("vm_start = 20"))!;
    const before = byName(fs, String(store.i - 1)).data[VMAS]!;
    const after = byName(fs, String(store.i)).data[VMAS]!;
    const vma1 = (t: Trace) => (t.text as string[]).findIndex((s) => s.startsWith("vma1 "));
    expect(before.base[vma1(before)]).toBe(16);
    expect(after.base[vma1(after)]).toBe(20);
    expect(after.x[vma1(after)]).toBe(12);
    expect(after.text[vma1(after)]).toBe("vma1 off 16"); // vm_pgoff not stored yet: the torn state
  });

  test("ptes are markers at their page: A:p28 turns from present to a migration entry at try_to_unmap_one", () => {
    const unmap = r.trace.find((e) => e.label.startsWith("try_to_unmap_one"))!;
    expect(byName(fs, String(unmap.i - 1)).data[PRESENT]!.x).toEqual([28.5]);
    expect(byName(fs, String(unmap.i)).data[PRESENT]!.x).toEqual([]);
    expect(byName(fs, String(unmap.i)).data[MIGRATION]!.x).toEqual([28.5]);
    expect(byName(fs, String(unmap.i)).data[MIGRATION]!.hovertext[0]).toContain("pte A:p28: migration");
  });

  test("the missed read shows the address the walker computed (p32, outside [p20, p32)) and the step's notes", () => {
    const miss = r.trace.find((e) => e.notes.some((n) => n.startsWith("I5:")))!;
    const fr = byName(fs, String(miss.i));
    expect(fr.data[MISSED]!.x).toEqual([32.5]);
    expect(fr.data[MISSED]!.text[0]).toContain("vma1: p32 -EFAULT");
    expect(fr.data[MISSED]!.hovertext[0]).toContain("vm_start 20 + (index 28 - vm_pgoff 16) = p32");
    expect(fr.layout.annotations[0]!.text).toContain("mm/rmap.c:324");
    expect(fr.layout.annotations[0]!.text).toContain("I5: rmap_walk missed A:p28");
    // The x range holds the computed address too.
    expect(layout(f).xaxis.range[1]).toBeGreaterThanOrEqual(33);
  });

  test("maxFrames keeps the steps that matter: stores, reads, violations and the deciding step", () => {
    const g = stepThroughFigure(p, r, { maxFrames: 12 });
    const names = frames(g).map((x) => x.name);
    expect(names).toHaveLength(13);
    expect(names[0]).toBe("start");
    expect(names).toContain(String(r.verdict.step));
    const miss = r.trace.find((e) => e.notes.some((n) => n.startsWith("I5:")))!;
    expect(names).toContain(String(miss.i));
    const nums = names.slice(1).map(Number);
    expect(nums).toEqual([...nums].sort((a, b) => a - b));
  });
});
