import * as fs from "fs";
import * as path from "path";
import { runScenario } from "../src/api";
import { FIX_IDS } from "../src/fixes";
import { KERNEL_VERSIONS } from "../src/kernels";

interface Entry {
  scenario: string;
  kernel: string;
  fix: string;
  mode: string;
  verdict: string;
  invariant?: string;
  message?: string;
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "manifest.json"), "utf8")) as { entries: Entry[] };
const scripted = manifest.entries.filter((e) => e.mode === "scripted");

describe("manifest: scenario x kernel x fix -> verdict of the scripted interleaving", () => {
  test("covers S1-S8 on every kernel version without a fix", () => {
    const ids = new Set(scripted.filter((e) => e.fix === "none").map((e) => `${e.scenario}@${e.kernel}`));
    for (let i = 1; i <= 8; i++) for (const k of KERNEL_VERSIONS) expect(ids).toContain(`S${i}@${k}`);
  });
  test("every fix but none has entries for S1-S8, and no entry is listed twice", () => {
    const keys = scripted.map((e) => `${e.scenario}@${e.kernel}+${e.fix}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const fix of new Set(scripted.map((e) => e.fix))) {
      expect(FIX_IDS).toContain(fix);
      const ids = new Set(scripted.filter((e) => e.fix === fix).map((e) => e.scenario));
      for (let i = 1; i <= 8; i++) expect(ids).toContain(`S${i}`);
    }
  });
  test.each(scripted.map((e) => [`${e.scenario} on ${e.kernel}${e.fix === "none" ? "" : ` + ${e.fix}`}`, e] as const))("%s", (_name, e) => {
    const r = runScenario(e.scenario, { kernel: e.kernel, fix: e.fix });
    expect(r.verdict.kind).toBe(e.verdict);
    if (e.invariant) expect(r.verdict.invariant).toBe(e.invariant);
    if (e.message) expect(r.verdict.message).toBe(e.message);
    if (e.verdict === "clean") expect(r.violations).toEqual([]);
  });
});
