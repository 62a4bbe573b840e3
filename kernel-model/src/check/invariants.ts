/**
 * The invariants of reference §10, checked where the kernel relies on them and at the end of a run.
 * I1 (swapops.h), I4 (migrate_page_move_mapping) and I3 (move_to_new_page) live in the model code
 * itself, where the kernel checks them; I10 is checked only by the counting fix, which is its home.
 */
import { diagnose, type Kernel, lockOf, result, violate } from "../sim/kernel";
import type { PageId, Pte, State, VmaId } from "../mm/types";
import type { WalkTarget } from "../mm/rmap";
import { ptesMapping } from "./mapping";

/** Every pte (in live mms) holding a migration entry for page p, as "mm:pN". */
export function migrationPtesOf(s: State, p: PageId): string[] {
  const out: string[] = [];
  for (const m of Object.values(s.mms)) {
    for (const [a, pte] of ptesMapping(m.ptes, p)) if (pte.kind === "migration") out.push(`${m.id}:p${a}`);
  }
  return out;
}

/**
 * Fix 5a: while exec shifts its stack, its temporary vma overlaps the stack vma; a pte is then found
 * through whichever of the two maps it at its linear address, so a read of the other one is not a miss.
 */
function reachableThroughOtherVma(k: Kernel, p: PageId, v: VmaId, a: number): boolean {
  if (!k.policy.exec_temp_vma) return false;
  const area = k.s.vmas[v];
  const pg = k.s.pages[p];
  if (!area || !pg) return false;
  return Object.values(k.s.vmas).some(
    (t) => t.id !== v && !t.freed && t.mm === area.mm && t.vm_start <= a && a < t.vm_end && t.vm_start + (pg.index - t.vm_pgoff) === a,
  );
}

/**
 * I5 at a walker's read: a pte the walk is looking for lies inside the vma as the walker sees it, yet
 * vma_address() did not return its address. This is the moment a race turns into a missed pte.
 */
export function checkWalkRead(k: Kernel, p: PageId, v: VmaId, address: number, target: WalkTarget, walk: string): void {
  const area = k.s.vmas[v];
  const m = area ? k.s.mms[area.mm] : undefined;
  if (!area || !m) return;
  const start = area.vm_start;
  const end = area.vm_end;
  for (const [a, pte] of ptesMapping(m.ptes, target.page, start, end)) {
    if (pte.kind === target.kind && a !== address && !reachableThroughOtherVma(k, p, v, a)) {
      const got = address < 0 ? "-EFAULT" : `p${address}`;
      // Fix 3 expects misses: the count makes the walk come back (or try_to_unmap fail with -EAGAIN), so a
      // miss is only a note; what it leads to (I2, I10, a livelock) is still checked.
      const msg = `${walk} missed ${m.id}:p${a} (${pte.kind === "swap" ? "swap" : `${pte.kind} ${pte.page}`}): vma_address(${p}, ${v}) returned ${got} from vm_start ${area.vm_start}, vm_pgoff ${area.vm_pgoff}, vm_end ${area.vm_end}`;
      if (k.policy.count_migration_ptes) result(k, `miss (counted, will retry): ${msg}`);
      else diagnose(k, "I5", msg);
    }
  }
}

/** I2 at unlock_page(old) in unmap_and_move(): no migration entry for the page may be left anywhere. */
export function checkUnlockPage(k: Kernel, p: PageId): void {
  const left = migrationPtesOf(k.s, p);
  if (left.length > 0) {
    violate(k, "I2", `unlock_page(${p}) with migration entries left at ${left.join(", ")}: rmap did not find every pte`, false);
  }
}

/** End-of-run checks; violations are recorded with step -1. */
export function endOfRunChecks(s: State): void {
  const add = (invariant: string, message: string) => s.violations.push({ invariant, message, step: -1, threads: [], fatal: false });
  // One pass over the ptes (for-in over integer keys is dear); I1 findings are reported before I5/I6 ones.
  const i1: [string, string][] = [];
  const i56: [string, string][] = [];
  const later = (invariant: string, message: string) => i56.push([invariant, message]);
  for (const m of Object.values(s.mms)) {
    for (const key in m.ptes) {
      const pte = m.ptes[key] as Pte;
      // I1: a migration entry left behind for an unlocked page: the next access would hit swapops.h:105.
      if (pte.kind === "migration") {
        const pg = s.pages[pte.page];
        if (pg && lockOf(s, pg.lock).owner === null) {
          i1.push(["I1", `stale migration entry at ${m.id}:p${key} for unlocked page ${pte.page}${pg.freed ? " (freed)" : ""}: the next access hits kernel BUG at include/linux/swapops.h:105!`]);
        }
      }
      if (!m.exited) checkReachable(s, m, Number(key), pte, later);
    }
  }
  for (const [i, msg] of [...i1, ...i56]) add(i, msg);
  checkChainOrder(s, add);
}

/** I5/I6 at the end of a run: a mapped page is reachable from its anon_vma at the address it is mapped at. */
function checkReachable(s: State, m: State["mms"][string], a: number, pte: Pte, add: (invariant: string, message: string) => void): void {
  if (pte.kind === "swap") return;
  const pg = s.pages[pte.page];
  const av = pg?.mapping?.anon;
  if (!pg || pte.kind === "migration" || av === undefined) return;
  const anon = s.anon_vmas[av];
  if (!anon || anon.freed) {
    add("I6", `${pte.page} mapped at ${m.id}:p${a} points to freed anon_vma ${av}`);
    return;
  }
  const owner = m.mmap.map((id) => s.vmas[id]).find((v) => v && v.vm_start <= a && a < v.vm_end);
  const listed = owner && anon.head.some((c) => s.avcs[c]?.vma === owner.id);
  const addr = owner ? owner.vm_start + (pg.index - owner.vm_pgoff) : NaN;
  if (!owner || !listed || addr !== a) {
    add("I5", `${pte.page} at ${m.id}:p${a} cannot be found by rmap (vma ${owner?.id ?? "none"}, on ${av}'s list: ${listed ? "yes" : "no"}, vma_address p${addr})`);
  }
}

/** I7 at the end of a run: same_vma newest -> oldest; same_anon_vma in creation order. */
function checkChainOrder(s: State, add: (invariant: string, message: string) => void): void {
  const seq = (id: string) => Number(id.replace(/\D/g, ""));
  for (const v of Object.values(s.vmas)) {
    if (v.freed) continue;
    const avs = v.anon_vma_chain.map((c) => s.avcs[c]?.anon_vma ?? "");
    for (let i = 1; i < avs.length; i++) {
      if (seq(avs[i - 1] as string) < seq(avs[i] as string)) add("I7", `${v.id}'s anon_vma_chain is not newest-to-oldest: ${avs.join(", ")}`);
    }
  }
  // Only AVCs of one mm are compared: clones into one mm are serialised by its mmap_sem, while two mms
  // (e.g. two processes splitting at once) may allocate their AVCs in one order and link them in the
  // other, which is harmless because neither vma was cloned from the other.
  const mmOf = (c: string) => s.vmas[s.avcs[c]?.vma ?? ""]?.mm;
  for (const av of Object.values(s.anon_vmas)) {
    if (av.freed) continue;
    const inversion = av.head.some((a, i) => av.head.slice(i + 1).some((b) => mmOf(a) === mmOf(b) && seq(a) > seq(b)));
    if (inversion) add("I7", `${av.id}'s list is not in creation order: ${av.head.join(", ")}`);
  }
}
