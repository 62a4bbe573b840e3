/** 2b on 2.6.34: move_ptes puts a migration entry's page back instead of moving the entry. */
import { prepareScenario, runPrepared, runScenario } from "../../src/api";
import { seededChooser } from "./random";

const fix = "lazy-cleanup-move-ptes";

test("S4 scripted stays a BUG: move_ptes meets the entry after the migration freed the page, and cannot pin it", () => {
  const r = runScenario("S4", { fix });
  expect(r.verdict).toMatchObject({ kind: "bug", invariant: "I1", message: "kernel BUG at include/linux/swapops.h:105!" });
  expect(r.trace.flatMap((e) => e.notes)).toContain("move_ptes(X:p63): A0 is unlocked and free, cannot pin it");
});

test("S4, move_ptes first: it waits for the migration, puts A0 back, but gives it the index of the half-shifted vma", () => {
  const r = runScenario("S4", { fix, schedule: "mig@rmap_walk_anon E@move_ptes E* mig*" });
  expect(r.violations.some((v) => v.invariant === "I1")).toBe(false);
  expect(r.trace.flatMap((e) => e.notes)).toContain("move_ptes(X:p63): A0 is locked: lazy cleanup");
  expect(r.state.mms["X"]?.ptes["47"]).toMatchObject({ kind: "present", page: "A0" });
  // linear_page_index(vma, p63) with vm_start already p46: 16, where the page's place after the move says 0.
  expect(r.state.pages["A0"]?.index).toBe(16);
  expect(r.violations.find((v) => v.step === -1)?.message).toMatch(/A0 at X:p47 cannot be found by rmap/);
});

test("seeded schedules of S4: fewer BUGs than without the fix, and pages rmap can no longer find", () => {
  const count = (f: string) => {
    const p = prepareScenario("S4", { fix: f });
    let bugs = 0;
    let lost = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const r = runPrepared(p, { chooser: seededChooser(seed), trace: false });
      if (r.violations.some((v) => v.invariant === "I1" && v.step >= 0)) bugs++;
      if (r.violations.some((v) => v.invariant === "I5" && v.step === -1)) lost++;
    }
    return { bugs, lost };
  };
  const base = count("none");
  const fixed = count(fix);
  expect(fixed.bugs).toBeLessThan(base.bugs);
  expect(fixed.bugs).toBeGreaterThan(0);
  expect(base.lost).toBe(0);
  expect(fixed.lost).toBeGreaterThan(0);
});

test("mremap of a vma whose page is being migrated stays clean", () => {
  expect(runScenario(`${__dirname}/../../examples/mremap-during-migration.json`, { fix }).violations).toEqual([]);
});

test.each(["S1", "S2", "S3", "S5"])("%s is unchanged (no pte is moved there)", (id) => {
  expect(runScenario(id, { fix }).verdict).toEqual(runScenario(id).verdict);
});
