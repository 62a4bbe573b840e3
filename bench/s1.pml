/*
 * S1 family in Promela, for the benchmark against kernel-model's explorer (bench/run.mjs).
 *
 * An independent model of kernel-model's S1 at about the same step granularity: one statement (or one
 * atomic block) per kernel-model step. V = [p16, p32) maps NPAGES pages at p28, p29, ...; migrators
 * (one for all pages, or one per page) run unmap_and_move(); T runs mprotect(p20..p32), which splits V
 * (__split_vma, new_below: the new vma is [p16, p20)) and vma_adjust()s V to [p20, p32) with three
 * separate stores; F touches every page. The walks read vm_start, vm_pgoff and vm_end of each vma on the
 * anon_vma's list in one step (vma_address, kernel-model's "one-step" granularity).
 *
 * LOCKED=0 is 2.6.34/2.6.35 (vma_adjust takes no anon_vma lock: Race A); LOCKED=1 is 2.6.33/2.6.36
 * (vma_adjust holds the anon_vma / root anon_vma lock around its stores).
 *
 * Properties, as in kernel-model: the fault BUG()s when it meets a migration entry whose page is
 * unlocked (swapops.h:105, I1), and at the end no migration entry may be left behind (I1, end of run).
 */
#ifndef NPAGES
#define NPAGES 1
#endif
#ifndef PERPAGE
#define PERPAGE 0
#endif
#ifndef LOCKED
#define LOCKED 0
#endif

#define NONE 0
#define PRESENT 1
#define MIGRATION 2

/* vma1 = V, vma2 = the new vma below the split (on the anon_vma list once linked) */
byte v1start = 16, v1end = 32, v1pgoff = 16;
byte v2start = 16, v2end = 20, v2pgoff = 16;
bool v2linked = 0;
bool avlock = 0;          /* anon_vma->lock (the root's on 2.6.36) */
bool semw = 0;            /* mmap_sem held for write */
byte semr = 0;            /* mmap_sem readers */
bool ptl = 0;             /* mm->page_table_lock */
byte pte[NPAGES];         /* NONE, PRESENT, MIGRATION */
bool plock[NPAGES];       /* PG_locked of the old page */
byte refs[NPAGES];        /* page_count of the old page */
byte done = 0;            /* threads finished */

#define LOCK(l)   atomic { !l -> l = 1 }
#define UNLOCK(l) l = 0

/* vma_address(page at p(28+i), vma): the address, or 0 for -EFAULT */
#define ADDR(i, s, o, e) (((s) + (28 + (i) - (o)) >= (s) && (s) + (28 + (i) - (o)) < (e)) -> (s) + (28 + (i) - (o)) : 0)

inline walk_unmap(i) {
  byte a;
  a = ADDR(i, v1start, v1pgoff, v1end);                       /* vma_address(P, vma1) */
  if
  :: a == 28 + i -> atomic { !ptl -> ptl = 1 };               /* try_to_unmap_one under the pte lock */
                    if :: pte[i] == PRESENT -> pte[i] = MIGRATION; refs[i]-- :: else -> skip fi;
                    ptl = 0
  :: else -> skip
  fi;
  if
  :: v2linked -> a = ADDR(i, v2start, v2pgoff, v2end);        /* vma_address(P, vma2) */
                 if :: a == 28 + i -> atomic { !ptl -> ptl = 1 }; if :: pte[i] == PRESENT -> pte[i] = MIGRATION; refs[i]-- :: else -> skip fi; ptl = 0
                    :: else -> skip fi
  :: else -> skip
  fi
}

inline walk_remove(i) {
  byte a;
  a = ADDR(i, v1start, v1pgoff, v1end);                       /* vma_address(new, vma1) */
  if
  :: a == 28 + i -> if :: pte[i] == MIGRATION ->              /* peek without the lock */
                          atomic { !ptl -> ptl = 1 };         /* remove_migration_pte */
                          if :: pte[i] == MIGRATION -> pte[i] = PRESENT :: else -> skip fi;
                          ptl = 0
                       :: else -> skip fi
  :: else -> skip
  fi;
  if
  :: v2linked -> a = ADDR(i, v2start, v2pgoff, v2end);        /* vma_address(new, vma2) */
                 if :: a == 28 + i -> if :: pte[i] == MIGRATION -> atomic { !ptl -> ptl = 1 }; if :: pte[i] == MIGRATION -> pte[i] = PRESENT :: else -> skip fi; ptl = 0 :: else -> skip fi
                    :: else -> skip fi
  :: else -> skip
  fi
}

inline migrate(i) {
  refs[i]++;                                                  /* isolate_lru_page */
  skip;                                                       /* get_new_page(); page_count */
  atomic { !plock[i] -> plock[i] = 1 };                       /* lock_page */
  skip;                                                       /* rcu_read_lock(); PageAnon */
  skip;                                                       /* page_lock_anon_vma: read page->mapping */
  LOCK(avlock);
  walk_unmap(i);
  UNLOCK(avlock);                                             /* page_unlock_anon_vma */
  if
  :: pte[i] == MIGRATION ->                                   /* unmapped: move_to_new_page */
     skip;                                                    /* trylock_page(new); index, mapping */
     skip;                                                    /* migrate_page_move_mapping: count == 1? */
     skip;                                                    /* migrate_page_copy */
     skip;                                                    /* rmap_walk_anon: page_anon_vma */
     LOCK(avlock);
     walk_remove(i);
     UNLOCK(avlock);
     skip                                                     /* unlock_page(new) */
  :: else -> skip                                             /* -EAGAIN */
  fi;
  plock[i] = 0;                                               /* rcu_read_unlock(); unlock_page(P) */
  refs[i]--                                                   /* putback_lru_page */
}

#if PERPAGE
proctype Mig(byte i) { migrate(i); done++ }
#else
proctype Mig1() { byte i = 0; do :: i < NPAGES -> migrate(i); i++ :: else -> break od; done++ }
#endif

proctype T() {
  atomic { !semw && semr == 0 -> semw = 1 };                  /* down_write(mmap_sem) */
  skip;                                                       /* find_vma_prev */
  skip;                                                       /* mprotect_fixup */
  skip;                                                       /* __split_vma: new = *vma */
  LOCK(avlock);                                               /* anon_vma_clone: anon_vma_chain_link */
  v2linked = 1;
  UNLOCK(avlock);
#if LOCKED
  LOCK(avlock);                                               /* vma_adjust: anon_vma_lock */
#endif
  v1start = 20;                                               /* vma_adjust: vma->vm_start = 20 */
  v1end = 32;                                                 /* vma_adjust: vma->vm_end = 32 */
  v1pgoff = 20;                                               /* vma_adjust: vma->vm_pgoff = 20 */
  skip;                                                       /* __insert_vm_struct(new) */
#if LOCKED
  UNLOCK(avlock);
#endif
  skip;                                                       /* vma->vm_flags = r */
  atomic { !ptl -> ptl = 1 }; ptl = 0;                        /* change_protection */
  semw = 0;                                                   /* up_write(mmap_sem) */
  done++
}

proctype F() {
  byte i = 0;
  do
  :: i < NPAGES ->
     if
     :: pte[i] == PRESENT -> i++                              /* access: the pte allows it */
     :: else ->
        atomic { !semw -> semr++ };                           /* down_read(mmap_sem) */
        skip;                                                 /* find_vma */
        skip;                                                 /* handle_pte_fault */
        if
        :: pte[i] == MIGRATION ->                             /* do_swap_page: read pte */
           atomic { !ptl -> ptl = 1 };                        /* migration_entry_wait */
           if
           :: pte[i] == MIGRATION -> assert(plock[i]);        /* BUG_ON(!PageLocked): swapops.h:105 */
              refs[i]++; ptl = 0;
              !plock[i];                                      /* wait_on_page_locked */
              refs[i]--                                       /* put_page */
           :: else -> ptl = 0
           fi
        :: else -> skip
        fi;
        semr--                                                /* up_read; the access is retried */
     fi
  :: else -> break
  od;
  done++
}

init {
  byte i = 0;
  atomic {
    do :: i < NPAGES -> pte[i] = PRESENT; refs[i] = 1; i++ :: else -> break od;
#if PERPAGE
    i = 0;
    do :: i < NPAGES -> run Mig(i); i++ :: else -> break od;
#else
    run Mig1();
#endif
    run T(); run F()
  };
  /* End of run: no migration entry may be left behind (kernel-model's end-of-run I1). */
  (done == 2 + (PERPAGE -> NPAGES : 1));
  i = 0;
  do :: i < NPAGES -> assert(pte[i] != MIGRATION); i++ :: else -> break od
}
