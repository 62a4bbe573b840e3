/**
 * mm/memory.c (v2.6.34) and the x86 fault entry: page faults, fork's pte copy, and zap.
 */
import { type Kernel, type KGen, result, step, violate } from "../sim/kernel";
import { down_read, lock_page, lockInStep, unlock_page_now, unlockInStep, up_read, wait_on_page_locked } from "./locks";
import { alloc_page, find_vma, mm, page, put_page, vma } from "./objects";
import { expand_downwards, MappingError } from "./mmap";
import { migration_entry_wait } from "./migrate";
import { anon_vma_prepare, page_add_anon_rmap, page_remove_rmap, page_set_anon_rmap } from "./rmap";
import { lookup_swap_cache, read_swap_cache_async } from "./swap";
import { is_migration_entry, migration_entry_to_page } from "./swapops";
import type { MmId, PageId, VmaId } from "./types";

/** do_anonymous_page(): a zeroed page, page_add_new_anon_rmap() to vma->anon_vma (exclusive). */
function* do_anonymous_page(k: Kernel, v: VmaId, addr: number, write: boolean, name?: string): KGen {
  yield* anon_vma_prepare(k, v);
  const mmId = vma(k, v).mm;
  yield step(`do_anonymous_page(${mmId}:p${addr}): alloc, set_pte_at`, "mm/memory.c", { lock: mm(k, mmId).page_table_lock, mode: "excl" });
  const m = mm(k, mmId);
  lockInStep(k, m.page_table_lock);
  if (m.ptes[addr] === undefined) {
    const p = alloc_page(k, name);
    p.mapcount = 1; // page_add_new_anon_rmap()
    page_set_anon_rmap(k, p.id, v, addr, true);
    m.ptes[addr] = { kind: "present", page: p.id, write };
    result(k, `fault ${m.id}:p${addr}: new page ${p.id}${name ? ` (${name})` : ""}`);
  }
  unlockInStep(k, m.page_table_lock);
}

/** do_wp_page(): write to a read-only pte: reuse an exclusive anonymous page, else copy it (COW). */
function* do_wp_page(k: Kernel, v: VmaId, addr: number): KGen {
  yield* anon_vma_prepare(k, v);
  const mmId = vma(k, v).mm;
  yield step(`do_wp_page(${mmId}:p${addr})`, "mm/memory.c", { lock: mm(k, mmId).page_table_lock, mode: "excl" });
  const m = mm(k, mmId);
  lockInStep(k, m.page_table_lock);
  const pte = m.ptes[addr];
  if (pte?.kind === "present" && !pte.write) {
    const old = page(k, pte.page);
    if (old.mapcount === 1 && old.swapCache === null) {
      m.ptes[addr] = { ...pte, write: true }; // reuse
    } else {
      const cow = alloc_page(k);
      cow.mapcount = 1;
      page_set_anon_rmap(k, cow.id, v, addr, true);
      m.ptes[addr] = { kind: "present", page: cow.id, write: true };
      page_remove_rmap(k, old.id);
      put_page(old);
      result(k, `COW ${m.id}:p${addr}: ${old.id} -> ${cow.id}`);
    }
  }
  unlockInStep(k, m.page_table_lock);
}

/**
 * do_swap_page() (mm/memory.c:2605): a migration entry sends the fault to migration_entry_wait() (the
 * BUG at swapops.h:105 is there); a swap entry is looked up in the swap cache.
 */
function* do_swap_page(k: Kernel, v: VmaId, addr: number, write: boolean): KGen {
  const mmId = vma(k, v).mm;
  yield step(`do_swap_page(${mmId}:p${addr}): read pte`, "mm/memory.c:2605");
  const orig = mm(k, mmId).ptes[addr];
  if (orig?.kind === "migration") {
    yield* migration_entry_wait(k, mmId, addr);
    return;
  }
  if (orig?.kind !== "swap") return;
  const entry = orig.entry;
  let p: PageId | null = yield* lookup_swap_cache(k, entry);
  if (p === null) p = yield* read_swap_cache_async(k, entry);
  // Whether v2.6.34 re-checks PageSwapCache after lock_page is UNVERIFIED; the model re-checks only pte_same.
  yield* lock_page(k, page(k, p).lock, "mm/memory.c:2605");
  yield step(`do_swap_page: map ${p} at ${mmId}:p${addr}`, "mm/memory.c:2605", { lock: mm(k, mmId).page_table_lock, mode: "excl" });
  const m = mm(k, mmId);
  const pg = page(k, p);
  lockInStep(k, m.page_table_lock);
  const cur = m.ptes[addr];
  if (cur?.kind === "swap" && cur.entry === entry) {
    // pte_same(): map it; the swap-cache lookup's reference becomes the mapping's.
    m.ptes[addr] = { kind: "present", page: p, write: write && pg.mapcount === 0 };
    page_add_anon_rmap(k, p, v, addr);
    result(k, `swap-in ${mmId}:p${addr} -> ${p}`);
  } else {
    put_page(pg);
  }
  unlockInStep(k, m.page_table_lock);
  yield step(`unlock_page(${p})`, "mm/memory.c:2605");
  unlock_page_now(k, page(k, p).lock);
}

/** handle_pte_fault(): dispatch on the pte. */
function* handle_pte_fault(k: Kernel, v: VmaId, addr: number, write: boolean, name?: string): KGen {
  const mmId = vma(k, v).mm;
  yield step(`handle_pte_fault(${mmId}:p${addr})`, "mm/memory.c");
  const pte = mm(k, mmId).ptes[addr];
  if (pte === undefined) yield* do_anonymous_page(k, v, addr, write, name);
  else if (pte.kind !== "present") yield* do_swap_page(k, v, addr, write);
  else if (write && !pte.write) yield* do_wp_page(k, v, addr);
}

/** How many times one access may fault before the run reports a livelock (the `maxFaults` bound). */
export const MAX_FAULTS = 16;

/**
 * A user access to addr: if the pte does not allow it, do_page_fault() (arch/x86/mm/fault.c): mmap_sem
 * for read, find_vma, expand_stack below a VM_GROWSDOWN vma, handle_mm_fault; the CPU then retries.
 * `maxFaults` bounds the retries (a fault that never resolves is reported, not looped on forever).
 */
export function* touch(k: Kernel, mmId: MmId, addr: number, write: boolean, name?: string, useMmapSem = true): KGen {
  for (let attempt = 0; ; attempt++) {
    yield step(`access ${mmId}:p${addr}${write ? " (write)" : ""}`, "arch/x86/mm/fault.c");
    const m = mm(k, mmId);
    const pte = m.ptes[addr];
    if (pte?.kind === "present" && (!write || pte.write)) return; // the write bit matters to writes only
    if (attempt > 0) k.s.counters.retries++;
    if (attempt >= MAX_FAULTS) {
      violate(k, "livelock", `the fault at ${mmId}:p${addr} never resolves: ${attempt} faults in a row`, true);
    }
    if (useMmapSem) yield* down_read(k, m.mmap_sem, "arch/x86/mm/fault.c");
    yield step(`find_vma(${mmId}, p${addr})`, "arch/x86/mm/fault.c");
    const v = find_vma(k, mm(k, mmId), addr);
    if (!v || (v.vm_start > addr && !v.flags.growsdown)) {
      if (useMmapSem) yield* up_read(k, mm(k, mmId).mmap_sem, "arch/x86/mm/fault.c");
      throw new MappingError(`segfault: no vma maps ${mmId}:p${addr}`);
    }
    const vId = v.id;
    if (v.vm_start > addr) yield* expand_downwards(k, vId, addr); // expand_stack()
    yield* handle_pte_fault(k, vId, addr, write, name);
    if (useMmapSem) yield* up_read(k, mm(k, mmId).mmap_sem, "arch/x86/mm/fault.c");
  }
}

/**
 * copy_page_range() (mm/memory.c:831) -> copy_pte_range (l.724) -> copy_one_pte (l.652): under both
 * pte locks; a migration entry is copied (write downgraded to read for COW), a present page is shared
 * read-only with page_dup_rmap().
 */
export function* copy_page_range(k: Kernel, dst: MmId, src: MmId, v: VmaId): KGen {
  for (let addr = vma(k, v).vm_start; addr < vma(k, v).vm_end; addr++) {
    if (mm(k, src).ptes[addr] === undefined) continue;
    yield step(`copy_one_pte(${src}:p${addr} -> ${dst})`, "mm/memory.c:652", { lock: mm(k, src).page_table_lock, mode: "excl" });
    const sm = mm(k, src);
    const dm = mm(k, dst);
    lockInStep(k, sm.page_table_lock);
    const pte = sm.ptes[addr];
    if (pte?.kind === "migration") {
      if (pte.write) sm.ptes[addr] = { ...pte, write: false }; // make_migration_entry_read()
      dm.ptes[addr] = { ...pte, write: false };
    } else if (pte?.kind === "present") {
      if (pte.write) sm.ptes[addr] = { ...pte, write: false }; // ptep_set_wrprotect()
      dm.ptes[addr] = { ...pte, write: false };
      const p = page(k, pte.page);
      p.refcount++;
      p.mapcount++; // page_dup_rmap()
    } else if (pte?.kind === "swap") {
      dm.ptes[addr] = { ...pte }; // swap_duplicate()
    }
    unlockInStep(k, sm.page_table_lock);
  }
}

/**
 * zap_pte_range() (mm/memory.c:893): drop every pte of a vma. A migration entry is dropped silently:
 * zap neither waits for the migration nor touches the page (unless the policy has fix 4).
 */
export function* zap_pte_range(k: Kernel, v: VmaId): KGen {
  const mmId = vma(k, v).mm;
  for (let addr = vma(k, v).vm_start; addr < vma(k, v).vm_end; addr++) {
    if (mm(k, mmId).ptes[addr] === undefined) continue;
    yield step(`zap_pte_range(${mmId}:p${addr})`, "mm/memory.c:893", { lock: mm(k, mmId).page_table_lock, mode: "excl" });
    const m = mm(k, mmId);
    lockInStep(k, m.page_table_lock);
    const pte = m.ptes[addr];
    if (is_migration_entry(pte) && k.policy.zap_waits_on_migration) {
      // Fix 4 (Andrea, 23 Apr 2010): wait for the migration to finish, then zap what it left in the pte.
      const p = migration_entry_to_page(k, pte);
      const pg = page(k, p);
      pg.refcount++; // get_page()
      unlockInStep(k, m.page_table_lock);
      yield* wait_on_page_locked(k, pg.lock, "mm/memory.c:893");
      yield step(`put_page(${p}); retry zap ${mmId}:p${addr}`, "mm/memory.c:893");
      put_page(page(k, p));
      k.s.counters.retries++;
      addr--;
      continue;
    }
    if (pte?.kind === "present") {
      page_remove_rmap(k, pte.page);
      put_page(page(k, pte.page));
    }
    delete m.ptes[addr]; // migration entry: free_swap_and_cache() returns at once for non-swap entries
    unlockInStep(k, m.page_table_lock);
  }
}
