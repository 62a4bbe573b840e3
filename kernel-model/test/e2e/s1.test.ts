/** S1 step by step: the mechanism, not just the verdict. */
import * as km from "../../src";
import { runScenario } from "../../src/api";
import type { TraceEntry } from "../../src/sim/trace";

const find = (t: TraceEntry[], pred: (e: TraceEntry) => boolean) => t.findIndex(pred);

describe("S1 on 2.6.34: the walk skips the pte because vma_address returned -EFAULT", () => {
  const r = runScenario("S1", { kernel: "2.6.34" });
  test("BUG at swapops.h:105 in the fault after the mprotect", () => {
    expect(r.verdict).toMatchObject({ kind: "bug", invariant: "I1", message: "kernel BUG at include/linux/swapops.h:105!" });
    const bug = r.trace[r.verdict.step as number] as TraceEntry;
    expect(bug.thread).toBe("F");
    expect(bug.label).toMatch(/^migration_entry_wait/);
    expect(bug.loc).toBe("mm/migrate.c:161");
  });
  test("the remove walk computes -EFAULT from a half-adjusted vma and skips the pte", () => {
    const store = find(r.trace, (e) => e.thread === "T" && e.label === "vma_adjust: vma1->vm_start = 20");
    const walk = find(r.trace, (e) => e.thread === "mig" && e.label === "vma_address(pg1@mig, vma1)");
    const pgoff = find(r.trace, (e) => e.thread === "T" && e.label === "vma_adjust: vma1->vm_pgoff = 20");
    expect(store).toBeGreaterThan(-1);
    expect(walk).toBeGreaterThan(store);
    expect(pgoff).toBeGreaterThan(walk);
    const w = r.trace[walk] as TraceEntry;
    expect(w.notes.join("\n")).toContain("vma_address(pg1@mig, vma1) = -EFAULT (vm_start 20, vm_pgoff 16, vm_end 32)");
    expect(w.notes.join("\n")).toMatch(/I5: rmap_walk missed A:p28 \(migration P\)/);
    expect(w.held).toContain("anon_vma:av1");
  });
  test("unlock_page(P) leaves the migration entry behind (I2), and the fault finds it", () => {
    const i2 = r.violations.find((v) => v.invariant === "I2");
    expect(i2?.message).toContain("A:p28");
    expect((r.trace[i2?.step as number] as TraceEntry).label).toMatch(/unlock_page\(P\)/);
    expect(i2?.step as number).toBeLessThan(r.verdict.step as number);
  });
});

describe.each(["2.6.36", "2.6.33"])("S1 on %s: the same interleaving is clean", (kernel) => {
  const r = runScenario("S1", { kernel });
  test("clean, and the walk saw the final fields", () => {
    expect(r.verdict.kind).toBe("clean");
    const walk = r.trace.find((e) => e.thread === "mig" && e.label === "vma_address(pg1@mig, vma1)");
    expect(walk?.notes).toEqual([]);
    expect(r.trace.some((e) => e.notes.some((n) => n === "remove_migration_pte: A:p28 -> pg1@mig"))).toBe(true);
  });
  test("the walker waited for the lock vma_adjust held across the stores", () => {
    const lock = r.trace.findIndex((e) => e.thread === "T" && /^anon_vma_lock/.test(e.label));
    const unlock = r.trace.findIndex((e) => e.thread === "T" && /^anon_vma_unlock/.test(e.label));
    const walkLock = r.trace.findIndex((e) => e.thread === "mig" && /^spin_lock/.test(e.label) && e.i > lock && r.trace.some((x) => x.thread === "mig" && x.i < e.i && x.label.startsWith("rmap_walk_anon")));
    expect(lock).toBeGreaterThan(-1);
    expect(walkLock).toBeGreaterThan(unlock);
    expect(r.state.counters.waitSteps["anon_vma"]).toBeGreaterThan(0);
  });
});

describe("the S1 family from the package's entry point (what notebooks import)", () => {
  test("one migrator per page: a thread per page, BUG on 2.6.34 and clean on 2.6.36", () => {
    const spec = km.s1Family({ pages: 2, migrators: "per-page" });
    expect(spec.id).toBe("S1-2p-2m");
    expect(spec.threads.map((t) => t.name)).toEqual(["mig0", "mig1", "T", "F"]);
    expect(km.explore(km.prepareScenario(spec, { kernel: "2.6.34" }), { mode: "exhaustive" }).verdict).toBe("bug");
    const clean = km.explore(km.prepareScenario(spec, { kernel: "2.6.36" }), { mode: "exhaustive" });
    expect([clean.verdict, clean.exhausted]).toEqual(["clean", true]);
  });
  test("bad parameters name the accepted values", () => {
    expect(() => km.s1Family({ pages: 5 })).toThrow("S1: pages must be 1, 2, 3 or 4, got 5");
  });
});
