import { runScenario } from "../../src/api";
import { lockColor, VERDICT_COLORS } from "../../src/plot/common";
import { lockIntervals, stepKind, timelineFigure } from "../../src/plot/timeline";
import { expectTitled, layout, trace, traces } from "./figure";

const s1 = runScenario("S1", { kernel: "2.6.34" });

describe("stepKind", () => {
  test("vma field stores, vma_address reads (one-step and per-field), other steps", () => {
    expect(stepKind("vma_adjust: vma1->vm_start = 20")).toBe("store");
    expect(stepKind("vma_adjust: vma2->vm_pgoff += 2")).toBe("store");
    expect(stepKind("expand_downwards: vma2->vm_pgoff -= 1")).toBe("store");
    expect(stepKind("vma_adjust: vma1->vm_end = 32")).toBe("store");
    expect(stepKind("vma_address(pg1@mig, vma1)")).toBe("vma_address");
    expect(stepKind("vma_address: read vma1->vm_pgoff")).toBe("vma_address");
    expect(stepKind("mprotect_fixup: vma1->vm_flags = r")).toBe("step");
    expect(stepKind("spin_lock(anon_vma:av1)")).toBe("step");
  });
});

describe("lockIntervals", () => {
  test("S1: each lock from the step that took it to the step that released it", () => {
    const iv = lockIntervals(s1.trace);
    const find = (thread: string, lock: string) => iv.filter((x) => x.thread === thread && x.lock === lock);
    const take = (label: string, thread: string) => s1.trace.find((e) => e.thread === thread && e.label === label)!.i;
    expect(find("T", "mmap_sem:A")).toEqual([
      { thread: "T", lock: "mmap_sem:A", from: take("down_write(mmap_sem:A)", "T"), to: take("up_write(mmap_sem:A)", "T"), open: false },
    ]);
    // The migrator takes av1 twice: in try_to_unmap and again in remove_migration_ptes.
    expect(find("mig", "anon_vma:av1")).toHaveLength(2);
    // F dies holding its locks: the intervals stay open to the end of the run.
    expect(find("F", "mmap_sem:A")[0]).toMatchObject({ open: true, to: s1.trace.length });
  });
});

describe("timelineFigure", () => {
  const f = timelineFigure(s1, { title: "S1 on 2.6.34", highlight: [{ from: 18, to: 28, text: "window" }] });

  test("one lane per thread in declaration order, one marker per step", () => {
    expectTitled(f, true);
    expect(layout(f).yaxis.ticktext).toEqual(["mig", "T", "F"]);
    const markers = traces(f).filter((t) => t.type === "scatter" && t.mode === "markers" && t.name !== "violation recorded");
    const xs = markers.flatMap((t) => t.x as number[]).sort((a, b) => a - b);
    expect(xs).toEqual(s1.trace.map((e) => e.i));
    // A step's marker is in its thread's lane.
    const step = trace(f, "step");
    (step.x as number[]).forEach((x, k) => expect(layout(f).yaxis.ticktext[step.y[k]]).toBe(s1.trace[x]!.thread));
  });

  test("the field stores and the vma_address reads have their own traces, colours and labels", () => {
    const stores = trace(f, "vma field store (vm_start / vm_end / vm_pgoff)");
    const reads = trace(f, "vma_address() read");
    const storeSteps = s1.trace.filter((e) => /->vm_(start|end|pgoff) =/.test(e.label)).map((e) => e.i);
    expect(stores.x).toEqual(storeSteps);
    expect(stores.x).toContain(s1.trace.find((e) => e.label.includes("vm_start = 20"))!.i);
    expect(reads.x).toEqual(s1.trace.filter((e) => e.label.startsWith("vma_address(")).map((e) => e.i));
    expect(new Set([stores.marker.color, reads.marker.color, trace(f, "step").marker.color]).size).toBe(3);
    const annotated = (layout(f).annotations as { text: string }[]).map((a) => a.text);
    expect(annotated).toContain("vma1-&gt;vm_start = 20");
  });

  test("hover shows the step's label, its kernel source location and what it reported", () => {
    const reads = trace(f, "vma_address() read");
    const missed = s1.trace.find((e) => e.notes.some((n) => n.startsWith("I5:")))!;
    const h = reads.hovertext[(reads.x as number[]).indexOf(missed.i)] as string;
    expect(h).toContain("vma_address(pg1@mig, vma1)");
    expect(h).toContain("mm/rmap.c:324");
    expect(h).toContain("I5: rmap_walk missed A:p28");
  });

  test("the deciding violation is a vertical line at its step with the message; steps with violations are ringed", () => {
    expect(s1.verdict.step).toBe(s1.trace.length - 1);
    const lines = (layout(f).shapes as Record<string, unknown>[]).filter((s) => s.type === "line");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ x0: s1.verdict.step, x1: s1.verdict.step, line: { color: VERDICT_COLORS.bug } });
    const msg = (layout(f).annotations as { text: string; x: number }[]).find((a) => a.text.includes("swapops.h:105"));
    expect(msg?.x).toBe(s1.verdict.step);
    expect(msg?.text).toContain("I1");
    const rings = trace(f, "violation recorded");
    const withViolations = s1.trace.filter((e) => e.notes.some((n) => /^I\d+:/.test(n))).map((e) => e.i);
    expect(rings.x).toEqual(withViolations); // I5 at the read, I2 at unlock_page, I1 at the fault
    expect(withViolations).toHaveLength(3);
  });

  test("locks held are bars under the lane, one trace per lock class, in the lock colours", () => {
    const av = trace(f, "holds anon_vma");
    expect(av.type).toBe("bar");
    expect(av.marker.color).toBe(lockColor("anon_vma"));
    const iv = lockIntervals(s1.trace).filter((x) => x.lock.startsWith("anon_vma:"));
    expect(av.base).toEqual(iv.map((x) => x.from));
    expect(av.x).toEqual(iv.map((x) => x.to - x.from));
    const sem = trace(f, "holds mmap_sem");
    const tLane = 1;
    const tBar = (sem.y as number[]).findIndex((y) => Math.floor(y) === tLane);
    expect(sem.y[tBar]).toBeGreaterThan(tLane); // under the lane (the y axis runs downwards)
    expect(sem.y[tBar]).toBeLessThan(tLane + 0.75);
  });

  test("highlighted ranges are shaded", () => {
    const rect = (layout(f).shapes as Record<string, unknown>[]).find((s) => s.type === "rect");
    expect(rect).toMatchObject({ x0: 17.5, x1: 28.5 });
  });

  test("a clean run has no violation line and says so in its default title", () => {
    const clean = timelineFigure(runScenario("S1", { kernel: "2.6.36" }));
    expect((layout(clean).shapes as Record<string, unknown>[]).filter((s) => s.type === "line")).toHaveLength(0);
    expect(layout(clean).title.text).toBe("Thread timeline: clean");
    expect(() => trace(clean, "violation recorded")).toThrow();
  });

  test("a use-after-free is marked in its own colour", () => {
    const r = runScenario("S8", { kernel: "2.6.34" });
    const g = timelineFigure(r);
    const line = (layout(g).shapes as Record<string, unknown>[]).find((s) => s.type === "line");
    expect(line).toMatchObject({ x0: r.verdict.step, line: { color: VERDICT_COLORS["use-after-free"] } });
  });
});
