import type { Fix } from "./fix";

/**
 * 5b: exec marks its temporary stack VM_STACK_INCOMPLETE_SETUP until shift_arg_pages() is done, and
 * try_to_unmap() skips such vmas for migration: no migration entry is ever created where
 * move_page_tables() could carry it away from vma_address(). The page stays mapped, so migration fails
 * with -EAGAIN and is retried later.
 */
export const skipTempStacks: Fix = {
  id: "skip-temp-stacks",
  code: "5b",
  title: "do not migrate pages of the temporary exec stack",
  origin: {
    who: "Mel Gorman (idea KAMEZAWA Hiroyuki)",
    date: "2010-04-28 (idea) / 2010-05-11 (standalone) / 2010-05-25 (committed)",
    ref: "commit a8bef8ff6ea15fa4c67433cab0f5f3484574ef7c",
  },
  fate: "merged in 2.6.35-rc1",
  closes: ["B"],
  cost: "two vm_flags bits; exec pays nothing but an mprotect_fixup flag; migrating a fresh exec's stack fails with -EAGAIN",
  apply: (p) => ({ ...p, skip_temporary_stacks: true }),
};
