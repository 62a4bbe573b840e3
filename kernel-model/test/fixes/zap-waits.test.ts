/** 4 on 2.6.34: exit waits on migration entries instead of the migrator pinning the anon_vma. */
import { runScenario } from "../../src/api";
import { sweep } from "./random";

const fix = "zap-waits";

test("S8 scripted is clean: zap sleeps on the migration entry, and the anon_vma is freed after the migration", () => {
  const r = runScenario("S8", { fix });
  expect(r.violations).toEqual([]);
  const zap = r.trace.findIndex((e) => e.thread === "X" && e.label === "zap_pte_range(A:p28)");
  const unlock = r.trace.findIndex((e) => e.thread === "mig" && e.label.startsWith("rcu_read_unlock(); unlock_page(P)"));
  const wait = r.trace.findIndex((e) => e.thread === "X" && e.label === "wait_on_page_locked(PG_locked:P)");
  const free = r.trace.findIndex((e) => e.label === "anon_vma_free(av1)");
  // X met the migration entry before the migration ended, slept until unlock_page(P), and freed the anon_vma last.
  expect(zap).toBeLessThan(unlock);
  expect(wait).toBeGreaterThan(unlock);
  expect(free).toBeGreaterThan(wait);
  expect(r.trace.find((e) => e.label === "anon_vma_free(av1)")?.thread).toBe("X");
  expect(r.state.anon_vmas["av1"]?.external_refcount).toBe(0);
  expect(r.state.counters.waitSteps["PG_locked"]).toBeGreaterThan(0);
});

test("against 2.6.34 itself: no refcount and nothing waits is the use-after-free (I6)", () => {
  expect(runScenario("S8").verdict).toMatchObject({ kind: "use-after-free", invariant: "I6" });
});

test("the hazard left: a zap of the still-present pte during try_to_unmap frees the anon_vma the remap then walks", () => {
  const w = sweep("S8", "2.6.34", fix);
  expect(w.kinds["use-after-free"]).toBeGreaterThan(0);
  expect(w.kinds["use-after-free"]).toBeLessThan(sweep("S8", "2.6.34", "none").kinds["use-after-free"] ?? 0);
  const r = runScenario("S8", { fix, schedule: "X mig*7 X mig*2 X mig*2 X mig X*2 mig", strict: true });
  expect(r.verdict).toMatchObject({ kind: "use-after-free", invariant: "I6" });
  expect(r.trace.find((e) => e.thread === "X" && e.label === "zap_pte_range(A:p28)")?.i).toBeLessThan(
    r.trace.find((e) => e.label.startsWith("try_to_unmap_one"))?.i ?? -1,
  );
  expect(r.state.counters.migrationEntriesCreated).toBe(0);
  // 2.6.35's refcount closes it: the pin is taken while the page is still mapped.
  expect(sweep("S8", "2.6.35", "none").first).toBeUndefined();
});

test.each([
  ["S1", "bug", "I1"],
  ["S3", "bug", "I1"],
  ["S4", "bug", "I1"],
] as const)("%s is unchanged: %s (%s)", (id, kind, invariant) => {
  expect(runScenario(id, { fix }).verdict).toMatchObject({ kind, invariant });
});

test.each(["S6", "S7"])("%s stays clean under 300 seeded schedules", (id) => {
  expect(sweep(id, "2.6.34", fix).first).toBeUndefined();
});
