/**
 * Accessors and allocators for the modelled objects. Every anon_vma access goes through `anon_vma()`,
 * which reports a use-after-free (I6) when the object was already freed.
 */
import { type Kernel, newId, newLock, violate } from "../sim/kernel";
import type { AnonVma, AnonVmaId, Avc, AvcId, Mm, MmId, Page, PageId, Pte, Vma, VmaFlags, VmaId } from "./types";

export function page(k: Kernel, id: PageId): Page {
  const p = k.s.pages[id];
  if (!p) throw new Error(`model error: no page ${id}`);
  return p;
}

export function vma(k: Kernel, id: VmaId): Vma {
  const v = k.s.vmas[id];
  if (!v) throw new Error(`model error: no vma ${id}`);
  return v;
}

export function mm(k: Kernel, id: MmId): Mm {
  const m = k.s.mms[id];
  if (!m) throw new Error(`model error: no mm ${id}`);
  return m;
}

export function avc(k: Kernel, id: AvcId): Avc {
  const a = k.s.avcs[id];
  if (!a) throw new Error(`model error: no anon_vma_chain ${id}`);
  return a;
}

/** An anon_vma that the caller is about to use: using a freed one is I6's use-after-free. */
export function anon_vma(k: Kernel, id: AnonVmaId, use = "used"): AnonVma {
  const a = k.s.anon_vmas[id];
  if (!a) throw new Error(`model error: no anon_vma ${id}`);
  if (a.freed) {
    violate(k, "I6", `use-after-free: anon_vma ${id} ${use} after it was freed`, true);
  }
  return a;
}

/** An anon_vma without the I6 check: the path that frees it, or one that already holds it. */
export function anon_vma_nocheck(k: Kernel, id: AnonVmaId): AnonVma {
  const a = k.s.anon_vmas[id];
  if (!a) throw new Error(`model error: no anon_vma ${id}`);
  return a;
}

/** Fix 1a (KAMEZAWA): the vma's own adjust_lock, which exists only when the policy has it. */
export function vma_adjust_lock_id(v: VmaId): string {
  return `vma_adjust_lock:${v}`;
}

/** The lock anon_vma_lock() takes: av->lock, or av->root->lock on 2.6.36 (012f1800). */
export function anon_vma_lock_id(k: Kernel, id: AnonVmaId): string {
  const a = anon_vma(k, id, "locked");
  return k.policy.lock_root ? anon_vma(k, a.root, "locked (root)").lock : a.lock;
}

/** page_anon_vma(): decode page->mapping (include/linux/rmap.h). */
export function page_anon_vma(p: Page): AnonVmaId | null {
  return p.mapping?.anon ?? null;
}

export function PageAnon(p: Page): boolean {
  return page_anon_vma(p) !== null;
}

export function page_mapped(p: Page): boolean {
  return p.mapcount > 0;
}

/**
 * A new page; a page the scenario names ("P") gets its name as id, so traces read like the reference.
 * Others are named after the thread that allocates them ("pg1@mig"): migrators on different pages then
 * reach the same state whichever allocated first (the explorer merges them: S1 with 3 pages and 3
 * migrators on 2.6.36 is exhausted in 190,641 states where one global count took 939,170).
 * Naming a page that has been freed reuses that page (same id, same PG_locked), as a reallocation would.
 */
export function alloc_page(k: Kernel, name?: string): Page {
  const named = name !== undefined ? k.s.names[name] : undefined;
  const reused = named !== undefined ? k.s.pages[named] : undefined;
  if (reused?.freed) {
    // A page named like a freed one gets its frame back (the allocator hands out hot, recently freed
    // pages first): the page reuse behind Mel's objection to lazy cleanup (S9).
    Object.assign(reused, { mapping: null, index: 0, mapcount: 0, refcount: 1, swapCache: null, freed: false });
    return page(k, reused.id);
  }
  const id = name !== undefined && !k.s.pages[name] && !k.s.locks[`PG_locked:${name}`] ? name : newId(k.s, "pg", k.tid);
  const p: Page = {
    id, lock: newLock(k.s, `PG_locked:${id}`, "page_lock"), mapping: null, index: 0, mapcount: 0, refcount: 1,
    swapCache: null, freed: false,
  };
  k.s.pages[id] = p;
  if (name !== undefined) k.s.names[name] = id;
  return page(k, id); // the stored object as k.s gives it (a recording view sees later uses)
}

export function anon_vma_alloc(k: Kernel): AnonVma {
  const id = newId(k.s, "av");
  const a: AnonVma = { id, lock: newLock(k.s, `anon_vma:${id}`, "spinlock"), head: [], external_refcount: 0, root: id, freed: false };
  k.s.anon_vmas[id] = a;
  return k.s.anon_vmas[id] as AnonVma;
}

export function anon_vma_chain_alloc(k: Kernel, vmaId: VmaId, av: AnonVmaId): Avc {
  const id = newId(k.s, "avc");
  const a: Avc = { id, vma: vmaId, anon_vma: av };
  k.s.avcs[id] = a;
  return avc(k, id);
}

export function vm_area_alloc(k: Kernel, m: MmId, start: number, end: number, pgoff: number, flags: VmaFlags): Vma {
  const id = newId(k.s, "vma");
  const v: Vma = { id, mm: m, vm_start: start, vm_end: end, vm_pgoff: pgoff, anon_vma: null, anon_vma_chain: [], flags: { ...flags }, freed: false };
  k.s.vmas[id] = v;
  if (k.policy.per_vma_adjust_lock) newLock(k.s, vma_adjust_lock_id(id), "spinlock"); // fix 1a: spin_lock_init(&vma->adjust_lock)
  return vma(k, id);
}

export function mm_alloc(k: Kernel, id: MmId): Mm {
  const m: Mm = {
    id, mmap_sem: newLock(k.s, `mmap_sem:${id}`, "rwsem"), page_table_lock: newLock(k.s, `page_table_lock:${id}`, "spinlock"),
    mmap: [], ptes: {}, exited: false, bprm: false,
  };
  k.s.mms[id] = m;
  return mm(k, id);
}

/** find_vma(): the first vma with vm_end > addr (mm/mmap.c). */
export function find_vma(k: Kernel, m: Mm, addr: number): Vma | null {
  for (const id of m.mmap) {
    const v = vma(k, id);
    if (v.vm_end > addr) return v;
  }
  return null;
}

/** Keep mm->mmap sorted by vm_start (__vma_link_list). */
export function vma_link(k: Kernel, m: Mm, v: Vma): void {
  m.mmap.push(v.id);
  m.mmap.sort((a, b) => vma(k, a).vm_start - vma(k, b).vm_start);
}

export function getPte(m: Mm, addr: number): Pte | undefined {
  return m.ptes[String(addr)];
}
export function setPte(m: Mm, addr: number, pte: Pte | undefined): void {
  if (pte === undefined) delete m.ptes[String(addr)];
  else m.ptes[String(addr)] = pte;
}

/** linear_page_index() (include/linux/pagemap.h). */
export function linear_page_index(v: Vma, addr: number): number {
  return addr - v.vm_start + v.vm_pgoff;
}

/** put_page(): the last reference frees the page. */
export function put_page(p: Page): void {
  p.refcount--;
  if (p.refcount === 0 && p.mapcount === 0) {
    p.freed = true;
    p.mapping = null;
  }
}
