import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadScenario, runScenario } from "../../src/api";
import { KERNEL_VERSIONS } from "../../src/kernels";

const examples = path.join(__dirname, "..", "..", "examples");

test("S1 written as a JSON file behaves like the built-in S1 on every version", () => {
  for (const kernel of KERNEL_VERSIONS) {
    const a = runScenario(path.join(examples, "s1-mprotect-split.json"), { kernel });
    const b = runScenario("S1", { kernel });
    expect(a.verdict).toEqual(b.verdict);
    expect(a.schedule).toBe(b.schedule);
  }
});

test("every example file is a valid scenario that runs", () => {
  for (const f of fs.readdirSync(examples).filter((x) => x.endsWith(".json"))) {
    const r = runScenario(path.join(examples, f), { kernel: "2.6.34" });
    expect(["clean", "bug", "use-after-free", "deadlock"]).toContain(r.verdict.kind);
  }
});

test("a malformed scenario file gets an error naming the file, the path and what was expected", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "km-"));
  const f = path.join(dir, "bad.json");
  fs.writeFileSync(f, JSON.stringify({ id: "x", setup: [{ op: "mmap", mm: "A", start: 16, end: 32 }], threads: [{ name: "T", ops: [{ op: "touch", mm: "A", addr: "28" }] }] }));
  expect(() => loadScenario(f)).toThrow(/bad\.json: threads\[0\]\.ops\[0\]\.addr: expected a non-negative integer page number, got "28"/);
});

test("a scenario that does something the address space cannot do fails with a clear error", () => {
  const spec = { id: "segv", setup: [{ op: "mmap" as const, mm: "A", start: 16, end: 32 }], threads: [{ name: "T", ops: [{ op: "touch" as const, mm: "A", addr: 40 }] }] };
  expect(() => runScenario(spec)).toThrow("thread T: segfault: no vma maps A:p40");
});
