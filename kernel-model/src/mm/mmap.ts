/**
 * mm/mmap.c (v2.6.34; byte-identical in 2.6.35): the vma writers. vma_adjust() stores vm_start,
 * vm_end and vm_pgoff as separate steps; which anon_vma lock (if any) it holds around them is the
 * kernel version's policy (Race A).
 */
import { type Kernel, type KGen, step } from "../sim/kernel";
import { spin_lock, spin_unlock } from "./locks";
import { anon_vma_lock_id, avc, find_vma, mm, vm_area_alloc, vma, vma_adjust_lock_id, vma_link } from "./objects";
import { anon_vma_clone, anon_vma_prepare, unlink_anon_vmas } from "./rmap";
import type { Vma, VmaFlags, VmaId } from "./types";

/**
 * The locks anon_vma_lock(vma) takes: vma->anon_vma's (its root's on 2.6.36). With fix 1d (Rik, "Take
 * all anon_vma locks in anon_vma_lock") the lock of every anon_vma on the vma's chain, newest first.
 */
export function anon_vma_lock_ids(k: Kernel, v: VmaId): string[] {
  const area = vma(k, v);
  if (area.anon_vma === null) return [];
  if (!k.policy.anon_vma_lock_all) return [anon_vma_lock_id(k, area.anon_vma)];
  const ids = area.anon_vma_chain.map((c) => anon_vma_lock_id(k, avc(k, c).anon_vma));
  return ids.filter((id, i) => ids.indexOf(id) === i);
}

/** The vma after v in its mm (vma->vm_next). */
export function vm_next(k: Kernel, v: VmaId): Vma | null {
  const list = mm(k, vma(k, v).mm).mmap;
  const next = list[list.indexOf(v) + 1];
  return next === undefined ? null : vma(k, next);
}

/**
 * vma_adjust() (mm/mmap.c:501): set vma to [start, end) at pgoff, possibly inserting `insert` or
 * moving the boundary with `next` (adjust_next, vma_merge cases 4 and 5) or removing `next`.
 */
export function* vma_adjust(k: Kernel, v: VmaId, start: number, end: number, pgoff: number, insert: VmaId | null): KGen {
  const area = vma(k, v);
  const next = vm_next(k, v)?.id ?? null;
  let importer: VmaId | null = null;
  let adjust_next = 0;
  let remove_next = false;
  if (next && !insert) {
    let exporter: VmaId | null = null;
    const nx = vma(k, next);
    if (end >= nx.vm_end) {
      remove_next = true; // case 1, 6: vma swallows next (remove_next == 2 is not modelled)
      end = nx.vm_end;
      exporter = next;
      importer = v;
    } else if (end > nx.vm_start) {
      adjust_next = end - nx.vm_start; // mprotect case 5: shift the boundary up
      exporter = next;
      importer = v;
    } else if (end < area.vm_end) {
      adjust_next = -(area.vm_end - end); // mprotect case 4: shift the boundary down
      exporter = v;
      importer = next;
    }
    if (exporter && vma(k, exporter).anon_vma && importer && !vma(k, importer).anon_vma) {
      yield* anon_vma_clone(k, importer, exporter);
      vma(k, importer).anon_vma = vma(k, exporter).anon_vma;
    }
  }
  // 2.6.33 and 2.6.36 lock the anon_vma here; 5beb4930 (2.6.34) removed it.
  let locks: string[] = [];
  if (k.policy.vma_adjust_lock !== "none" && vma(k, v).anon_vma && (insert || importer || start !== vma(k, v).vm_start)) {
    locks = anon_vma_lock_ids(k, v);
    for (const l of locks) yield* spin_lock(k, l, "mm/mmap.c:501", locks.length === 1 ? `anon_vma_lock(${vma(k, v).anon_vma})` : `anon_vma_lock(${v}): ${l}`);
  }
  // Fix 1a (KAMEZAWA, 22 Apr 2010): vma's and next's adjust_lock across the stores vma_address() reads.
  const adjustLocks = k.policy.per_vma_adjust_lock ? [v, ...(adjust_next && next ? [next] : [])].map(vma_adjust_lock_id) : [];
  for (const l of adjustLocks) yield* spin_lock(k, l, "mm/mmap.c:501");
  yield step(`vma_adjust: ${v}->vm_start = ${start}`, "mm/mmap.c:501");
  vma(k, v).vm_start = start;
  yield step(`vma_adjust: ${v}->vm_end = ${end}`, "mm/mmap.c:501");
  vma(k, v).vm_end = end;
  yield step(`vma_adjust: ${v}->vm_pgoff = ${pgoff}`, "mm/mmap.c:501");
  vma(k, v).vm_pgoff = pgoff;
  if (adjust_next && next) {
    yield step(`vma_adjust: ${next}->vm_start += ${adjust_next}`, "mm/mmap.c:501");
    vma(k, next).vm_start += adjust_next;
    yield step(`vma_adjust: ${next}->vm_pgoff += ${adjust_next}`, "mm/mmap.c:501");
    vma(k, next).vm_pgoff += adjust_next;
  }
  for (const l of [...adjustLocks].reverse()) yield* spin_unlock(k, l, "mm/mmap.c:501");
  if (remove_next && next) {
    yield step(`vma_adjust: __vma_unlink(${next})`, "mm/mmap.c:501");
    const m = mm(k, vma(k, v).mm);
    m.mmap = m.mmap.filter((x) => x !== next);
  } else if (insert) {
    yield step(`vma_adjust: __insert_vm_struct(${insert})`, "mm/mmap.c:501");
    vma_link(k, mm(k, vma(k, v).mm), vma(k, insert));
  }
  for (const l of [...locks].reverse()) yield* spin_unlock(k, l, "mm/mmap.c:501", locks.length === 1 ? `anon_vma_unlock(${vma(k, v).anon_vma})` : `anon_vma_unlock(${v}): ${l}`);
  if (remove_next && next) {
    if (vma(k, next).anon_vma) yield* unlink_anon_vmas(k, next); // anon_vma_merge()
    yield step(`vma_adjust: free ${next}`, "mm/mmap.c:501");
    vma(k, next).freed = true;
  }
}

function mergeable(a: VmaFlags, b: VmaFlags): boolean {
  return a.prot === b.prot && a.growsdown === b.growsdown && a.stack_incomplete_setup === b.stack_incomplete_setup;
}
function mergeable_anon_vma(a: string | null, b: string | null): boolean {
  return a === null || b === null || a === b;
}

/**
 * vma_merge() (mm/mmap.c:746): can [addr, end) with these flags join prev and/or next? Cases 1-8 of
 * the comment in mmap.c; returns the vma that now covers the range, or null.
 */
export function* vma_merge(
  k: Kernel, mmId: string, prev: VmaId | null, addr: number, end: number, flags: VmaFlags, anon: string | null, pgoff: number,
): KGen<VmaId | null> {
  const m = mm(k, mmId);
  let next: Vma | null = prev ? vm_next(k, prev) : m.mmap[0] !== undefined ? vma(k, m.mmap[0]) : null;
  const area = next;
  if (next && next.vm_end === end) next = vm_next(k, next.id); // cases 6, 7, 8
  const pglen = end - addr;
  const p = prev ? vma(k, prev) : null;
  if (p && p.vm_end === addr && mergeable(p.flags, flags) && mergeable_anon_vma(anon, p.anon_vma) && p.vm_pgoff + (p.vm_end - p.vm_start) === pgoff) {
    if (next && end === next.vm_start && mergeable(next.flags, flags) && next.vm_pgoff === pgoff + pglen && mergeable_anon_vma(p.anon_vma, next.anon_vma)) {
      yield* vma_adjust(k, p.id, p.vm_start, next.vm_end, p.vm_pgoff, null); // cases 1, 6
    } else {
      yield* vma_adjust(k, p.id, p.vm_start, end, p.vm_pgoff, null); // cases 2, 5, 7
    }
    return prev;
  }
  if (next && end === next.vm_start && mergeable(next.flags, flags) && mergeable_anon_vma(anon, next.anon_vma) && next.vm_pgoff === pgoff + pglen) {
    const areaId = area?.id ?? null;
    if (p && addr < p.vm_end) yield* vma_adjust(k, p.id, p.vm_start, addr, p.vm_pgoff, null); // case 4
    else if (area) yield* vma_adjust(k, area.id, addr, next.vm_end, next.vm_pgoff - pglen, null); // cases 3, 8
    return areaId;
  }
  return null;
}

/**
 * __split_vma() (mm/mmap.c:1923): NEW is a copy of vma; it joins vma's anon_vmas (anon_vma_clone)
 * before vma_adjust() inserts it, so a walker can meet it while vma is half adjusted.
 */
export function* __split_vma(k: Kernel, v: VmaId, addr: number, new_below: boolean): KGen<VmaId> {
  yield step(`__split_vma(${v}, ${addr}, new_below=${new_below ? 1 : 0}): new = *vma`, "mm/mmap.c:1923");
  const area = vma(k, v);
  const nw = vm_area_alloc(k, area.mm, area.vm_start, area.vm_end, area.vm_pgoff, area.flags);
  nw.anon_vma = area.anon_vma;
  if (new_below) nw.vm_end = addr;
  else {
    nw.vm_start = addr;
    nw.vm_pgoff += addr - area.vm_start;
  }
  const nwId = nw.id;
  yield* anon_vma_clone(k, nwId, v);
  const a = vma(k, v);
  if (new_below) yield* vma_adjust(k, v, addr, a.vm_end, a.vm_pgoff + (addr - vma(k, nwId).vm_start), nwId); // mm/mmap.c:1970
  else yield* vma_adjust(k, v, a.vm_start, addr, a.vm_pgoff, nwId); // mm/mmap.c:1973
  return nwId;
}

/**
 * expand_downwards() (mm/mmap.c:1748): grow a VM_GROWSDOWN vma with mmap_sem held only for read,
 * under anon_vma_lock(vma): its own anon_vma, not necessarily the one a walker holds (Race C).
 */
export function* expand_downwards(k: Kernel, v: VmaId, address: number): KGen<boolean> {
  if (!vma(k, v).flags.growsdown) return false;
  yield* anon_vma_prepare(k, v);
  const locks = anon_vma_lock_ids(k, v);
  for (const l of locks) yield* spin_lock(k, l, "mm/mmap.c:1748", locks.length === 1 ? `anon_vma_lock(${v}->anon_vma)` : `anon_vma_lock(${v}): ${l}`);
  if (address < vma(k, v).vm_start) {
    const grow = vma(k, v).vm_start - address;
    yield step(`expand_downwards: ${v}->vm_start = ${address}`, "mm/mmap.c:1748");
    vma(k, v).vm_start = address;
    yield step(`expand_downwards: ${v}->vm_pgoff -= ${grow}`, "mm/mmap.c:1748");
    vma(k, v).vm_pgoff -= grow;
  }
  for (const l of [...locks].reverse()) yield* spin_unlock(k, l, "mm/mmap.c:1748", locks.length === 1 ? `anon_vma_unlock(${v}->anon_vma)` : `anon_vma_unlock(${v}): ${l}`);
  return true;
}

/** mmap_region() for an anonymous private mapping: pgoff = addr >> PAGE_SHIFT (mm/mmap.c:1066). */
export function* mmap_region(k: Kernel, mmId: string, start: number, end: number, flags: VmaFlags): KGen<VmaId> {
  yield step(`mmap_region(${mmId}, ${start}, ${end})`, "mm/mmap.c:1066");
  const m = mm(k, mmId);
  for (const id of m.mmap) {
    const o = vma(k, id);
    if (o.vm_start < end && start < o.vm_end) throw new MappingError(`mmap [${start}, ${end}) overlaps ${id} [${o.vm_start}, ${o.vm_end}) in ${mmId}`);
  }
  const v = vm_area_alloc(k, mmId, start, end, start, flags);
  vma_link(k, m, v);
  return v.id;
}

/** Detach a whole vma and free it (do_munmap of exactly one vma: unmap_region is the caller's). */
export function* remove_vma(k: Kernel, v: VmaId): KGen {
  yield* unlink_anon_vmas(k, v);
  yield step(`remove_vma(${v})`, "mm/mmap.c");
  vma(k, v).freed = true;
}

export function detach_vma(k: Kernel, v: VmaId): void {
  const m = mm(k, vma(k, v).mm);
  m.mmap = m.mmap.filter((x) => x !== v);
}

/** A scenario asked for something the address space cannot do (overlap, no vma...). */
export class MappingError extends Error {
  override name = "MappingError";
}

export { find_vma };
