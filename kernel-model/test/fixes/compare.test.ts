import * as fs from "fs";
import * as path from "path";
import { compareFixes, formatCompare } from "../../src/fixes/compare";
import { UsageError } from "../../src/kernels";

interface Entry { scenario: string; kernel: string; fix: string; mode: string; verdict: string }
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "manifest.json"), "utf8")) as { entries: Entry[] };

test("the scripted column of the matrix is the manifest's", () => {
  let progress = 0;
  const cells = compareFixes({ scenarios: ["S1", "S4", "S8"], kernels: ["2.6.34"], runs: 10, onProgress: () => progress++ });
  expect(progress).toBe(cells.length);
  for (const c of cells) {
    const e = manifest.entries.find((x) => x.mode === "scripted" && x.scenario === c.scenario && x.kernel === c.kernel && x.fix === c.fix);
    expect(e?.verdict).toBe(c.scripted.verdict);
    expect(c.random.runs).toBe(10);
  }
  const s1 = cells.find((c) => c.scenario === "S1" && c.fix === "none");
  expect(s1?.random.hits).toBeGreaterThan(0);
  expect(s1?.random.firstHit?.schedule).toBeDefined();
  expect(cells.find((c) => c.scenario === "S1" && c.fix === "vma-adjust-lock")?.scripted.cost.lockAcquisitions["vma_adjust_lock"]).toBeGreaterThan(0);
  const text = formatCompare(cells);
  expect(text.split("\n")[0]).toMatch(/none \(-\)\s+root-anon-vma-lock \(1f\)/);
  expect(text).toMatch(/^S1 2\.6\.34\s+BUG \d+%\s+ok 0%/m);
});

test("an unknown fix is a UsageError; explore results are attached", () => {
  expect(() => compareFixes({ fixes: ["magic"] })).toThrow(UsageError);
  const cells = compareFixes({ scenarios: ["S6"], kernels: ["2.6.36"], fixes: ["none"], runs: 1, explore: (p) => p.spec.id });
  expect(cells[0]?.explored).toBe("S6");
});
