/**
 * mm/mprotect.c (v2.6.34): sys_mprotect() -> mprotect_fixup(): vma_merge(), else split_vma() at
 * the start and the end, then the new flags and change_protection().
 */
import { type Kernel, type KGen, step } from "../sim/kernel";
import { down_write, lockInStep, unlockInStep, up_write } from "./locks";
import { find_vma, mm, vma } from "./objects";
import { __split_vma, MappingError, vma_merge, vm_next } from "./mmap";
import type { MmId, VmaFlags, VmaId } from "./types";

/** change_protection(): write-protect ptes and write migration entries (make_migration_entry_read). */
function* change_protection(k: Kernel, v: VmaId, start: number, end: number, prot: VmaFlags["prot"]): KGen {
  const mmId = vma(k, v).mm;
  yield step(`change_protection(${v}, ${start}, ${end})`, "mm/mprotect.c", { lock: mm(k, mmId).page_table_lock, mode: "excl" });
  const m = mm(k, mmId);
  lockInStep(k, m.page_table_lock);
  if (prot !== "rw") {
    for (let a = start; a < end; a++) {
      const pte = m.ptes[a];
      if (pte && pte.kind !== "swap" && pte.write) m.ptes[a] = { ...pte, write: false };
    }
  }
  unlockInStep(k, m.page_table_lock);
}

/** mprotect_fixup(): returns the vma now covering [start, end). */
export function* mprotect_fixup(k: Kernel, v: VmaId, prev: VmaId | null, start: number, end: number, flags: VmaFlags): KGen<VmaId> {
  yield step(`mprotect_fixup(${v}, ${start}, ${end})`, "mm/mprotect.c");
  const area = vma(k, v);
  const same = area.flags.prot === flags.prot && area.flags.stack_incomplete_setup === flags.stack_incomplete_setup;
  if (same) return v;
  const pgoff = area.vm_pgoff + (start - area.vm_start);
  const merged = yield* vma_merge(k, area.mm, prev, start, end, flags, area.anon_vma, pgoff);
  const now = merged ?? v;
  if (merged === null) {
    if (start !== vma(k, v).vm_start) yield* __split_vma(k, v, start, true);
    if (end !== vma(k, v).vm_end) yield* __split_vma(k, v, end, false);
  }
  yield step(`mprotect_fixup: ${now}->vm_flags = ${flags.prot}`, "mm/mprotect.c");
  vma(k, now).flags = { ...flags };
  yield* change_protection(k, now, start, end, flags.prot);
  return now;
}

/** sys_mprotect(start, end, prot) with mmap_sem held for write. */
export function* sys_mprotect(k: Kernel, mmId: MmId, start: number, end: number, prot: VmaFlags["prot"]): KGen {
  yield* down_write(k, mm(k, mmId).mmap_sem, "mm/mprotect.c");
  yield step(`find_vma_prev(${mmId}, p${start})`, "mm/mprotect.c");
  // Objects of the state are fetched in the step that uses them, never kept across a yield (scheduler.ts).
  const m = mm(k, mmId);
  let v = find_vma(k, m, start);
  if (!v || v.vm_start > start) throw new MappingError(`mprotect: no vma at ${mmId}:p${start}`);
  const idx = m.mmap.indexOf(v.id);
  let prev: VmaId | null = start > v.vm_start ? v.id : (m.mmap[idx - 1] ?? null);
  let nstart = start;
  for (;;) {
    const tmp = Math.min(v.vm_end, end);
    const flags = { ...v.flags, prot };
    const now = yield* mprotect_fixup(k, v.id, prev, nstart, tmp, flags);
    nstart = tmp;
    if (nstart >= end) break;
    prev = now;
    const nx = vm_next(k, now);
    if (!nx || nx.vm_start !== nstart) throw new MappingError(`mprotect: hole at ${mmId}:p${nstart}`);
    v = nx;
  }
  yield* up_write(k, mm(k, mmId).mmap_sem, "mm/mprotect.c");
}
