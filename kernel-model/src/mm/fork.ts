/**
 * kernel/fork.c (v2.6.34): dup_mmap() (l.288). anon_vma_fork() runs before copy_page_range(), and puts
 * the child's AVC after the parent's on every list, so a walker meets the parent's pte first (S6).
 */
import { type Kernel, type KGen, step } from "../sim/kernel";
import { down_write, up_write } from "./locks";
import { mm, mm_alloc, vm_area_alloc, vma, vma_link } from "./objects";
import { MappingError } from "./mmap";
import { copy_page_range } from "./memory";
import { anon_vma_fork } from "./rmap";
import type { MmId } from "./types";

export function* dup_mmap(k: Kernel, parent: MmId, child: MmId): KGen {
  yield step(`dup_mm(${parent}) -> ${child}`, "kernel/fork.c:288");
  if (k.s.mms[child]) throw new MappingError(`fork: mm "${child}" already exists`);
  mm_alloc(k, child);
  yield* down_write(k, mm(k, parent).mmap_sem, "kernel/fork.c:288");
  yield* down_write(k, mm(k, child).mmap_sem, "kernel/fork.c:288");
  for (const id of [...mm(k, parent).mmap]) {
    yield step(`dup_mmap: tmp = *${id}`, "kernel/fork.c:288");
    const mpnt = vma(k, id);
    const tmp = vm_area_alloc(k, child, mpnt.vm_start, mpnt.vm_end, mpnt.vm_pgoff, mpnt.flags).id;
    yield* anon_vma_fork(k, tmp, id);
    vma_link(k, mm(k, child), vma(k, tmp));
    yield* copy_page_range(k, child, parent, id);
  }
  yield* up_write(k, mm(k, child).mmap_sem, "kernel/fork.c:288");
  yield* up_write(k, mm(k, parent).mmap_sem, "kernel/fork.c:288");
}
