/**
 * The swap cache (mm/swap_state.c, mm/filemap.c): lockless lookups that migration's
 * migrate_page_move_mapping() must not confuse (S7).
 */
import { type Kernel, type KGen, step } from "../sim/kernel";
import { alloc_page, page } from "./objects";
import type { PageId, SwapEntry } from "./types";

/**
 * lookup_swap_cache() -> find_get_page(): RCU lookup of the slot, page_cache_get_speculative() (fails
 * on frozen refs), then re-check the slot; retry on any change.
 */
export function* lookup_swap_cache(k: Kernel, entry: SwapEntry): KGen<PageId | null> {
  for (;;) {
    yield step(`find_get_page(swapper_space, ${entry}): radix_tree_lookup_slot`, "mm/filemap.c");
    const id: PageId | undefined = k.s.swap.slots[String(entry)];
    if (id === undefined) return null;
    yield step(`page_cache_get_speculative(${id})`, "mm/filemap.c");
    const p = page(k, id);
    if (p.refcount === 0) {
      k.s.counters.retries++;
      continue; // frozen by migrate_page_move_mapping(): repeat
    }
    p.refcount++;
    yield step(`find_get_page: re-check slot ${entry}`, "mm/filemap.c");
    if (k.s.swap.slots[String(entry)] !== id) {
      page(k, id).refcount--;
      k.s.counters.retries++;
      continue;
    }
    return id;
  }
}

/** The page is not in the swap cache: read it back (I/O not modelled: a new page enters the cache). */
export function* read_swap_cache_async(k: Kernel, entry: SwapEntry): KGen<PageId> {
  yield step(`read_swap_cache_async(${entry})`, "mm/swap_state.c");
  const p = alloc_page(k);
  p.swapCache = entry;
  p.refcount = 2; // the cache's and ours
  k.s.swap.slots[String(entry)] = p.id;
  return p.id;
}

/** add_to_swap(): give a mapped anonymous page a swap entry and a swap-cache slot (set-up only). */
export function* add_to_swap(k: Kernel, id: PageId): KGen {
  yield step(`add_to_swap(${id})`, "mm/swap_state.c");
  const p = page(k, id);
  const entry = k.s.swap.nextEntry++;
  p.swapCache = entry;
  p.refcount++;
  k.s.swap.slots[String(entry)] = id;
}
