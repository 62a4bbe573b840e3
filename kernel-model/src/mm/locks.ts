/**
 * Locks: spinlocks, the PG_locked bit lock and mmap_sem. Acquisition is a step that waits until the
 * lock is free; a thread blocked on a lock is not runnable. Each acquisition is checked against the
 * documented lock order (I9, mm/rmap.c header).
 */
import { type Kernel, type KGen, LOCK_ORDER, lockClass, lockOf, step, violate, without } from "../sim/kernel";
import type { LockId, ThreadId } from "./types";

function held(k: Kernel): LockId[] {
  const t = k.s.threads[k.tid];
  if (!t) throw new Error(`model error: no thread ${k.tid}`);
  return t.held;
}

function count(k: Kernel, id: LockId): void {
  const c = lockClass(id);
  k.s.counters.lockAcquisitions[c] = (k.s.counters.lockAcquisitions[c] ?? 0) + 1;
}

const rank = (c: string): number => (LOCK_ORDER as readonly string[]).indexOf(c);

/** I9: taking a lock of an earlier class while holding a later one; two of one class are allowed only nested (checked by the fixes that nest). */
function checkOrder(k: Kernel, id: LockId): void {
  const mine = rank(lockClass(id));
  for (const h of held(k)) {
    if (rank(lockClass(h)) > mine) {
      violate(k, "I9", `lock order: ${id} taken while holding ${h} (order is ${LOCK_ORDER.join(" -> ")})`, false);
      return;
    }
  }
}

function take(k: Kernel, id: LockId, mode: "excl" | "read"): void {
  const l = lockOf(k.s, id);
  checkOrder(k, id);
  if (mode === "read") l.readers.push(k.tid);
  else l.owner = k.tid;
  if (l.waiters.includes(k.tid)) l.waiters = without(l.waiters, k.tid);
  held(k).push(id);
  count(k, id);
}

function release(k: Kernel, id: LockId): void {
  const l = lockOf(k.s, id);
  if (l.owner === k.tid) l.owner = null;
  else if (l.readers.includes(k.tid)) l.readers = without(l.readers, k.tid);
  else throw new Error(`model error: ${k.tid} releases ${id} it does not hold`);
  const h = held(k);
  h.splice(h.lastIndexOf(id), 1);
}

/** spin_lock(): one step, waits while the lock is held. */
export function* spin_lock(k: Kernel, id: LockId, loc: string, label = `spin_lock(${id})`): KGen {
  yield step(label, loc, { lock: id, mode: "excl" });
  take(k, id, "excl");
}

export function* spin_unlock(k: Kernel, id: LockId, loc: string, label = `spin_unlock(${id})`): KGen {
  yield step(label, loc);
  release(k, id);
}

/** spin_trylock(): one step, never waits. */
export function* spin_trylock(k: Kernel, id: LockId, loc: string): KGen<boolean> {
  yield step(`spin_trylock(${id})`, loc);
  if (lockOf(k.s, id).owner !== null) return false;
  take(k, id, "excl");
  return true;
}

/** Acquire/release inside a step body that already waited for the lock (short critical sections). */
export function lockInStep(k: Kernel, id: LockId): void {
  if (lockOf(k.s, id).owner !== null) throw new Error(`model error: ${id} not free in step body`);
  take(k, id, "excl");
}
export function unlockInStep(k: Kernel, id: LockId): void {
  release(k, id);
}

export function* down_read(k: Kernel, id: LockId, loc: string): KGen {
  yield step(`down_read(${id})`, loc, { lock: id, mode: "read" });
  take(k, id, "read");
}
export function* up_read(k: Kernel, id: LockId, loc: string): KGen {
  yield step(`up_read(${id})`, loc);
  release(k, id);
}
export function* down_write(k: Kernel, id: LockId, loc: string): KGen {
  yield step(`down_write(${id})`, loc, { lock: id, mode: "write" });
  take(k, id, "excl");
}
export function* up_write(k: Kernel, id: LockId, loc: string): KGen {
  yield step(`up_write(${id})`, loc);
  release(k, id);
}

/** lock_page(): sleeps until PG_locked is clear (include/linux/pagemap.h). */
export function* lock_page(k: Kernel, id: LockId, loc: string): KGen {
  yield step(`lock_page(${id})`, loc, { lock: id, mode: "excl" });
  take(k, id, "excl");
}
/** trylock_page(): test_and_set PG_locked, never sleeps. */
export function* trylock_page(k: Kernel, id: LockId, loc: string): KGen<boolean> {
  yield step(`trylock_page(${id})`, loc);
  if (lockOf(k.s, id).owner !== null) return false;
  take(k, id, "excl");
  return true;
}
/** unlock_page() as part of the current step's body (the caller yields the step). */
export function unlock_page_now(k: Kernel, id: LockId): void {
  release(k, id);
}
/** wait_on_page_locked(): sleeps until PG_locked is clear, without taking it. */
export function* wait_on_page_locked(k: Kernel, id: LockId, loc: string): KGen {
  yield step(`wait_on_page_locked(${id})`, loc, { pageUnlocked: id });
}

export function holds(k: Kernel, id: LockId, who: ThreadId = k.tid): boolean {
  const l = lockOf(k.s, id);
  return l.owner === who || l.readers.includes(who);
}
