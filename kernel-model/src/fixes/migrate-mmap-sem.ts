import type { Fix } from "./fix";

/**
 * 8: migration takes mmap_sem for write. Modelled as: unmap_and_move() finds every mm mapping the page
 * (through the page's anon_vma) and takes their mmap_sems for write, in mm-id order, before lock_page(),
 * holding them until after unlock_page(). Whatever changes vmas under mmap_sem (mprotect, mremap,
 * expand_downwards' read side, exec's setup_arg_pages) is then excluded; what runs without it is not.
 */
export const migrateMmapSem: Fix = {
  id: "migrate-mmap-sem",
  code: "8",
  title: "migration takes mmap_sem for write in every mm mapping the page",
  origin: {
    who: "Linus Torvalds (suggestion)",
    date: "2010-05-03",
    ref: "alpine.LFD.2.00.1005030935100.5478@i5.linux-foundation.org",
  },
  fate: "not adopted",
  closes: ["A", "B", "C"],
  cost:
    "one mmap_sem write per mm mapping the page for the whole migration: every fault and mmap in those mms waits; " +
    "the mms must be found by an rmap walk first and are not pinned",
  apply: (p) => ({ ...p, migrate_takes_mmap_sem: true }),
};
