/**
 * mm/rmap.c (v2.6.34): anon_vma lifecycle and the reverse-map walks.
 * Read it next to the C: same functions, same order of operations, one step per `yield`.
 */
import { checkWalkRead } from "../check/invariants";
import { type Kernel, type KGen, result, step, violate } from "../sim/kernel";
import { atomic_add } from "../sim/atomic";
import { lockInStep, spin_lock, spin_trylock, spin_unlock, unlockInStep } from "./locks";
import {
  anon_vma, anon_vma_alloc, anon_vma_chain_alloc, anon_vma_lock_id, anon_vma_nocheck, avc, mm, page, page_anon_vma,
  page_mapped, vma, vma_adjust_lock_id,
} from "./objects";
import { make_migration_entry } from "./swapops";
import type { AnonVmaId, AvcId, PageId, Pte, VmaId } from "./types";

export const EFAULT = -14;
export const SWAP_AGAIN = 1;

/** I8 (Rik, 26 Apr): vma->anon_vma_chain changes with mmap_sem held for write, or for read plus page_table_lock. */
function checkSameVmaLocking(k: Kernel, v: VmaId): void {
  const m = mm(k, vma(k, v).mm);
  if (m.bprm) return; // exec's new mm is not reachable by anyone else yet
  const sem = k.s.locks[m.mmap_sem];
  const ptl = k.s.locks[m.page_table_lock];
  const write = sem?.owner === k.tid;
  const readPlusPtl = sem?.readers.includes(k.tid) === true && ptl?.owner === k.tid;
  if (!write && !readPlusPtl) {
    violate(k, "I8", `${v}'s anon_vma_chain changed without mmap_sem for write (or read + page_table_lock)`, false);
  }
}

/** anon_vma_prepare() (mm/rmap.c:114): first anonymous fault in a vma attaches a new anon_vma. */
export function* anon_vma_prepare(k: Kernel, v: VmaId): KGen<AnonVmaId> {
  yield step("anon_vma_prepare: anon_vma_alloc()", "mm/rmap.c:114");
  const existing = vma(k, v).anon_vma;
  if (existing !== null) return existing;
  // find_mergeable_anon_vma() is not modelled: a new anon_vma is always allocated.
  const av = anon_vma_alloc(k).id;
  const link = anon_vma_chain_alloc(k, v, av).id;
  yield* spin_lock(k, anon_vma_lock_id(k, av), "mm/rmap.c:114");
  const ptl = mm(k, vma(k, v).mm).page_table_lock;
  yield step("anon_vma_prepare: link vma under page_table_lock", "mm/rmap.c:114", { lock: ptl, mode: "excl" });
  lockInStep(k, ptl);
  checkSameVmaLocking(k, v);
  vma(k, v).anon_vma = av;
  vma(k, v).anon_vma_chain.unshift(link); // list_add(&avc->same_vma, &vma->anon_vma_chain)
  anon_vma_nocheck(k, av).head.unshift(link); // list_add(&avc->same_anon_vma, &anon_vma->head): at the head (26ba0cb6 changed this in 2.6.36)
  unlockInStep(k, ptl);
  yield* spin_unlock(k, anon_vma_lock_id(k, av), "mm/rmap.c:114");
  return av;
}

/** anon_vma_chain_link() (mm/rmap.c:165): same_vma at the head, same_anon_vma at the tail under the anon_vma lock. */
function* anon_vma_chain_link(k: Kernel, v: VmaId, link: AvcId): KGen {
  const lock = anon_vma_lock_id(k, avc(k, link).anon_vma);
  yield* spin_lock(k, lock, "mm/rmap.c:165");
  checkSameVmaLocking(k, v);
  vma(k, v).anon_vma_chain.unshift(link);
  anon_vma(k, avc(k, link).anon_vma).head.push(link); // list_add_tail: after the vma it was cloned from (I7)
  yield* spin_unlock(k, lock, "mm/rmap.c:165");
}

/** anon_vma_clone() (mm/rmap.c:182): link dst to every anon_vma of src, oldest first, so dst's chain has src's order. */
export function* anon_vma_clone(k: Kernel, dst: VmaId, src: VmaId): KGen {
  const chain = [...vma(k, src).anon_vma_chain].reverse(); // list_for_each_entry_reverse
  for (const id of chain) {
    const link = anon_vma_chain_alloc(k, dst, avc(k, id).anon_vma).id;
    yield* anon_vma_chain_link(k, dst, link);
  }
}

/**
 * anon_vma_fork() (mm/rmap.c:204): the child vma joins every anon_vma of the parent's, then gets its own
 * (2.6.34+). On 2.6.33 the child simply joins the family's single anon_vma (anon_vma_link()).
 */
export function* anon_vma_fork(k: Kernel, child: VmaId, parent: VmaId): KGen {
  const pav = vma(k, parent).anon_vma;
  if (pav === null) return;
  yield* anon_vma_clone(k, child, parent);
  if (!k.policy.anon_vma_chain) {
    vma(k, child).anon_vma = pav;
    return;
  }
  yield step("anon_vma_fork: anon_vma_alloc()", "mm/rmap.c:204");
  const av = anon_vma_alloc(k);
  av.root = anon_vma(k, pav).root; // 2.6.36 (5c341ee1); earlier versions never read it
  if (k.policy.lock_root) atomic_add(anon_vma(k, av.root), "external_refcount", 1); // 76545066: a child pins the root (get_anon_vma)
  vma(k, child).anon_vma = av.id;
  yield* anon_vma_chain_link(k, child, anon_vma_chain_alloc(k, child, av.id).id);
}

/** anon_vma_unlink() for one AVC: free the anon_vma when its list is empty and nothing pins it. */
function* anon_vma_unlink(k: Kernel, id: string): KGen {
  const lock = anon_vma_lock_id(k, avc(k, id).anon_vma);
  yield* spin_lock(k, lock, "mm/rmap.c:260");
  const av = avc(k, id).anon_vma;
  let a = anon_vma(k, av);
  a.head = a.head.filter((x) => x !== id);
  const empty = a.head.length === 0 && a.external_refcount === 0;
  yield* spin_unlock(k, lock, "mm/rmap.c:260");
  if (empty) {
    yield step(`anon_vma_free(${av})`, "mm/rmap.c:260");
    a = anon_vma_nocheck(k, av);
    a.freed = true;
    if (k.policy.lock_root && a.root !== av) yield* drop_anon_vma(k, a.root);
  }
}

/** unlink_anon_vmas() (mm/rmap.c:260): walks same_vma forward, so the root anon_vma is freed last. */
export function* unlink_anon_vmas(k: Kernel, v: VmaId): KGen {
  for (const id of [...vma(k, v).anon_vma_chain]) {
    yield* anon_vma_unlink(k, id);
    vma(k, v).anon_vma_chain = vma(k, v).anon_vma_chain.filter((x) => x !== id);
  }
}

/** Drop an external reference; the last one frees an empty anon_vma (2.6.35 unmap_and_move step 9; 2.6.36 drop_anon_vma). */
export function* drop_anon_vma(k: Kernel, id: AnonVmaId): KGen {
  const lock = anon_vma_lock_id(k, id);
  yield* spin_lock(k, lock, "mm/migrate.c:542", `atomic_dec_and_lock(&${id}->external_refcount)`);
  const av = anon_vma(k, id);
  atomic_add(av, "external_refcount", -1);
  // list_empty() first: while the anon_vma maps anything, the count's value does not matter (nothing
  // reads it, so two migrators' drops commute; the result is the same either way).
  const empty = av.head.length === 0 && av.external_refcount === 0;
  yield* spin_unlock(k, lock, "mm/migrate.c:542");
  if (empty) {
    yield step(`anon_vma_free(${id})`, "mm/migrate.c:542");
    anon_vma_nocheck(k, id).freed = true;
  }
}

/**
 * page_lock_anon_vma() (mm/rmap.c:292): fails if the page is no longer mapped, since only a mapped page
 * guarantees the anon_vma is alive.
 */
export function* page_lock_anon_vma(k: Kernel, p: PageId): KGen<AnonVmaId | null> {
  yield step("page_lock_anon_vma: read page->mapping", "mm/rmap.c:292");
  const av = page_anon_vma(page(k, p));
  if (av === null || !page_mapped(page(k, p))) return null;
  yield* spin_lock(k, anon_vma_lock_id(k, av), "mm/rmap.c:292");
  return av;
}

/**
 * vma_address() (mm/rmap.c:324): reads vm_start, vm_pgoff and vm_end with no lock and no snapshot, the
 * function that misfires when another CPU is between vma_adjust()'s stores.
 */
export function* vma_address(k: Kernel, p: PageId, v: VmaId): KGen<number> {
  let start: number, pgoff: number, end: number;
  const adjustLock = k.policy.per_vma_adjust_lock ? vma_adjust_lock_id(v) : null; // fix 1a
  if (adjustLock) yield* spin_lock(k, adjustLock, "mm/rmap.c:324");
  if (k.opts.vmaAddressReads === "one-step") {
    yield step(`vma_address(${p}, ${v})`, "mm/rmap.c:324");
    ({ vm_start: start, vm_pgoff: pgoff, vm_end: end } = vma(k, v));
  } else {
    yield step(`vma_address: read ${v}->vm_start`, "mm/rmap.c:324");
    start = vma(k, v).vm_start;
    yield step(`vma_address: read ${v}->vm_pgoff`, "mm/rmap.c:324");
    pgoff = vma(k, v).vm_pgoff;
    yield step(`vma_address: read ${v}->vm_end`, "mm/rmap.c:324");
    end = vma(k, v).vm_end;
  }
  if (adjustLock) yield* spin_unlock(k, adjustLock, "mm/rmap.c:324");
  k.s.counters.walkerSteps++;
  const address = start + (page(k, p).index - pgoff);
  if (address < start || address >= end) {
    result(k, `vma_address(${p}, ${v}) = -EFAULT (vm_start ${start}, vm_pgoff ${pgoff}, vm_end ${end})`);
    return EFAULT;
  }
  return address;
}

/**
 * __page_set_anon_rmap() (mm/rmap.c:735): a new page goes to vma->anon_vma; a page mapped again
 * (swap-in, remove_migration_pte) to the oldest anon_vma of the vma (ea90002b), the last AVC of the chain.
 */
export function page_set_anon_rmap(k: Kernel, p: PageId, v: VmaId, address: number, exclusive: boolean): void {
  const area = vma(k, v);
  let av = area.anon_vma;
  if (!exclusive) {
    const oldest = area.anon_vma_chain[area.anon_vma_chain.length - 1];
    if (oldest !== undefined) av = avc(k, oldest).anon_vma;
  }
  if (av === null) throw new Error(`model error: ${v} has no anon_vma`);
  page(k, p).mapping = { anon: av };
  page(k, p).index = address - area.vm_start + area.vm_pgoff; // linear_page_index()
}

/** page_add_anon_rmap() (mm/rmap.c:798): the first mapping sets page->mapping. */
export function page_add_anon_rmap(k: Kernel, p: PageId, v: VmaId, address: number): void {
  const pg = page(k, p);
  pg.mapcount++;
  if (pg.mapcount === 1 && page_anon_vma(pg) === null) page_set_anon_rmap(k, p, v, address, false);
}

/** page_remove_rmap(): mapcount--. */
export function page_remove_rmap(k: Kernel, p: PageId): void {
  page(k, p).mapcount--;
}

/**
 * Fix 3 (counted migration ptes): how many migration entries one unmap_and_move() created and how many
 * its remove_migration_ptes() walks have put back so far.
 */
export interface MigrationTally {
  created: number;
  removed: number;
}

/**
 * What try_to_unmap()/rmap_walk() is looking for, for the I5 check at each vma_address(): ptes of this
 * kind for this page (remove_migration_ptes walks the new page for the old page's migration entries).
 */
export interface WalkTarget {
  page: PageId;
  kind: Pte["kind"];
}

/**
 * try_to_unmap_one() (mm/rmap.c:898), under the pte lock: a swap-cache page gets a swap entry, any other
 * anonymous page a migration entry (TTU_MIGRATION). Returns SWAP_AGAIN.
 */
function* try_to_unmap_one(k: Kernel, p: PageId, v: VmaId, address: number, tally?: MigrationTally): KGen<number> {
  const mmId = vma(k, v).mm;
  yield step(`try_to_unmap_one(${p}, ${v}, ${address})`, "mm/rmap.c:898", { lock: mm(k, mmId).page_table_lock, mode: "excl" });
  const m = mm(k, mmId);
  lockInStep(k, m.page_table_lock);
  const pte = m.ptes[address];
  if (pte?.kind === "present" && pte.page === p) {
    const pg = page(k, p);
    if (pg.swapCache !== null) {
      // swap_duplicate(entry): a swap entry, no migration entry, per the v2.6.34 source. Mel's 24 Apr claim that
      // mapped swapcache pages get migration ptes is UNVERIFIED against the -mm tree of that date (reference §12).
      m.ptes[address] = { kind: "swap", entry: pg.swapCache };
    } else {
      if (vma(k, v).flags.stack_incomplete_setup) {
        violate(k, "I11", `migration entry created in ${v}, a temporary exec stack (VM_STACK_INCOMPLETE_SETUP)`, false);
      }
      m.ptes[address] = make_migration_entry(k, p, pte.write);
      k.s.counters.migrationEntriesCreated++;
      if (tally) tally.created++;
    }
    page_remove_rmap(k, p);
    pg.refcount--; // page_cache_release()
  }
  unlockInStep(k, m.page_table_lock);
  return SWAP_AGAIN;
}

/** is_vma_temporary_stack() (2.6.35, a8bef8ff): a growing stack still flagged VM_STACK_INCOMPLETE_SETUP. */
export function is_vma_temporary_stack(k: Kernel, v: VmaId): boolean {
  const f = vma(k, v).flags;
  return f.growsdown && f.stack_incomplete_setup;
}

/** How many times one walk may restart (fix 1c's spin_trylock failing) before the run reports a livelock. */
export const MAX_WALK_RESTARTS = 10;

/**
 * The locks a walk takes before reading the list: the page's anon_vma lock; with fix 1e, the family's
 * root (oldest) anon_vma first and the page's nested under it.
 */
function* walk_lock(k: Kernel, av: AnonVmaId, loc: string): KGen<string[]> {
  const locks: string[] = [];
  if (k.policy.rmap_walk_vma_lock === "root-ordered") {
    const rootLock = anon_vma_lock_id(k, anon_vma(k, av).root);
    yield* spin_lock(k, rootLock, loc, `spin_lock(${rootLock}) (root first, 1e)`);
    locks.push(rootLock);
  }
  const lock = anon_vma_lock_id(k, av);
  if (!locks.includes(lock)) {
    yield* spin_lock(k, lock, loc, locks.length > 0 ? `spin_lock_nested(${lock})` : undefined);
    locks.push(lock);
  }
  return locks;
}

function* walk_unlock(k: Kernel, locks: string[], loc: string, label?: string): KGen {
  for (let i = locks.length - 1; i >= 0; i--) yield* spin_unlock(k, locks[i] as string, loc, i === locks.length - 1 ? label : undefined);
}

/**
 * vma_address() as the walks call it. With fixes 1b, 1c and 1e the walk also holds the vma's own
 * anon_vma lock around the read, when it is not one the walk already holds, so that vma_adjust() and
 * expand_downwards(), which hold it across their stores, look atomic. Returns null when 1c's
 * spin_trylock fails: the caller drops everything and restarts its walk.
 */
function* walk_vma_address(k: Kernel, p: PageId, v: VmaId, held: string[], loc: string): KGen<number | null> {
  const mode = k.policy.rmap_walk_vma_lock;
  const own = vma(k, v).anon_vma;
  const extra = mode !== "none" && own !== null ? anon_vma_lock_id(k, own) : null;
  const take = extra !== null && !held.includes(extra) ? extra : null;
  if (take !== null) {
    if (mode === "trylock") {
      const got = yield* spin_trylock(k, take, loc);
      if (!got) {
        result(k, `spin_trylock(${take}) failed: drop the locks and restart the walk`);
        return null;
      }
    } else {
      yield* spin_lock(k, take, loc, `spin_lock_nested(${take})`);
    }
  }
  const address = yield* vma_address(k, p, v);
  if (take !== null) yield* spin_unlock(k, take, loc);
  return address;
}

function walk_restart(k: Kernel, restarts: number, what: string): void {
  k.s.counters.retries++;
  if (restarts + 1 >= MAX_WALK_RESTARTS) {
    violate(k, "livelock", `${what}: the walk restarted ${restarts + 1} times (spin_trylock kept failing)`, true);
  }
}

/**
 * try_to_unmap_anon() (mm/rmap.c:1150): holds the page's anon_vma lock for the whole walk of its list
 * (page_lock_anon_vma(), mm/rmap.c:292). 2.6.35 skips temporary exec stacks for migration.
 */
export function* try_to_unmap_anon(k: Kernel, p: PageId, tally?: MigrationTally): KGen<number> {
  for (let restarts = 0; ; restarts++) {
    yield step("page_lock_anon_vma: read page->mapping", "mm/rmap.c:292");
    const av = page_anon_vma(page(k, p));
    if (av === null || !page_mapped(page(k, p))) return SWAP_AGAIN;
    const locks = yield* walk_lock(k, av, "mm/rmap.c:292");
    const target: WalkTarget = { page: p, kind: "present" };
    let restart = false;
    for (let i = 0; i < anon_vma(k, av).head.length; i++) {
      const v = avc(k, anon_vma(k, av).head[i] as string).vma;
      if (k.policy.skip_temporary_stacks && is_vma_temporary_stack(k, v)) {
        yield step(`try_to_unmap_anon: skip temporary stack ${v}`, "mm/rmap.c:1150");
        result(k, `try_to_unmap_anon: skipped temporary stack ${v}`);
        continue;
      }
      const address = yield* walk_vma_address(k, p, v, locks, "mm/rmap.c:1150");
      if (address === null) {
        restart = true;
        break;
      }
      checkWalkRead(k, p, v, address, target, "try_to_unmap");
      if (address === EFAULT) continue;
      const ret = yield* try_to_unmap_one(k, p, v, address, tally);
      if (ret !== SWAP_AGAIN || !page_mapped(page(k, p))) break;
    }
    yield* walk_unlock(k, locks, "mm/rmap.c:1150", "page_unlock_anon_vma()");
    if (!restart) return SWAP_AGAIN;
    walk_restart(k, restarts, `try_to_unmap(${p})`);
  }
}

/** try_to_unmap() (mm/rmap.c, after try_to_unmap_anon): SWAP_SUCCESS when the page is no longer mapped. */
export function* try_to_unmap(k: Kernel, p: PageId, tally?: MigrationTally): KGen<boolean> {
  yield* try_to_unmap_anon(k, p, tally);
  return !page_mapped(page(k, p));
}

export type RmapOne = (k: Kernel, v: VmaId, address: number) => KGen<number>;

/**
 * rmap_walk_anon() (mm/rmap.c:1348): the walk behind remove_migration_ptes(). All ptes are migration
 * entries by now (mapcount 0), so it cannot use page_lock_anon_vma(): it trusts page_anon_vma().
 */
export function* rmap_walk_anon(k: Kernel, p: PageId, target: WalkTarget, rmap_one: RmapOne): KGen {
  for (let restarts = 0; ; restarts++) {
    yield step("rmap_walk_anon: page_anon_vma(page)", "mm/rmap.c:1348");
    const av = page_anon_vma(page(k, p));
    if (av === null) return;
    const locks = yield* walk_lock(k, av, "mm/rmap.c:1348");
    let restart = false;
    for (let i = 0; i < anon_vma(k, av).head.length; i++) {
      const v = avc(k, anon_vma(k, av).head[i] as string).vma;
      const address = yield* walk_vma_address(k, p, v, locks, "mm/rmap.c:1348");
      if (address === null) {
        restart = true;
        break;
      }
      checkWalkRead(k, p, v, address, target, "rmap_walk");
      if (address === EFAULT) continue;
      const ret = yield* rmap_one(k, v, address);
      if (ret !== SWAP_AGAIN) break;
    }
    yield* walk_unlock(k, locks, "mm/rmap.c:1348");
    if (!restart) return;
    walk_restart(k, restarts, `rmap_walk(${p})`);
  }
}

/** rmap_walk() (mm/rmap.c:1409): VM_BUG_ON(!PageLocked(page)). Returns rmap_walk_anon() itself: no extra yield* level. */
export function rmap_walk(k: Kernel, p: PageId, target: WalkTarget, rmap_one: RmapOne): KGen {
  return rmap_walk_anon(k, p, target, rmap_one);
}
