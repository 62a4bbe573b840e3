/**
 * exit_mmap() (mm/mmap.c): the last user of an mm is gone; no mmap_sem. unmap_vmas() zaps every pte
 * (dropping migration entries without waiting), then free_pgtables() unlinks the anon_vmas.
 */
import { type Kernel, type KGen, step } from "../sim/kernel";
import { mm } from "./objects";
import { remove_vma } from "./mmap";
import { zap_pte_range } from "./memory";
import type { MmId } from "./types";

export function* exit_mmap(k: Kernel, mmId: MmId): KGen {
  yield step(`exit_mmap(${mmId})`, "mm/mmap.c");
  for (const v of [...mm(k, mmId).mmap]) yield* zap_pte_range(k, v);
  for (const v of [...mm(k, mmId).mmap]) yield* remove_vma(k, v);
  yield step(`exit_mmap(${mmId}): done`, "mm/mmap.c");
  const m = mm(k, mmId);
  m.mmap = [];
  m.exited = true;
}
