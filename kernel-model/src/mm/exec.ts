/**
 * fs/exec.c (v2.6.34): the temporary stack of execve(). Its pages are created at the top of a new mm
 * and later moved down by shift_arg_pages(), whose first vma_adjust() makes vma_address() point at the
 * new place while the ptes are still at the old one (Race B, reproduced on 2.6.33).
 */
import { type Kernel, type KGen, result, step } from "../sim/kernel";
import { down_write, up_write } from "./locks";
import { mm, mm_alloc, vm_area_alloc, vma, vma_link } from "./objects";
import { MappingError, vma_adjust } from "./mmap";
import { anon_vma_clone, unlink_anon_vmas } from "./rmap";
import { touch } from "./memory";
import { mprotect_fixup } from "./mprotect";
import { move_page_tables } from "./mremap";
import type { MmId, VmaId } from "./types";

/** STACK_TOP_MAX as a page number (small, so traces stay readable). */
export const STACK_TOP_MAX = 64;

/** __bprm_mm_init() (fs/exec.c:226): a one-page stack vma at STACK_TOP_MAX, vm_pgoff 0. */
export function* __bprm_mm_init(k: Kernel, mmId: MmId): KGen<VmaId> {
  yield step(`bprm_mm_init: mm_alloc() -> ${mmId}`, "fs/exec.c:226");
  if (k.s.mms[mmId]) throw new MappingError(`exec: mm "${mmId}" already exists`);
  const m = mm_alloc(k, mmId);
  m.bprm = true;
  yield* down_write(k, m.mmap_sem, "fs/exec.c:226");
  yield step("__bprm_mm_init: insert_vm_struct(stack vma)", "fs/exec.c:226");
  const flags = { growsdown: true, stack_incomplete_setup: k.policy.skip_temporary_stacks, prot: "rw" as const };
  const v = vm_area_alloc(k, mmId, STACK_TOP_MAX - 1, STACK_TOP_MAX, 0, flags);
  vma_link(k, mm(k, mmId), v);
  const vId = v.id;
  yield* up_write(k, mm(k, mmId).mmap_sem, "fs/exec.c:226");
  return vId;
}

/**
 * copy_strings() -> get_arg_page(): get_user_pages() on bprm->mm without mmap_sem (nobody else can see
 * the mm), growing the stack down page by page.
 */
export function* copy_strings(k: Kernel, mmId: MmId, argPages: number, names: string[] = []): KGen {
  for (let i = 0; i < argPages; i++) {
    const addr = STACK_TOP_MAX - 1 - i;
    yield* touch(k, mmId, addr, true, names[i], false);
  }
}

/**
 * shift_arg_pages() (fs/exec.c:498): vma_adjust() to cover [new_start, old_end) with vm_pgoff
 * unchanged (l.520), move_page_tables() (no anon_vma lock), then vma_adjust() to [new_start, new_end) (l.554).
 */
export function* shift_arg_pages(k: Kernel, v: VmaId, shift: number): KGen {
  const old_start = vma(k, v).vm_start;
  const old_end = vma(k, v).vm_end;
  const length = old_end - old_start;
  const new_start = old_start - shift;
  const new_end = old_end - shift;
  if (new_start < 0) throw new MappingError(`exec: shift ${shift} moves the stack below page 0`);
  if (k.policy.exec_temp_vma) {
    // Fix 5a (Andrea, posted by Rik, 3 May 2010): instead of first stretching the vma down, a temporary copy
    // covering [new_start, old_end) joins the vma's anon_vmas at the tail, after the vma itself. A walk then
    // meets the old place (the vma, unchanged) before the new one (the copy), so it finds each pte
    // whichever side of the move it is on, as fork's list order does for S6.
    yield step(`shift_arg_pages: tmp_vma = *${v}, vm_start = ${new_start} (5a)`, "fs/exec.c:498");
    const area = vma(k, v);
    const t = vm_area_alloc(k, area.mm, new_start, old_end, area.vm_pgoff, area.flags);
    t.anon_vma = area.anon_vma;
    const tmp = t.id;
    yield* anon_vma_clone(k, tmp, v);
    yield* move_page_tables(k, v, old_start, new_start, length);
    yield* vma_adjust(k, v, new_start, new_end, vma(k, v).vm_pgoff, null);
    yield* unlink_anon_vmas(k, tmp);
    yield step(`shift_arg_pages: free tmp_vma ${tmp} (5a)`, "fs/exec.c:498");
    vma(k, tmp).freed = true;
    return;
  }
  yield* vma_adjust(k, v, new_start, old_end, vma(k, v).vm_pgoff, null); // fs/exec.c:520
  yield* move_page_tables(k, v, old_start, new_start, length);
  yield* vma_adjust(k, v, new_start, new_end, vma(k, v).vm_pgoff, null); // fs/exec.c:554
}

/**
 * setup_arg_pages() (fs/exec.c:563) under mmap_sem for write. 2.6.35 keeps VM_STACK_INCOMPLETE_SETUP
 * through mprotect_fixup() and clears it after the shift. The final expand_stack() of 128 KiB is not
 * modelled (it happens under the same locks after the shift and moves no pte).
 */
export function* setup_arg_pages(k: Kernel, mmId: MmId, shift: number): KGen {
  yield step(`exec_mmap(${mmId}): the new mm becomes current's`, "fs/exec.c");
  mm(k, mmId).bprm = false;
  yield* down_write(k, mm(k, mmId).mmap_sem, "fs/exec.c:563");
  const m = mm(k, mmId);
  const v = m.mmap[m.mmap.length - 1];
  if (v === undefined) throw new MappingError(`exec: ${mmId} has no stack vma (exec_finish needs exec_begin)`);
  const flags = { ...vma(k, v).flags, stack_incomplete_setup: k.policy.skip_temporary_stacks };
  yield* mprotect_fixup(k, v, null, vma(k, v).vm_start, vma(k, v).vm_end, flags);
  if (shift) yield* shift_arg_pages(k, v, shift);
  if (k.policy.skip_temporary_stacks) {
    yield step(`setup_arg_pages: ${v}->vm_flags &= ~VM_STACK_INCOMPLETE_SETUP`, "fs/exec.c:563");
    vma(k, v).flags.stack_incomplete_setup = false;
  }
  yield* up_write(k, mm(k, mmId).mmap_sem, "fs/exec.c:563");
  result(k, `setup_arg_pages(${mmId}): stack at [p${vma(k, v).vm_start}, p${vma(k, v).vm_end})`);
}

/** After setup_arg_pages, load_elf_binary reads the arguments at their new place (strnlen_user in both oopses). */
export function* touch_args(k: Kernel, mmId: MmId): KGen {
  const m = mm(k, mmId);
  const v = m.mmap[m.mmap.length - 1];
  if (v === undefined) return;
  for (let a = vma(k, v).vm_end - 1; a >= vma(k, v).vm_start; a--) {
    if (mm(k, mmId).ptes[a] !== undefined) yield* touch(k, mmId, a, false);
  }
}
