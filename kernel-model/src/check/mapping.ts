/**
 * Which ptes of a page table refer to one page: the question the checks of I2 and I5 ask at every
 * unlock_page() and every walk. Asked through this helper, an exploring view (explore/footprint.ts)
 * records a read of "the ptes that map p" instead of a read of every pte, so that another page's
 * migration rewriting its own pte does not look like a conflict with the check (it halved the runs of
 * S1 with 2 pages and 2 migrators). The kernel's own code reads ptes directly, as the kernel does.
 */
import type { PageId, Pte } from "../mm/types";

/** The key under which a recording view of a page table answers ptesMapping itself. */
export const PTES_MAPPING: unique symbol = Symbol("ptesMapping");
export type PtesMapping = (p: PageId, from: number, to: number) => [number, Pte][];

/** The page a present pte or a migration entry refers to (none for a swap entry), without reading the kind. */
export function pageOfPte(pte: unknown): PageId | undefined {
  return pte !== null && typeof pte === "object" && "page" in pte ? ((pte as { page: PageId }).page) : undefined;
}

/**
 * The ptes of a page table (present or migration entries) that refer to page p, by ascending address,
 * within [from, to) if given. (A short range is scanned by index: for-in over integer keys costs ~0.5 us.)
 */
export function ptesMapping(ptes: Record<string, Pte>, p: PageId, from = -Infinity, to = Infinity): [number, Pte][] {
  const own = (ptes as unknown as { [PTES_MAPPING]?: PtesMapping })[PTES_MAPPING];
  if (own !== undefined) return own(p, from, to);
  const out: [number, Pte][] = [];
  if (to - from <= 64) {
    for (let a = from; a < to; a++) {
      const pte = ptes[a];
      if (pte !== undefined && pageOfPte(pte) === p) out.push([a, pte]);
    }
    return out;
  }
  for (const a in ptes) {
    const pte = ptes[a] as Pte;
    if (pageOfPte(pte) === p && Number(a) >= from && Number(a) < to) out.push([Number(a), pte]);
  }
  return out;
}
