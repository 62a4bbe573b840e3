/**
 * mm/migrate.c (v2.6.34, with the 2.6.35 deltas as policy): unmap_and_move() and the walks that put
 * the migration entries back. Compaction calls this with no mmap_sem (Mel, 20100426221102.GB8459).
 */
import { checkUnlockPage } from "../check/invariants";
import { type Kernel, type KGen, lockOf, result, step, violate } from "../sim/kernel";
import { atomic_add } from "../sim/atomic";
import { down_write, lock_page, lockInStep, spin_lock, spin_unlock, unlock_page_now, unlockInStep, up_write, wait_on_page_locked } from "./locks";
import { alloc_page, anon_vma, anon_vma_lock_id, avc, find_vma, mm, page, page_anon_vma, page_mapped, put_page, vma } from "./objects";
import { EFAULT, type MigrationTally, SWAP_AGAIN, drop_anon_vma, page_add_anon_rmap, rmap_walk, try_to_unmap, type WalkTarget } from "./rmap";
import { is_migration_entry, migration_entry_to_page } from "./swapops";
import type { AnonVmaId, PageId, VmaId } from "./types";

export const EAGAIN = -11;

/**
 * remove_migration_pte() (mm/migrate.c:83): peeks at the pte without the pte lock (fixed later by
 * 486cf46f, release version UNVERIFIED), then under the lock replaces a migration entry for `old` by a
 * present pte for `new`.
 */
function* remove_migration_pte(k: Kernel, v: VmaId, addr: number, old: PageId, newp: PageId, tally?: MigrationTally): KGen<number> {
  const mmId = vma(k, v).mm;
  yield step(`remove_migration_pte: peek pte ${mmId}:p${addr} (no lock)`, "mm/migrate.c:83");
  const peek = mm(k, mmId).ptes[addr];
  if (peek === undefined || peek.kind === "present") return SWAP_AGAIN; // !is_swap_pte(*ptep)
  yield step(`remove_migration_pte(${v}, p${addr})`, "mm/migrate.c:83", { lock: mm(k, mmId).page_table_lock, mode: "excl" });
  const m = mm(k, mmId);
  lockInStep(k, m.page_table_lock);
  const pte = m.ptes[addr];
  if (is_migration_entry(pte) && migration_entry_to_page(k, pte) === old) {
    page(k, newp).refcount++; // get_page(new)
    m.ptes[addr] = { kind: "present", page: newp, write: pte.write };
    page_add_anon_rmap(k, newp, v, addr);
    k.s.counters.migrationEntriesRemoved++;
    if (tally) tally.removed++;
    result(k, `remove_migration_pte: ${m.id}:p${addr} -> ${newp}`);
  }
  unlockInStep(k, m.page_table_lock);
  return SWAP_AGAIN;
}

/** How many rmap walks remove_migration_ptes() makes under fix 3 before it reports a livelock. */
export const MAX_REMOVE_WALKS = 10;

/**
 * remove_migration_ptes() (mm/migrate.c:149): rmap_walk(new, remove_migration_pte, old).
 * With fix 3 (counted migration ptes) and the unmap's `tally`, it walks again until it has put back as
 * many entries as try_to_unmap created: more is I10's BUG (an entry it did not create, e.g. copied by
 * fork), fewer after MAX_REMOVE_WALKS walks a livelock (an entry nobody will ever find, e.g. zapped).
 */
export function* remove_migration_ptes(k: Kernel, old: PageId, newp: PageId, tally?: MigrationTally): KGen {
  const target: WalkTarget = { page: old, kind: "migration" };
  const counted = k.policy.count_migration_ptes ? tally : undefined;
  for (let walk = 1; ; walk++) {
    yield* rmap_walk(k, newp, target, (kk, v, addr) => remove_migration_pte(kk, v, addr, old, newp, counted));
    if (!counted || counted.removed === counted.created) return;
    if (counted.removed > counted.created) {
      violate(k, "I10", `remove_migration_ptes(${old}): removed ${counted.removed} migration entries but try_to_unmap created ${counted.created}`, true);
    }
    if (walk >= MAX_REMOVE_WALKS) {
      violate(k, "livelock", `remove_migration_ptes(${old}): ${walk} walks found ${counted.removed} of ${counted.created} migration entries`, true);
    }
    k.s.counters.retries++;
    yield step(`remove_migration_ptes: ${counted.removed} of ${counted.created} entries back, walk again`, "mm/migrate.c:149");
  }
}

/**
 * Lazy cleanup of a migration entry (fixes 2a and 2b, Mel, April 2010): pin the entry's page
 * (get_page_unless_zero, as migration_entry_wait() does), lock it (waiting for a migration still in
 * progress), and put it back in the pte with remove_migration_pte(), which re-checks the pte under the
 * pte lock. Nothing proves that the page is still the one the entry was made for: it may have been
 * freed (the pin fails) or freed and reused by someone else (then that page is mapped here, S9).
 * `who` and `loc` name the caller. Returns false when the page could not be pinned.
 */
export function* lazy_cleanup_migration_entry(k: Kernel, mmId: string, addr: number, p: PageId, who: string, loc: string): KGen<boolean> {
  const pg = page(k, p);
  const locked = lockOf(k.s, pg.lock).owner !== null;
  if (pg.refcount === 0) {
    result(k, `${who}(${mmId}:p${addr}): ${p} is ${locked ? "locked" : "unlocked"} and free, cannot pin it`);
    return false;
  }
  pg.refcount++; // get_page_unless_zero()
  result(k, `${who}(${mmId}:p${addr}): ${p} is ${locked ? "locked" : "unlocked"}: lazy cleanup`);
  yield* lock_page(k, pg.lock, loc);
  const v = find_vma(k, mm(k, mmId), addr)?.id;
  if (v && vma(k, v).vm_start <= addr) yield* remove_migration_pte(k, v, addr, p, p);
  yield step(`unlock_page(${p}); put_page(${p})`, loc);
  const owner = page_anon_vma(page(k, p));
  const mine = v ? vma(k, v).anon_vma_chain.map((c) => avc(k, c).anon_vma) : [];
  if (owner !== null && !mine.includes(owner)) {
    violate(k, "I5", `lazy cleanup mapped ${p} at ${mmId}:p${addr}, but ${p} now belongs to ${owner}, not to an anon_vma of ${v}: the page was freed and reused`, false);
  }
  unlock_page_now(k, page(k, p).lock);
  put_page(page(k, p));
  return true;
}

/**
 * migration_entry_wait() (mm/migrate.c:161): a fault found a migration entry: check it (BUG_ON at
 * swapops.h:105 if the page is not locked), pin the page, sleep until migration unlocks it.
 */
export function* migration_entry_wait(k: Kernel, mmId: string, addr: number): KGen {
  yield step(`migration_entry_wait(${mmId}:p${addr})`, "mm/migrate.c:161", { lock: mm(k, mmId).page_table_lock, mode: "excl" });
  const m = mm(k, mmId);
  lockInStep(k, m.page_table_lock);
  const pte = m.ptes[addr];
  if (!is_migration_entry(pte)) {
    unlockInStep(k, m.page_table_lock);
    return;
  }
  if (k.policy.migration_entry_wait_cleanup && lockOf(k.s, page(k, pte.page).lock).owner === null) {
    unlockInStep(k, m.page_table_lock);
    // Fix 2a (Mel, 22 Apr 2010): an entry whose page is unlocked is a leftover: clean it up instead of BUG.
    yield* lazy_cleanup_migration_entry(k, mmId, addr, pte.page, "migration_entry_wait", "mm/migrate.c:161");
    return;
  }
  const p = migration_entry_to_page(k, pte);
  const pg = page(k, p);
  const pinned = pg.refcount > 0; // get_page_unless_zero()
  if (pinned) pg.refcount++;
  unlockInStep(k, m.page_table_lock);
  if (!pinned) return;
  yield* wait_on_page_locked(k, pg.lock, "mm/migrate.c:161");
  yield step(`put_page(${p})`, "mm/migrate.c:161");
  put_page(page(k, p));
}

/**
 * migrate_page_move_mapping() (mm/migrate.c:205): an anonymous page needs page_count == 1 (I4); a
 * swap-cache page has its radix slot replaced under tree_lock with its refs frozen.
 */
function* migrate_page_move_mapping(k: Kernel, newp: PageId, p: PageId): KGen<number> {
  if (page(k, p).swapCache === null) {
    yield step(`migrate_page_move_mapping: page_count(${p}) == 1?`, "mm/migrate.c:205");
    return page(k, p).refcount === 1 ? 0 : EAGAIN;
  }
  const tree = k.s.swap.tree_lock;
  yield* spin_lock(k, tree, "mm/migrate.c:205", "spin_lock_irq(&mapping->tree_lock)");
  yield step(`page_freeze_refs(${p}, 2) and radix_tree_replace_slot`, "mm/migrate.c:205");
  const pg = page(k, p);
  const slot = String(pg.swapCache);
  const expected = 2;
  let rc = 0;
  if (pg.refcount !== expected || k.s.swap.slots[slot] !== p) {
    rc = EAGAIN;
  } else {
    pg.refcount = 0; // page_freeze_refs(): cmpxchg count -> 0; speculative gets fail and retry
    const np = page(k, newp);
    np.refcount++; // get_page(newpage): the cache reference
    np.swapCache = pg.swapCache;
    k.s.swap.slots[slot] = newp;
  }
  if (rc === 0) {
    yield step(`page_unfreeze_refs(${p}); __put_page(${p})`, "mm/migrate.c:205");
    page(k, p).refcount = expected - 1; // unfreeze, then drop the cache reference
  }
  yield* spin_unlock(k, tree, "mm/migrate.c:205", "spin_unlock_irq(&mapping->tree_lock)");
  return rc;
}

/**
 * move_to_new_page() (mm/migrate.c:493): copy the page's identity to newpage, move the mapping, and
 * on success put the migration entries back pointing at newpage.
 */
function* move_to_new_page(k: Kernel, newp: PageId, p: PageId, remap_swapcache: boolean, tally: MigrationTally): KGen<number> {
  yield step(`move_to_new_page: trylock_page(${newp}); index, mapping`, "mm/migrate.c:493");
  if (page_mapped(page(k, p))) violate(k, "I3", `move_to_new_page(${p}) while it is mapped again`, true);
  const np = page(k, newp);
  lockInStep(k, np.lock); // a fresh page: trylock cannot fail (BUG otherwise)
  np.index = page(k, p).index;
  np.mapping = page(k, p).mapping;
  const rc = yield* migrate_page_move_mapping(k, newp, p);
  if (rc !== 0) {
    yield step("move_to_new_page: newpage->mapping = NULL", "mm/migrate.c:493");
    page(k, newp).mapping = null;
  } else {
    yield step(`migrate_page_copy(${newp}, ${p})`, "mm/migrate.c:493");
    const pg = page(k, p);
    pg.swapCache = null; // ClearPageSwapCache(page)
    pg.mapping = null;
    if (remap_swapcache) yield* remove_migration_ptes(k, p, newp, tally);
  }
  yield step(`unlock_page(${newp})`, "mm/migrate.c:493");
  unlock_page_now(k, page(k, newp).lock);
  return rc;
}

/**
 * Fix 8 (Linus, 3 May 2010): before lock_page(), find every mm that maps the page (a walk of its
 * anon_vma's list under the anon_vma lock) and take their mmap_sems for write in a fixed order (by mm
 * id). The walk and the down_writes are not atomic: an mm that starts mapping the page in between is not
 * locked, and the migrator holds no reference on the mms it found.
 */
function* lock_mmaps_of_page(k: Kernel, p: PageId): KGen<string[]> {
  const av = page_anon_vma(page(k, p));
  if (av === null || !page_mapped(page(k, p))) return [];
  const lock = anon_vma_lock_id(k, av);
  yield step(`fix 8: find the mms mapping ${p} (walk ${av} under its lock)`, "mm/migrate.c:542", { lock, mode: "excl" });
  if (!page_mapped(page(k, p))) return []; // page_lock_anon_vma() would fail: nothing to lock
  lockInStep(k, lock);
  const mms = new Set(anon_vma(k, av).head.map((c) => vma(k, avc(k, c).vma).mm));
  unlockInStep(k, lock);
  const ids = [...mms].filter((id) => !mm(k, id).exited).sort();
  for (const id of ids) yield* down_write(k, mm(k, id).mmap_sem, "mm/migrate.c:542");
  return ids;
}

/**
 * unmap_and_move() (mm/migrate.c:542) for one anonymous page, on the forced pass (lock_page, not
 * trylock). PG_locked is held from lock_page to the final unlock_page: every migration entry created
 * in between must be gone by then (I2).
 */
export function* unmap_and_move(k: Kernel, p: PageId): KGen<number> {
  yield step(`get_new_page(); page_count(${p})`, "mm/migrate.c:542");
  const newp = alloc_page(k).id;
  if (page(k, p).refcount === 1) {
    // Only our isolation reference is left: the page was freed under us.
    put_page(page(k, newp));
    put_page(page(k, p));
    result(k, `unmap_and_move(${p}): page already freed`);
    return 0;
  }
  let mmaps: string[] = [];
  if (k.policy.migrate_takes_mmap_sem) mmaps = yield* lock_mmaps_of_page(k, p);
  yield* lock_page(k, page(k, p).lock, "mm/migrate.c:542");
  let rc = EAGAIN;
  let remap_swapcache = true;
  let pinned: AnonVmaId | null = null;
  let bail = false;
  yield step("rcu_read_lock(); PageAnon(page)", "mm/migrate.c:542");
  const pg = page(k, p);
  // 2.6.35 (67b9509b, 3fe2011f, 3f6c8272): bail out / skip the remap if unmapped, else pin the anon_vma.
  if (k.policy.migration_skips_unmapped && !page_mapped(pg)) {
    if (pg.swapCache === null) bail = true;
    else remap_swapcache = false;
  } else if (k.policy.migration_anon_vma_ref && page_mapped(pg)) {
    pinned = page_anon_vma(pg);
    if (pinned !== null) atomic_add(anon_vma(k, pinned, "pinned"), "external_refcount", 1); // atomic_inc()
  }
  if (!bail) {
    const tally: MigrationTally = { created: 0, removed: 0 };
    const unmapped = yield* try_to_unmap(k, p, tally);
    if (unmapped) rc = yield* move_to_new_page(k, newp, p, remap_swapcache, tally);
    else result(k, `try_to_unmap(${p}): still mapped (mapcount ${page(k, p).mapcount}) -> -EAGAIN`);
    if (rc !== 0 && remap_swapcache) yield* remove_migration_ptes(k, p, p, tally);
    if (pinned !== null) yield* drop_anon_vma(k, pinned);
  } else {
    rc = 0;
  }
  yield step(`rcu_read_unlock(); unlock_page(${p})`, "mm/migrate.c:542");
  checkUnlockPage(k, p);
  unlock_page_now(k, page(k, p).lock);
  yield step(rc === EAGAIN ? `unmap_and_move: -EAGAIN, keep ${p}` : `putback_lru_page(${p})`, "mm/migrate.c:542");
  if (rc !== EAGAIN) put_page(page(k, p)); // drop the isolation reference
  put_page(page(k, newp)); // putback_lru_page(newpage): frees it if migration failed
  for (const id of [...mmaps].reverse()) yield* up_write(k, mm(k, id).mmap_sem, "mm/migrate.c:542");
  result(k, `unmap_and_move(${p}) = ${rc === 0 ? 0 : rc === EAGAIN ? "-EAGAIN" : rc}`);
  return rc;
}

/**
 * migrate_pages() (mm/migrate.c:698) for one page: isolate it, then up to `passes` calls of
 * unmap_and_move while it returns -EAGAIN (the kernel makes up to 10).
 */
export function* migrate_pages(k: Kernel, p: PageId, passes: number): KGen<number> {
  yield step(`isolate_lru_page(${p})`, "mm/migrate.c:698");
  page(k, p).refcount++;
  let rc = EAGAIN;
  for (let pass = 0; pass < passes && rc === EAGAIN; pass++) {
    if (pass > 0) k.s.counters.retries++;
    rc = yield* unmap_and_move(k, p);
  }
  if (rc === EAGAIN) {
    yield step(`putback_lru_pages(${p})`, "mm/migrate.c:698");
    put_page(page(k, p));
  }
  return rc;
}

export { EFAULT };
