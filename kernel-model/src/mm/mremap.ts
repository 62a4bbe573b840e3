/**
 * mm/mremap.c (v2.6.34): move_ptes() moves ptes under the pte lock and takes no anon_vma lock.
 */
import { type Kernel, type KGen, step } from "../sim/kernel";
import { down_write, lockInStep, unlockInStep, up_write } from "./locks";
import { find_vma, mm, vm_area_alloc, vma, vma_link } from "./objects";
import { lazy_cleanup_migration_entry } from "./migrate";
import { detach_vma, MappingError, remove_vma } from "./mmap";
import { anon_vma_clone } from "./rmap";
import type { MmId, VmaId } from "./types";

/**
 * move_ptes() (mm/mremap.c:71): every pte of one pmd extent moves in one critical section of the pte
 * lock (old and new ptl are one lock here); the page keeps its index.
 */
export function* move_ptes(k: Kernel, v: VmaId, old_addr: number, new_addr: number, len: number): KGen {
  const mmId = vma(k, v).mm;
  yield step(`move_ptes(${mmId}: p${old_addr}..p${old_addr + len} -> p${new_addr})`, "mm/mremap.c:71", { lock: mm(k, mmId).page_table_lock, mode: "excl" });
  let m = mm(k, mmId);
  lockInStep(k, m.page_table_lock);
  if (k.policy.move_ptes_cleanup) {
    // Fix 2b (Mel V2 3/3, 27 Apr 2010): do not carry a migration entry away from where rmap looks for it:
    // drop the pte lock, put the page back (lazy cleanup), and start again.
    for (let i = 0; i < len; i++) {
      const pte = m.ptes[old_addr + i];
      if (pte?.kind !== "migration") continue;
      unlockInStep(k, m.page_table_lock);
      const cleaned = yield* lazy_cleanup_migration_entry(k, mmId, old_addr + i, pte.page, "move_ptes", "mm/mremap.c:71");
      if (cleaned) {
        k.s.counters.retries++;
        return yield* move_ptes(k, v, old_addr, new_addr, len);
      }
      yield step(`move_ptes: cannot clean up the entry at ${mmId}:p${old_addr + i}, move it`, "mm/mremap.c:71", { lock: mm(k, mmId).page_table_lock, mode: "excl" });
      m = mm(k, mmId);
      lockInStep(k, m.page_table_lock);
      break;
    }
  }
  for (let i = 0; i < len; i++) {
    const pte = m.ptes[old_addr + i];
    if (pte === undefined) continue;
    delete m.ptes[old_addr + i];
    m.ptes[new_addr + i] = pte;
  }
  unlockInStep(k, m.page_table_lock);
}

/** move_page_tables() (mm/mremap.c:131): one move_ptes per extent (one extent in the model). */
export function* move_page_tables(k: Kernel, v: VmaId, old_addr: number, new_addr: number, len: number): KGen<number> {
  yield* move_ptes(k, v, old_addr, new_addr, len);
  return len;
}

/**
 * mremap(old, len, new) of one whole vma to a free range: move_vma() -> copy_vma() (a new vma that
 * joins the old one's anon_vmas, after it on each list), move_page_tables(), do_munmap(old).
 */
export function* sys_mremap(k: Kernel, mmId: MmId, old: number, len: number, to: number): KGen {
  yield* down_write(k, mm(k, mmId).mmap_sem, "mm/mremap.c");
  yield step(`find_vma(${mmId}, p${old})`, "mm/mremap.c");
  const m = mm(k, mmId);
  const area = find_vma(k, m, old);
  if (!area || area.vm_start !== old || area.vm_end !== old + len) {
    throw new MappingError(`mremap: only a whole vma can be moved in the model; no vma is exactly ${mmId}:[p${old}, p${old + len})`);
  }
  for (const id of m.mmap) {
    const o = vma(k, id);
    if (o.vm_start < to + len && to < o.vm_end) throw new MappingError(`mremap: target [p${to}, p${to + len}) overlaps ${id}`);
  }
  const v = area.id;
  yield step(`copy_vma(${v}, p${to})`, "mm/mmap.c");
  const nv = vm_area_alloc(k, mmId, to, to + len, vma(k, v).vm_pgoff, vma(k, v).flags);
  nv.anon_vma = vma(k, v).anon_vma;
  const nvId = nv.id;
  yield* anon_vma_clone(k, nvId, v);
  vma_link(k, mm(k, mmId), vma(k, nvId));
  yield* move_page_tables(k, v, old, to, len);
  yield step(`do_munmap(${mmId}, p${old}, ${len})`, "mm/mmap.c");
  detach_vma(k, v);
  yield* remove_vma(k, v);
  yield* up_write(k, mm(k, mmId).mmap_sem, "mm/mremap.c");
}
