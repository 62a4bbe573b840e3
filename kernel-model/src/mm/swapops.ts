/**
 * include/linux/swapops.h (v2.6.34): migration entries. Both helpers check I1: a migration entry may
 * exist or be used only while its page is locked.
 */
import { type Kernel, lockOf, violate } from "../sim/kernel";
import { page } from "./objects";
import type { PageId, Pte } from "./types";

/** make_migration_entry(): BUG_ON(!PageLocked(page)) (swapops.h:80). */
export function make_migration_entry(k: Kernel, p: PageId, write: boolean): Pte {
  if (lockOf(k.s, page(k, p).lock).owner === null) {
    violate(k, "I1", "kernel BUG in make_migration_entry(): BUG_ON(!PageLocked(page)) (include/linux/swapops.h:80)", true);
  }
  return { kind: "migration", page: p, write };
}

/** migration_entry_to_page(): BUG_ON(!PageLocked(p)) at swapops.h:105, the BUG of the thread. */
export function migration_entry_to_page(k: Kernel, pte: Pte & { kind: "migration" }): PageId {
  if (lockOf(k.s, page(k, pte.page).lock).owner === null) {
    violate(k, "I1", "kernel BUG at include/linux/swapops.h:105!", true);
  }
  return pte.page;
}

export function is_migration_entry(pte: Pte | undefined): pte is Pte & { kind: "migration" } {
  return pte?.kind === "migration";
}
