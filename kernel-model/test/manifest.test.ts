import * as fs from "fs";
import * as path from "path";
import { runScenario } from "../src/api";

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

describe("manifest: scenario x kernel -> verdict of the scripted interleaving", () => {
  test("covers S1-S8 on every kernel version", () => {
    const ids = new Set(scripted.map((e) => `${e.scenario}@${e.kernel}`));
    expect(ids.size).toBe(8 * 4);
  });
  test.each(scripted.map((e) => [`${e.scenario} on ${e.kernel}`, e] as const))("%s", (_name, e) => {
    const r = runScenario(e.scenario, { kernel: e.kernel });
    expect(r.verdict.kind).toBe(e.verdict);
    if (e.invariant) expect(r.verdict.invariant).toBe(e.invariant);
    if (e.message) expect(r.verdict.message).toBe(e.message);
    if (e.verdict === "clean") expect(r.violations).toEqual([]);
  });
});
