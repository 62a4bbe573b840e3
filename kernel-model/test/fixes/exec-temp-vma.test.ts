/** 5a on 2.6.34: a temporary vma at the new stack place, after the stack vma on its anon_vma, during the move. */
import { runScenario } from "../../src/api";
import { sweep } from "./random";

const fix = "exec-temp-vma";

test("S4 is clean: scripted, per-field reads and 300 seeded schedules", () => {
  expect(runScenario("S4", { fix }).violations).toEqual([]);
  expect(runScenario("S4", { fix, model: { vmaAddressReads: "per-field" } }).violations).toEqual([]);
  expect(sweep("S4", "2.6.34", fix).first).toBeUndefined();
});

test("S4: the walk meets the old place (the stack vma) before the new one (the temporary vma)", () => {
  const r = runScenario("S4", { fix });
  const tmp = r.trace.find((e) => e.label.startsWith("shift_arg_pages: tmp_vma = *vma1"));
  expect(tmp).toBeDefined();
  const reads = r.trace.filter((e) => e.thread === "mig" && e.label.startsWith("vma_address(pg1@mig,")).map((e) => e.label);
  expect(reads).toEqual(["vma_address(pg1@mig, vma1)", "vma_address(pg1@mig, vma2)"]);
  expect(r.state.vmas["vma2"]?.freed).toBe(true);
  expect(r.state.mms["X"]?.ptes["47"]).toMatchObject({ kind: "present", page: "pg1@mig" });
});

test("the price Linus objected to: every execve() pays for a vma copy, a clone and an unlink", () => {
  const steps = (f: string) => {
    const r = runScenario("S4", { fix: f, unscripted: true });
    return { exec: r.trace.filter((e) => e.thread === "E").length, locks: r.state.counters.lockAcquisitions["anon_vma"] ?? 0 };
  };
  const base = steps("none");
  const fixed = steps(fix);
  expect(fixed.exec).toBeGreaterThan(base.exec);
  expect(fixed.locks - base.locks).toBe(2);
});

test.each([
  ["S1", "bug", "I1"],
  ["S3", "bug", "I1"],
  ["S8", "use-after-free", "I6"],
] as const)("%s is unchanged: %s", (id, kind, invariant) => {
  expect(runScenario(id, { fix }).verdict).toMatchObject({ kind, invariant });
});
