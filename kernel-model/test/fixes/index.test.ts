import { FIX_IDS, FIXES, fixPolicy, getFix } from "../../src/fixes";
import { kernelPolicy, UsageError } from "../../src/kernels";
import { runScenario } from "../../src/api";

describe("the fix registry", () => {
  test("none is the kernel as released", () => {
    expect(FIX_IDS[0]).toBe("none");
    expect(fixPolicy("2.6.34", "none")).toEqual(kernelPolicy("2.6.34"));
  });
  test("every fix cites its origin and fate and changes the policy", () => {
    for (const id of FIX_IDS) {
      const f = getFix(id);
      expect(f.id).toBe(id);
      if (id === "none") continue;
      expect(f.origin.who).not.toBe("");
      expect(f.origin.ref).not.toBe("");
      expect(f.fate).not.toBe("");
      const { summary: _a, ...fixed } = fixPolicy("2.6.34", id);
      const { summary: _b, ...base } = kernelPolicy("2.6.34");
      expect(fixed).not.toEqual(base);
    }
    expect(Object.keys(FIXES)).toEqual(FIX_IDS);
  });
  test("an unknown fix is a UsageError naming the accepted ids", () => {
    expect(() => fixPolicy("2.6.34", "magic")).toThrow(UsageError);
    expect(() => fixPolicy("2.6.34", "magic")).toThrow(/unknown fix "magic"; expected one of none, root-anon-vma-lock/);
    expect(() => runScenario("S1", { fix: "magic" })).toThrow(UsageError);
  });
  test("the base version is a parameter, 2.6.34 by default", () => {
    expect(fixPolicy("2.6.33", "skip-temp-stacks").anon_vma_chain).toBe(false);
    expect(runScenario("S4", { fix: "skip-temp-stacks" }).verdict.kind).toBe("clean");
    expect(runScenario("S4", { kernel: "2.6.33", fix: "skip-temp-stacks" }).verdict.kind).toBe("clean");
  });
});

test("the merged fixes are the versions' deltas: 2.6.34 + 5b ~ 2.6.35's exec rule, 2.6.35 + 1f = 2.6.36", () => {
  const strip = ({ version: _v, summary: _s, ...rest }: ReturnType<typeof kernelPolicy>) => rest;
  expect(strip(fixPolicy("2.6.35", "root-anon-vma-lock"))).toEqual(strip(kernelPolicy("2.6.36")));
  expect(fixPolicy("2.6.34", "skip-temp-stacks").skip_temporary_stacks).toBe(kernelPolicy("2.6.35").skip_temporary_stacks);
  for (const id of ["S1", "S2", "S3", "S4", "S5", "S8"]) {
    expect(runScenario(id, { kernel: "2.6.35", fix: "root-anon-vma-lock" }).verdict).toEqual(runScenario(id, { kernel: "2.6.36" }).verdict);
  }
});
