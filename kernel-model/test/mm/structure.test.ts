/** The anon_vma structures the kernel paths build, version by version (reference §2.3, I7). */
import { runScenario } from "../../src/api";
import type { ScenarioSpec } from "../../src/scenarios/spec";
import type { State } from "../../src/mm/types";

const setupOnly = (setup: ScenarioSpec["setup"], kernel: string): State =>
  runScenario({ id: "t", setup, threads: [] }, { kernel }).state;

const chainOf = (s: State, vma: string) => s.vmas[vma]?.anon_vma_chain.map((c) => s.avcs[c]?.anon_vma);
const listOf = (s: State, av: string) => s.anon_vmas[av]?.head.map((c) => s.avcs[c]?.vma);

test("fork on 2.6.34: the child's chain is [own, parent's] and it is appended to the parent's list", () => {
  const s = setupOnly([{ op: "mmap", mm: "A", start: 16, end: 32 }, { op: "touch", mm: "A", addr: 20 }, { op: "fork", mm: "A", child: "C" }, { op: "fork", mm: "C", child: "G" }], "2.6.34");
  expect(chainOf(s, "vma2")).toEqual(["av2", "av1"]);
  expect(chainOf(s, "vma3")).toEqual(["av3", "av2", "av1"]);
  expect(listOf(s, "av1")).toEqual(["vma1", "vma2", "vma3"]);
  expect(listOf(s, "av2")).toEqual(["vma2", "vma3"]);
  expect(s.anon_vmas["av3"]?.root).toBe("av1");
});

test("fork on 2.6.33: the whole family shares one anon_vma", () => {
  const s = setupOnly([{ op: "mmap", mm: "A", start: 16, end: 32 }, { op: "touch", mm: "A", addr: 20 }, { op: "fork", mm: "A", child: "C" }], "2.6.33");
  expect(Object.keys(s.anon_vmas)).toEqual(["av1"]);
  expect(listOf(s, "av1")).toEqual(["vma1", "vma2"]);
  expect(s.vmas["vma2"]?.anon_vma).toBe("av1");
});

test("fork shares the page read-only (page_dup_rmap) and a write COWs it to the child's anon_vma", () => {
  const s = setupOnly(
    [{ op: "mmap", mm: "A", start: 16, end: 32 }, { op: "touch", mm: "A", addr: 20, page: "P" }, { op: "fork", mm: "A", child: "C" }, { op: "touch", mm: "C", addr: 20, write: true }],
    "2.6.34",
  );
  expect(s.pages["P"]).toMatchObject({ mapcount: 1, mapping: { anon: "av1" } });
  const cow = s.mms["C"]?.ptes["20"];
  expect(cow).toMatchObject({ kind: "present", write: true });
  const id = cow && cow.kind === "present" ? cow.page : "";
  expect(s.pages[id]?.mapping).toEqual({ anon: "av2" });
});

test("mprotect splits (new vma below, after it on the list) and merges back (vma_merge case 1)", () => {
  const s = setupOnly([{ op: "mmap", mm: "A", start: 16, end: 32 }, { op: "touch", mm: "A", addr: 28, page: "P" }, { op: "mprotect", mm: "A", start: 20, end: 32, prot: "r" }], "2.6.34");
  expect(s.mms["A"]?.mmap).toEqual(["vma2", "vma1"]);
  expect(s.vmas["vma1"]).toMatchObject({ vm_start: 20, vm_end: 32, vm_pgoff: 20, flags: { prot: "r" } });
  expect(s.vmas["vma2"]).toMatchObject({ vm_start: 16, vm_end: 20, vm_pgoff: 16, flags: { prot: "rw" } });
  expect(listOf(s, "av1")).toEqual(["vma1", "vma2"]);
  const back = setupOnly([{ op: "mmap", mm: "A", start: 16, end: 32 }, { op: "touch", mm: "A", addr: 28 }, { op: "mprotect", mm: "A", start: 20, end: 32, prot: "r" }, { op: "mprotect", mm: "A", start: 20, end: 32, prot: "rw" }], "2.6.34");
  expect(back.mms["A"]?.mmap).toEqual(["vma2"]);
  expect(back.vmas["vma2"]).toMatchObject({ vm_start: 16, vm_end: 32, vm_pgoff: 16 });
  expect(back.vmas["vma1"]?.freed).toBe(true);
});

test("mprotect case 5 moves the boundary: prev grows, next's vm_start and vm_pgoff move together", () => {
  const s = setupOnly(
    [{ op: "mmap", mm: "A", start: 16, end: 32 }, { op: "touch", mm: "A", addr: 28, page: "P" }, { op: "mprotect", mm: "A", start: 16, end: 24, prot: "r" }, { op: "mprotect", mm: "A", start: 24, end: 26, prot: "r" }],
    "2.6.34",
  );
  expect(s.vmas["vma1"]).toMatchObject({ vm_start: 16, vm_end: 26, vm_pgoff: 16 });
  expect(s.vmas["vma2"]).toMatchObject({ vm_start: 26, vm_end: 32, vm_pgoff: 26 });
});

test("mremap moves the ptes and keeps page->index; the new vma's pgoff keeps vma_address right", () => {
  const s = setupOnly([{ op: "mmap", mm: "A", start: 16, end: 24 }, { op: "touch", mm: "A", addr: 20, page: "P" }, { op: "mremap", mm: "A", old: 16, len: 8, new: 40 }], "2.6.34");
  expect(s.mms["A"]?.ptes["44"]).toMatchObject({ kind: "present", page: "P" });
  expect(s.pages["P"]?.index).toBe(20);
  expect(s.vmas["vma2"]).toMatchObject({ vm_start: 40, vm_end: 48, vm_pgoff: 16 });
  expect(listOf(s, "av1")).toEqual(["vma2"]);
});

test("exec's temporary stack: pgoff goes down as get_arg_page grows it, and the shift keeps pages findable", () => {
  for (const kernel of ["2.6.34", "2.6.35"]) {
    const s = setupOnly([{ op: "exec", mm: "X", argPages: 3, shift: 20, pages: ["A0", "A1", "A2"] }], kernel);
    expect(s.vmas["vma1"]).toMatchObject({ vm_start: 41, vm_end: 44, vm_pgoff: -2, flags: { growsdown: true, stack_incomplete_setup: false } });
    expect(Object.keys(s.mms["X"]?.ptes ?? {}).sort()).toEqual(["41", "42", "43"]);
    expect(s.pages["A0"]?.index).toBe(0);
  }
});

test("exit frees the anon_vmas once their lists are empty", () => {
  const s = setupOnly([{ op: "mmap", mm: "A", start: 16, end: 32 }, { op: "touch", mm: "A", addr: 20, page: "P" }, { op: "exit", mm: "A" }], "2.6.34");
  expect(s.anon_vmas["av1"]?.freed).toBe(true);
  expect(s.pages["P"]?.freed).toBe(true);
  expect(s.mms["A"]?.ptes).toEqual({});
});
