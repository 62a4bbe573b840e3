/**
 * What each thread may still do, for persistent sets in the state caching search (Godefroid, LNCS 1032,
 * 1996, ch. 4): at a node, the threads explored so far are a persistent set when no other thread can,
 * from there, touch what their events touched; the search then explores nothing else there, and
 * otherwise explores next a thread that can (search.ts: closure). In S1 a fault that is past page Pi
 * never touches Pi again, and a migrator's copy of its own page touches nothing another thread will:
 * there is no point in interleaving them.
 *
 * What a thread will do is not declared by the kernel paths: it is learned from the events the search
 * runs, per thread and thread state (position and live variables, resumable.ts: hashThread), after
 * Stoller and Cohen's optimism (as movers.ts): the future of a thread state is what every event from it
 * touched, plus the futures of the thread states that followed. A thread state never seen, or one
 * followed by one whose event never ran, has an unknown future (anything). The search relies on
 * futures; if one it relied on in a pass grows later in the pass, or is still unknown at its end, the
 * pass is invalid and starts again with what it has learned. Sound: a thread left out keeps its state
 * until it runs, and what runs before is independent of its future, so its events from there are ones
 * the same pass runs later, where any access beyond what was relied on is seen.
 */
import type { Footprint } from "./footprint";

/** A thread state: what the thread may access from there on. */
export interface Entry {
  /** What the events from here touched (a hint for the search's order only). */
  readonly next: Set<number>;
  readonly reads: Set<number>;
  /** Locations stored to (written other than by an atomic add). */
  readonly writes: Set<number>;
  /** Locations atomically added to (Footprint.adds): an add commutes with an add, not with a store or a read. */
  readonly adds: Set<number>;
  readonly succ: Set<Entry>;
  readonly pred: Set<Entry>;
  /** The pass that relied on the future (0: none). */
  relied: number;
  /** An event from here has run (else the future is unknown). */
  known: boolean;
  /** An unknown entry can follow: the future is unknown (anything). */
  top: boolean;
  /** For messages: the thread and its next step's label when first seen. */
  readonly where: string;
  /** Bumped whenever next, reads, writes or adds grow (nextMeets' cache). */
  ver: number;
  /** nextMeets(this, b) as last computed: b -> [this.ver, b.ver, answer]. */
  meets: Map<Entry, [number, number, boolean]> | null;
}

export class Futures {
  private readonly at: Map<number, Entry>[];
  /** The same per thread and next step's label: coarser (every state with that label), known sooner. */
  private readonly byLabel: Map<string, Entry>[];
  private readonly all: Entry[] = [];
  /** Entries that became known since the last refreshTops (a top mark may be stale: still top). */
  private learned = 0;
  private pass = 1;
  /** A future this pass relied on grew (the pass is invalid), until the search clears it. */
  tripped = false;

  constructor(
    private readonly threads: readonly string[],
    /** Called when a future this pass relied on grows. */
    private readonly onInvalid: (why: string) => void,
    private readonly nameOf: (loc: number) => string,
  ) {
    this.at = threads.map(() => new Map());
    this.byLabel = threads.map(() => new Map());
  }

  newPass(): void {
    this.pass++;
  }

  /**
   * Thread t's entry at thread state `key` (next step labelled `label`) if its future is known, else the
   * entry of its label if that one's is.
   */
  find(t: number, key: number, label: string): Entry | undefined {
    if (this.learned > 1024 && this.learned * 16 > this.all.length) this.refreshTops();
    const e = (this.at[t] as Map<number, Entry>).get(key);
    if (e !== undefined && !e.top) return e;
    const l = (this.byLabel[t] as Map<string, Entry>).get(label);
    return l === undefined || l.top ? undefined : l;
  }

  private entry<K>(m: Map<K, Entry>, t: number, key: K, label: string): Entry {
    let e = m.get(key);
    if (e === undefined) {
      e = { next: new Set(), reads: new Set(), writes: new Set(), adds: new Set(), succ: new Set(), pred: new Set(), relied: 0, known: false, top: true, where: `${this.threads[t]} at "${label}"`, ver: 0, meets: null };
      m.set(key, e);
      this.all.push(e);
    }
    return e;
  }

  /** Thread t ran an event from thread state `key` (its first step labelled `label`): its two entries. */
  event(t: number, key: number, label: string, fp: Footprint): [Entry, Entry] {
    const both: [Entry, Entry] = [this.entry(this.at[t] as Map<number, Entry>, t, key, label), this.entry(this.byLabel[t] as Map<string, Entry>, t, label, label)];
    for (const e of both) {
      if (!e.known) {
        e.known = true;
        this.learned++;
        this.tryClear(e);
      }
      const n = e.next.size;
      for (const c of fp.reads) e.next.add(c);
      for (const c of fp.writes) e.next.add(c);
      if (e.next.size !== n) e.ver++;
      this.spread(e, fp.reads, storesOf(fp), fp.adds ?? NO_ADDS);
    }
    return both;
  }

  /** After an event from `from` (its two entries), thread t was at thread state `key`. */
  link(t: number, from: readonly [Entry, Entry], key: number, label: string): void {
    this.edge(from[0], this.entry(this.at[t] as Map<number, Entry>, t, key, label));
    this.edge(from[1], this.entry(this.byLabel[t] as Map<string, Entry>, t, label, label));
  }

  private edge(from: Entry, to: Entry): void {
    if (from.succ.has(to)) return;
    from.succ.add(to);
    to.pred.add(from);
    if (to.top) this.markTop(from);
    this.spread(from, to.reads, to.writes, to.adds);
  }

  relyOn(e: Entry): void {
    e.relied = this.pass;
  }

  /** Can an event with this footprint conflict with anything a thread may do from entry f? (Two adds commute.) */
  touches(fp: Footprint, f: Entry): boolean {
    const adds = fp.adds;
    for (const l of fp.writes) if (f.reads.has(l) || f.writes.has(l) || (f.adds.has(l) && (adds === undefined || !adds.has(l)))) return true;
    for (const l of fp.reads) if (f.writes.has(l) || f.adds.has(l)) return true;
    return false;
  }

  /** Does a's next event, as seen so far, touch a field b's future writes or adds to? (A hint for the search's order.) */
  nextMeets(a: Entry, b: Entry): boolean {
    // Asked at every node for most pairs of threads, whose entries rarely change: cached per pair.
    const m = (a.meets ??= new Map());
    const c = m.get(b);
    if (c !== undefined && c[0] === a.ver && c[1] === b.ver) return c[2];
    let r = false;
    for (const l of a.next) {
      if (b.writes.has(l) || b.adds.has(l) || ((a.writes.has(l) || a.adds.has(l)) && b.reads.has(l))) {
        r = true;
        break;
      }
    }
    if (c !== undefined) {
      c[0] = a.ver;
      c[1] = b.ver;
      c[2] = r;
    } else m.set(b, [a.ver, b.ver, r]);
    return r;
  }

  /**
   * At the end of a pass: why it is invalid if a future it relied on is not known in full (a thread
   * state whose event the pass never ran can follow), else null. Until then such a state is only an
   * open question: once its event runs, what it touched is checked like any other growth.
   */
  unsettled(): string | null {
    this.refreshTops();
    const e = this.all.find((x) => x.top && x.relied === this.pass);
    if (e === undefined) return null;
    this.tripped = true;
    return `${e.where}: the thread can go on to a state whose event the pass never ran`;
  }

  /** e and every entry before it can reach an unknown entry (kept eagerly, so a mark is never missing). */
  private markTop(e: Entry): void {
    if (e.top) return;
    e.top = true;
    this.topBack([e]);
  }

  /** Mark top every entry before one in `work` (they are top already). */
  private topBack(work: Entry[]): void {
    while (work.length > 0) {
      const x = work.pop() as Entry;
      for (const p of x.pred) {
        if (!p.top) {
          p.top = true;
          work.push(p);
        }
      }
    }
  }

  /** e is known and nothing after it is top: clear it, and then whatever before it that waited for it. */
  private tryClear(e: Entry): void {
    const work = [e];
    while (work.length > 0) {
      const x = work.pop() as Entry;
      if (!x.top || !x.known) continue;
      let open = false;
      for (const n of x.succ) if (n.top) open = true;
      if (open) continue;
      x.top = false;
      for (const p of x.pred) if (p.top) work.push(p);
    }
  }

  /**
   * top = an unknown entry can follow (least fixpoint: from the unknown entries back along pred; thread
   * states can loop, a fault retried). Recomputed now and then: in between, marks can only be stale the
   * safe way (top, where the future has become known around a loop, which tryClear cannot see).
   */
  private refreshTops(): void {
    this.learned = 0;
    const work: Entry[] = [];
    for (const e of this.all) {
      e.top = !e.known;
      if (e.top) work.push(e);
    }
    this.topBack(work);
  }

  /** Add these fields to e's future and to the futures of every entry before it. */
  private spread(e: Entry, reads: ReadonlySet<number>, writes: ReadonlySet<number>, adds: ReadonlySet<number>): void {
    // Most of what an event or a successor brings is known already: only the new goes on the worklist.
    let work: [Entry, number, Kind][] | null = null;
    for (const c of reads) if (!e.reads.has(c)) (work ??= []).push([e, c, READ]);
    for (const c of writes) if (!e.writes.has(c)) (work ??= []).push([e, c, WRITE]);
    for (const c of adds) if (!e.adds.has(c)) (work ??= []).push([e, c, ADD]);
    if (work === null) return;
    while (work.length > 0) {
      const [x, c, k] = work.pop() as [Entry, number, Kind];
      const set = k === READ ? x.reads : k === WRITE ? x.writes : x.adds;
      if (set.has(c)) continue;
      set.add(c);
      x.ver++;
      if (x.relied === this.pass) {
        this.tripped = true;
        const what = k === READ ? "read" : k === ADD ? "add to" : x.adds.has(c) ? "write (not only add to)" : "write";
        this.onInvalid(`${x.where}: the thread went on to ${what} ${this.nameOf(c)}, beyond what the search relied on`);
      }
      for (const p of x.pred) work.push([p, c, k]);
    }
  }
}

const READ = 0;
const WRITE = 1;
const ADD = 2;
type Kind = typeof READ | typeof WRITE | typeof ADD;
const NO_ADDS: ReadonlySet<number> = new Set();

/** The locations an event stored to (wrote other than by atomic adds). A Set, as spread's other arguments: a for-of that sees two kinds of iterable allocates per element. */
function storesOf(fp: Footprint): ReadonlySet<number> {
  const adds = fp.adds;
  if (adds === undefined) return fp.writes;
  const out = new Set<number>();
  for (const l of fp.writes) if (!adds.has(l)) out.add(l);
  return out;
}
