/** 8 on 2.6.34: migration holds mmap_sem for write in every mm mapping the page. */
import { runScenario } from "../../src/api";
import { sweep } from "./random";

const fix = "migrate-mmap-sem";

test.each(["S1", "S2", "S3", "S4", "S5", "S6", "S7"])("%s is clean: scripted and 300 seeded schedules", (id) => {
  expect(runScenario(id, { fix }).violations).toEqual([]);
  expect(sweep(id, "2.6.34", fix).first).toBeUndefined();
});

test("S1: mprotect cannot start until the migration is over (mmap_sem excludes the whole window)", () => {
  const r = runScenario("S1", { fix });
  const unlock = r.trace.findIndex((e) => e.thread === "mig" && e.label === "up_write(mmap_sem:A)");
  const firstT = r.trace.findIndex((e) => e.thread === "T");
  expect(unlock).toBeGreaterThan(0);
  expect(firstT).toBeGreaterThan(unlock);
  expect(r.state.counters.waitSteps["mmap_sem"]).toBeGreaterThan(0);
});

test("S3: expand_downwards runs under mmap_sem for read, which the migrator's write excludes; both mms are locked", () => {
  const r = runScenario("S3", { fix });
  const held = r.trace.find((e) => e.thread === "mig" && e.label.startsWith("lock_page"))?.held ?? [];
  expect(held).toEqual(["mmap_sem:A", "mmap_sem:C", "PG_locked:P"]);
});

test("S4: setup_arg_pages holds the new mm's mmap_sem for write around shift_arg_pages, so it waits too", () => {
  const r = runScenario("S4", { fix });
  expect(r.trace.find((e) => e.thread === "mig" && e.label.startsWith("lock_page"))?.held).toEqual(["mmap_sem:X", "PG_locked:A0"]);
  expect(r.trace.flatMap((e) => e.notes)).toContain("unmap_and_move(A0) = 0");
});

test("S8 stays a use-after-free: exit_mmap takes no mmap_sem, and holding one does not pin the anon_vma", () => {
  expect(runScenario("S8", { fix }).verdict).toMatchObject({ kind: "use-after-free", invariant: "I6" });
});

test("the price: an mmap_sem write per mapping mm, held across the migration, and the faults and mprotects that wait", () => {
  const base = runScenario("S1");
  const r = runScenario("S1", { fix });
  expect(r.trace.filter((e) => e.thread === "mig" && e.label.startsWith("down_write(mmap_sem:"))).toHaveLength(1);
  expect((r.state.counters.waitSteps["mmap_sem"] ?? 0)).toBeGreaterThan(base.state.counters.waitSteps["mmap_sem"] ?? 0);
  const s3 = runScenario("S3", { fix, unscripted: true });
  const s3base = runScenario("S3", { unscripted: true });
  expect((s3.state.counters.lockAcquisitions["mmap_sem"] ?? 0) - (s3base.state.counters.lockAcquisitions["mmap_sem"] ?? 0)).toBe(2);
});
