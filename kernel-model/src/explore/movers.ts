/**
 * Transactions for the DPOR search (Lipton's reduction): a thread's steps are grouped into atomic
 * events of the form R* N? L*, where R steps are right movers (lock acquisitions, accesses protected by
 * a lock held after the step), L steps are left movers (releases, accesses protected by a lock held
 * before it) and N is at most one other step (Lipton, CACM 1975; Flanagan and Qadeer, PLDI 2003). Every
 * interleaving is equivalent to one where each transaction runs without interruption, so the search
 * offers a choice only where a transaction starts: a walk under the anon_vma lock is one event instead
 * of five, and two migrators' walks on different pages commute as wholes.
 *
 * Which accesses are protected is not declared by the kernel paths: it is learned from the accesses
 * seen (who accessed each location, holding which locks; locksets after Eraser, Savage et al., TOCS
 * 1997) and relied upon optimistically. Every classification the search relies on is remembered; an
 * access seen later that contradicts one (a conflicting access not excluded by the locks relied upon)
 * invalidates the pass, and the search starts again with what it has learned (Stoller and Cohen,
 * "Optimistic synchronization-based state-space reduction", TACAS 2003). A pass that ends without
 * contradiction relied only on facts that held in every state it reached.
 *
 * Whether the next step will be a left mover must be known before it runs; that is predicted per
 * (thread, step label) from the previous passes and checked after the step (a wrong guess invalidates).
 *
 * Accesses a step makes to an object it created in the same step (a new vma, anon_vma, avc...) are not
 * conflicts: nobody could reach the object before the step, and whoever reaches it later does so
 * through a reference (a list, a pointer) whose write is recorded as usual.
 */
import type { State } from "../mm/types";
import type { Footprint } from "./footprint";

/** The locks a thread holds, as ids and as bit masks (exclusive, shared). */
export interface Held {
  ids: readonly string[];
  ex: number;
  sh: number;
}

/** One kind of access to a location: which thread, which locks it needed during the step, write or read. */
interface Access {
  t: number;
  ex: number;
  sh: number;
  w: boolean;
}

/** What one step turned out to be. */
export interface StepClass {
  right: boolean;
  left: boolean;
  t: number;
  data: number[];
  writes: ReadonlySet<number>;
  start: Held;
  end: Held;
}

const NONE: Held = { ids: [], ex: 0, sh: 0 };
const MAX_BITS = 30;

/** Does an access needing these locks conflict with a thread holding `h`? (Only two readers share.) */
function excluded(a: { ex: number; sh: number }, h: { ex: number; sh: number }): boolean {
  return (a.ex & (h.ex | h.sh)) !== 0 || (a.sh & h.ex) !== 0;
}

/** An access seen at one object of a family, with its locks by id (renamed for each sibling). */
interface General {
  t: number;
  w: boolean;
  ex: string[];
  sh: string[];
  /** The object's id token (`P0`). */
  token: string;
}

/** The accesses expected at every location of one template (`pages.P#.mapping`), and those locations. */
interface Family {
  locs: number[];
  general: General[];
}

/**
 * One step() answer: what it depended on besides the accesses seen (the thread, its locks before and
 * after, the locks taken inside, whether it waited, the data locations and which it wrote: `code`) and
 * the label (whose left-mover record it updated), with the count of accesses noted when it was given.
 */
interface Memo {
  label: string;
  code: number[];
  version: number;
  right: boolean;
  left: boolean;
}

/** Is some id of a missing from b? */
function someNotIn(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) if (!b.includes(a[i] as string)) return true;
  return false;
}

function codeHash(code: readonly number[], n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) {
    const x = code[i] as number;
    h = Math.imul(h ^ (x | 0), 0x01000193) ^ Math.floor(x / 0x100000000);
  }
  return h >>> 0;
}

/** Is a the first n entries of b? */
function sameCode(a: readonly number[], b: readonly number[], n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A location of an object of a collection (`pages.P0.mapping`): its family and the object's id token. */
interface Sibling {
  fam: Family;
  token: string;
}

/** Collections whose objects of one kind are accessed alike (see Movers.generalize). */
const ALIKE = new Set(["pages", "locks"]);

export class Movers {
  private readonly bits = new Map<string, number>();
  private readonly ids: string[] = [];
  /** Per location: its family and id token (null: none), once computed. */
  private readonly sib: (Sibling | null | undefined)[] = [];
  /** Per template: its locations, and the accesses seen on any of them (lock ids relative to the object). */
  private readonly family = new Map<string, Family>();
  /** Per location: how many of its family's general accesses it has been given. */
  private readonly applied: number[] = [];
  private readonly seen: (Access[] | undefined)[] = [];
  /** Accesses noted so far (bumped by each new one): a memo of step() from the same count still holds. */
  private version = 0;
  /** step()'s answers by the hash of what they depend on (see Memo). */
  private readonly memo = new Map<number, Memo[]>();
  private readonly scratch: number[] = [];
  /** The same accesses as keys, to tell a new one quickly (see noteOne). */
  private readonly seenKeys: (Map<number, Set<number>> | undefined)[] = [];
  private relied: (Access[] | undefined)[] = [];
  /** thread -> step label -> every instance seen so far was a left mover. */
  private readonly leftLive = new Map<string, Map<string, boolean>>();
  private leftPass = new Map<string, ReadonlyMap<string, boolean>>();
  /** Why the current pass is invalid (null: it is not). */
  invalid: string | null = null;
  /** Passes started again. */
  restarts = 0;

  constructor(
    /** The lock whose owner/readers field a location is, or null. */
    private readonly lockOfLoc: (loc: number) => string | null,
    private readonly unitOf: readonly number[],
    private readonly nameOf: (loc: number) => string,
  ) {}

  /** Start a pass: forget what it relied on, freeze the left-mover predictions. */
  newPass(): void {
    this.relied = [];
    this.invalid = null;
    this.leftPass = new Map([...this.leftLive].map(([t, m]) => [t, new Map(m)]));
  }

  held(s: State, t: string): Held {
    const th = s.threads[t];
    if (!th || th.held.length === 0) return NONE;
    let ex = 0;
    let sh = 0;
    for (const id of th.held) {
      const b = this.bit(id);
      if (b === 0) continue;
      if (s.locks[id]?.owner === t) ex |= b;
      else sh |= b;
    }
    return { ids: [...th.held], ex, sh };
  }

  private bit(id: string): number {
    let b = this.bits.get(id);
    if (b === undefined) {
      b = this.bits.size < MAX_BITS ? 1 << this.bits.size : 0; // beyond 30 locks: not used as protection
      if (b !== 0) this.ids[this.bits.size] = id;
      this.bits.set(id, b);
    }
    return b;
  }

  predictLeft(thread: string, label: string): boolean {
    return this.leftPass.get(thread)?.get(label) === true;
  }

  /**
   * Record and classify a step of thread `t` (index) that just ran. Lock fields are locations like any
   * other: an acquisition, a release or a wait needs the lock (it cannot run while another thread holds
   * it), while a peek (trylock, the I1 check of PG_locked) does not, so a peek conflicts with them.
   */
  step(t: number, thread: string, label: string, fp: Footprint, born: ReadonlySet<number>, start: Held, end: Held, waited: string | null): StepClass {
    const data: number[] = [];
    let inStep = waited === null ? 0 : this.bit(waited);
    const anyBorn = born.size > 0;
    for (const l of fp.reads) {
      inStep |= this.lockAccess(l, fp, start, end);
      if (!anyBorn || !born.has(this.unitOf[l] as number)) data.push(l);
    }
    for (const l of fp.writes) {
      if (fp.reads.has(l)) continue;
      inStep |= this.lockAccess(l, fp, start, end);
      if (!anyBorn || !born.has(this.unitOf[l] as number)) data.push(l);
    }
    // The same step as one classified since the last new access: the same answer (memo). The key is
    // built in a scratch array (a memo keeps a copy): most steps find their memo.
    const code = this.scratch; // the first n entries (no length store: a builtin call per step)
    const n = 7 + data.length;
    code[0] = t;
    code[1] = start.ex;
    code[2] = start.sh;
    code[3] = end.ex;
    code[4] = end.sh;
    code[5] = inStep;
    code[6] = waited === null ? 0 : 1;
    for (let i = 0; i < data.length; i++) {
      const l = data[i] as number;
      code[7 + i] = fp.writes.has(l) ? l * 2 + 1 : l * 2;
    }
    const cacheable = this.bits.size <= MAX_BITS; // else locks beyond the bits are told apart by id only
    let h = 0;
    let memo: Memo | undefined;
    if (cacheable) {
      h = codeHash(code, n);
      const list = this.memo.get(h);
      if (list !== undefined) {
        for (const m of list) {
          if (m.label === label && sameCode(m.code, code, n)) {
            if (m.version === this.version) return { right: m.right, left: m.left, t, data, writes: fp.writes, start, end };
            memo = m;
            break;
          }
        }
      }
    }
    const acquired = someNotIn(end.ids, start.ids);
    const released = someNotIn(start.ids, end.ids);
    const needEx = start.ex | end.ex | inStep;
    const needSh = (start.sh | end.sh) & ~needEx;
    let right = !released;
    let left = !acquired && waited === null;
    for (const l of data) {
      const w = fp.writes.has(l);
      this.note(l, t, needEx, needSh, w);
      if (!right && !left) continue;
      // Right: every other thread's conflicting access is excluded by the locks held after; left: before.
      const list = this.seen[l];
      if (list === undefined) continue;
      for (let i = 0; i < list.length; i++) {
        const a = list[i] as Access;
        if (a.t === t || !(a.w || w)) continue;
        if (right && !excluded(a, end)) right = false;
        if (left && !excluded(a, start)) left = false;
        if (!right && !left) break;
      }
    }
    let labels = this.leftLive.get(thread);
    if (labels === undefined) this.leftLive.set(thread, (labels = new Map()));
    if (labels.get(label) !== false) labels.set(label, left);
    if (cacheable) {
      if (memo === undefined) {
        memo = { label, code: code.slice(0, n), version: this.version, right, left };
        const list = this.memo.get(h);
        if (list === undefined) this.memo.set(h, [memo]);
        else list.push(memo);
      } else {
        memo.version = this.version;
        memo.right = right;
        memo.left = left;
      }
    }
    return { right, left, t, data, writes: fp.writes, start, end };
  }

  /** The bit of the lock whose field l is, if the step took and dropped it inside (else 0). A method, not a closure: step() runs for every step. */
  private lockAccess(l: number, fp: Footprint, start: Held, end: Held): number {
    const id = this.lockOfLoc(l);
    if (id !== null && !start.ids.includes(id) && !end.ids.includes(id) && this.lockWritten(fp, id)) return this.bit(id);
    return 0;
  }

  private lockWritten(fp: Footprint, id: string): boolean {
    for (const l of fp.writes) if (this.lockOfLoc(l) === id) return true;
    return false;
  }

  /** The search relies on c being a right (or left) mover: remember the locks that made it one. */
  rely(c: StepClass, as: "right" | "left"): void {
    const h = as === "right" ? c.end : c.start;
    for (const l of c.data) {
      const list = (this.relied[l] ??= []);
      const w = c.writes.has(l);
      let known = false;
      for (let i = 0; i < list.length && !known; i++) {
        const a = list[i] as Access;
        known = a.t === c.t && a.ex === h.ex && a.sh === h.sh && a.w === w;
      }
      if (!known) list.push({ t: c.t, ex: h.ex, sh: h.sh, w });
    }
  }

  invalidate(why: string): void {
    this.invalid ??= why;
  }

  private note(l: number, t: number, ex: number, sh: number, w: boolean): void {
    this.sync(l);
    if (!this.noteOne(l, t, ex, sh, w)) return;
    this.generalize(l, t, ex, sh, w);
  }

  /**
   * Objects of one kind in a collection (pages P0..P3, their PG_locked locks) are accessed alike: an access
   * one thread made to P0.mapping under PG_locked:P0 is expected at P1.mapping under PG_locked:P1 as well.
   * Noting it for every sibling up front only makes fewer steps movers (sound either way: every
   * classification relied upon is still checked), and spares a restart per sibling when an access happens
   * only in rare interleavings (a fault that meets page Pi's migration entry, once per page).
   */
  private generalize(l: number, t: number, ex: number, sh: number, w: boolean): void {
    const s = this.sibling(l);
    if (s === null) return;
    const fam = s.fam;
    fam.general.push({ t, w, ex: this.idsOf(ex), sh: this.idsOf(sh), token: s.token });
    for (const m of fam.locs) if (m !== l) this.sync(m);
  }

  /** Give location l the general accesses of its family it has not had yet. */
  private sync(l: number): void {
    const s = this.sibling(l);
    if (s === null) return;
    const fam = s.fam;
    const from = this.applied[l] ?? 0;
    if (from === fam.general.length) return;
    this.applied[l] = fam.general.length;
    for (let i = from; i < fam.general.length; i++) {
      const g = fam.general[i] as General;
      if (g.token !== s.token) this.noteOne(l, g.t, this.renamedBits(g.ex, g.token, s.token), this.renamedBits(g.sh, g.token, s.token), g.w);
    }
  }

  /** The bits of these locks of object `from`, renamed to object `to`. */
  private renamedBits(ids: readonly string[], from: string, to: string): number {
    let b = 0;
    for (const id of ids) b |= this.bit(renameToken(id, from, to));
    return b;
  }

  private idsOf(bits: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < MAX_BITS && bits !== 0; i++, bits >>>= 1) if ((bits & 1) !== 0) out.push(this.ids[i] as string);
    return out;
  }

  private sibling(l: number): Sibling | null {
    let s = this.sib[l];
    if (s !== undefined) return s;
    s = null;
    const parts = this.nameOf(l).split(".");
    const key = parts[1];
    const m = key === undefined ? null : /^(.*?)([A-Za-z]+)(\d+)$/.exec(key);
    if (m && ALIKE.has(parts[0] as string)) {
      const template = [parts[0], `${m[1]}${m[2]}#`, ...parts.slice(2)].join(".");
      let fam = this.family.get(template);
      if (fam === undefined) this.family.set(template, (fam = { locs: [], general: [] }));
      fam.locs.push(l);
      s = { fam, token: `${m[2]}${m[3]}` };
    }
    this.sib[l] = s;
    return s;
  }

  /** Record one access; false when it was known. */
  private noteOne(l: number, t: number, ex: number, sh: number, w: boolean): boolean {
    // Known accesses by exclusive locks, then (shared locks, thread, write) as one number: sh < 2^30.
    let byEx = this.seenKeys[l];
    if (byEx === undefined) this.seenKeys[l] = byEx = new Map();
    let keys = byEx.get(ex);
    if (keys === undefined) byEx.set(ex, (keys = new Set()));
    const k = (sh * 4096 + t) * 2 + (w ? 1 : 0);
    if (keys.has(k)) return false;
    keys.add(k);
    this.version++;
    const list = (this.seen[l] ??= []);
    const a: Access = { t, ex, sh, w };
    list.push(a);
    const r = this.relied[l];
    if (r !== undefined) {
      for (const x of r) {
        if (x.t !== a.t && (a.w || x.w) && !excluded(a, x)) this.invalidate(`${this.nameOf(l)}: an access by thread ${a.t} that the locks relied upon do not exclude`);
      }
    }
    return true;
  }
}

/** A lock id of object `from` renamed to object `to` (`PG_locked:P0` -> `PG_locked:P1`); others unchanged. */
function renameToken(id: string, from: string, to: string): string {
  return id.endsWith(from) && !/[A-Za-z0-9]/.test(id.charAt(id.length - from.length - 1)) ? id.slice(0, id.length - from.length) + to : id;
}
