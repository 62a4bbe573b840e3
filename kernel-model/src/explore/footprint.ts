/**
 * Footprints and fingerprints of steps, for the exhaustive explorer.
 *
 * The kernel paths read and write the state through `k.s`. During exploration `k.s` is a recording view
 * (a Proxy per object, made lazily) that notes, for the step being run, every location read and written
 * and (if asked) a hash of every value read. A location is a path in the state (`vmas.vma1.vm_start`),
 * interned to a number that is the same in every run of one exploration (the `Shape` tree below), so
 * footprints recorded in one run compare with steps of another (sleep sets need that). Arrays are one
 * location each: any access to an array or to anything inside it is an access to the array.
 *
 * Not recorded, because it is bookkeeping of the run rather than the machine: `counters`, and
 * `locks.*.waiters` (the scheduler fills it in between steps).
 *
 * The view writes through to the run's state; values stored through it are unwrapped first, so the state
 * itself never holds a proxy. State hashes are in statehash.ts.
 */
import type { UndoLog } from "../sim/undo";
import type { LockId, State } from "../mm/types";
import { pageOfPte, PTES_MAPPING } from "../check/mapping";
import type { Wait } from "../sim/kernel";
import { ATOMIC_ADD } from "../sim/atomic";
import { hashString } from "../sim/strhash";

export { hashString };

/** The paths of the state seen so far, as a tree; each node interns its children's locations. */
export class Shape {
  private readonly locs = new Map<PropertyKey, number>();
  private readonly kids = new Map<PropertyKey, Shape>();
  private keysLoc = -1;
  private mapsLocs: Map<string, number> | null = null;
  /** A page table (`mms.A.ptes`): its writes also write "the ptes that map page p" (check/mapping.ts). */
  readonly pteTable: boolean;

  constructor(
    readonly table: Locations,
    readonly path: string,
    readonly depth: number,
    /** For arrays and everything inside them: the one location they all are; -1 otherwise. */
    readonly collapse: number,
    /** The depth-2 unit (e.g. `vmas.vma1`) this node belongs to, -1 above depth 2. */
    readonly unit: number,
    /** For a pte of a page table (`mms.A.ptes.28`): the table. */
    readonly inTable: Shape | null = null,
  ) {
    this.pteTable = depth === 3 && collapse < 0 && path.startsWith("mms.") && path.endsWith(".ptes");
  }

  loc(key: PropertyKey): number {
    if (this.collapse >= 0) return this.collapse;
    let l = this.locs.get(key);
    if (l === undefined) {
      l = this.table.add(this.path === "" ? String(key) : `${this.path}.${String(key)}`, this.unitOfChild(key));
      this.locs.set(key, l);
    }
    return l;
  }

  /** The location standing for the set of keys (written when a key is added or deleted). */
  keys(): number {
    if (this.collapse >= 0) return this.collapse;
    if (this.keysLoc < 0) this.keysLoc = this.table.add(`${this.path}.#keys`, this.unit >= 0 ? this.unit : this.depth === 1 ? this.table.rescanUnit(this.path) : -1);
    return this.keysLoc;
  }

  /** The location "the ptes of this page table that map page p" (a pte table only). */
  maps(p: string): number {
    this.mapsLocs ??= new Map();
    let l = this.mapsLocs.get(p);
    if (l === undefined) {
      l = this.table.add(`${this.path}[maps ${p}]`, this.unit);
      this.mapsLocs.set(p, l);
    }
    return l;
  }

  kid(key: PropertyKey, isArray: boolean): Shape {
    let k = this.kids.get(key);
    if (k === undefined || (k.collapse >= 0) !== (isArray || this.collapse >= 0)) {
      const path = this.path === "" ? String(key) : `${this.path}.${String(key)}`;
      const collapse = this.collapse >= 0 ? this.collapse : isArray ? this.loc(key) : -1;
      const unit = this.depth === 0 && !isArray ? -1 : this.unitOfChild(key);
      k = new Shape(this.table, path, this.depth + 1, collapse, unit, this.pteTable && collapse < 0 ? this : null);
      this.kids.set(key, k);
    }
    return k;
  }

  private unitOfChild(key: PropertyKey): number {
    if (this.unit >= 0) return this.unit;
    // A depth-1 key is a unit of its own when it holds an array (violations); for a container (vmas...)
    // the hasher re-hashes every child if it is ever replaced.
    if (this.depth === 0) return this.table.unit([String(key)]);
    if (this.depth === 1) return this.table.unit([this.path, String(key)]);
    return -1;
  }
}

/** Interned location paths and state units, shared by all runs of one exploration. */
export class Locations {
  /** names[loc] is the path of location loc. */
  readonly names: string[] = [];
  /** unitOf[loc]: the unit a write to loc dirties (-1: none). */
  readonly unitOf: number[] = [];
  /** units[u]: the path of unit u (one or two keys; a "#rescan" unit re-reads a depth-1 object's keys). */
  readonly units: string[][] = [];
  /** unitHash[u]: the hash of unit u's path. */
  readonly unitHash: number[] = [];
  private readonly unitIds = new Map<string, number>();
  readonly root = new Shape(this, "", 0, -1, -1);

  add(path: string, unit: number): number {
    this.names.push(path);
    this.unitOf.push(unit);
    return this.names.length - 1;
  }

  unit(path: string[]): number {
    const key = path.join("\u0000");
    let u = this.unitIds.get(key);
    if (u === undefined) {
      u = this.units.length;
      this.units.push(path);
      this.unitHash.push(hashString(key));
      this.unitIds.set(key, u);
    }
    return u;
  }

  rescanUnit(top: string): number {
    return this.unit([top, "#rescan"]);
  }

  /** The location of a lock's field (for wait conditions). */
  lockField(id: LockId, field: "owner" | "readers"): number {
    return this.root.kid("locks", false).kid(id, false).loc(field);
  }
}

/** What one step read and wrote. */
export interface Footprint {
  readonly reads: ReadonlySet<number>;
  readonly writes: ReadonlySet<number>;
  /** The step ended the run (a fatal violation: the kernel BUG()s), so nothing can run after it. */
  halts?: boolean;
  /**
   * Written locations whose every write here was an atomic add (sim/atomic.ts) and which were not read:
   * two such adds to one location commute. They are in `writes` too, so a user of footprints that does
   * not know adds sees writes (conservative).
   */
  readonly adds?: ReadonlySet<number>;
}

/**
 * Two steps are dependent when one writes a location the other reads or writes (unless both only add to
 * it: adds commute), or when one of them ends the run (a BUG() is dependent with everything: the other
 * step does not happen after it).
 */
export function dependent(a: Footprint, b: Footprint): boolean {
  if (a.halts === true || b.halts === true) return true;
  for (const w of a.writes) if (b.reads.has(w) || (b.writes.has(w) && !bothAdd(a, b, w))) return true;
  for (const w of b.writes) if (a.reads.has(w)) return true;
  return false;
}

function bothAdd(a: Footprint, b: Footprint, l: number): boolean {
  return a.adds !== undefined && b.adds !== undefined && a.adds.has(l) && b.adds.has(l);
}

const FNV = 0x811c9dc5;
/** One round of a 32-bit mix. */
export function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x5bd1e995);
  h ^= h >>> 15;
  return h | 0;
}
export function hashPrimitive(v: unknown): number {
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff ? mix(0x1234567, v) : hashString(`n${v}`);
    case "string":
      return hashString(v);
    case "boolean":
      return v ? 0x2a2a2a2a : 0x15151515;
    case "undefined":
      return 0x0badf00d;
    case "function":
      return 0x7f7f7f7f;
    default:
      return v === null ? 0x0f0f0f0f : 0x3c3c3c3c; // null, or an object (its contents are read through the view)
  }
}

const RAW = Symbol("raw");
type Obj = Record<PropertyKey, unknown>;

/**
 * A field written in an event: the first value it replaced (`had`: the field existed) and where it is,
 * target[key] or, for a field of an object that was replaced whole (a pte), field `field` of target[key].
 * Data rather than a closure: a closure in the view's set trap would allocate on every store.
 */
interface Snap {
  target: Obj;
  key: PropertyKey;
  field: string | null;
  old: unknown;
  had: boolean;
}

/** What a Recorder notes: nothing, locations, or locations and the values read. */
export type RecordMode = "off" | "footprint" | "values";

/**
 * The recording view of one run's state. Make one per run (`view()` on the run's fresh state); read the
 * accumulated footprint with `take()` after each step.
 */
export class Recorder {
  private reads = new Set<number>();
  private writes = new Set<number>();
  /** Locations atomically added to since the last take() (see Footprint.adds). */
  private adds = new Set<number>();
  /** Hash of the values read since the last take() (mode "values"). */
  private valueHash = FNV;
  private born = new Set<number>();
  /** Per location written in the event: the first value replaced and how to read it now (null: not comparable). */
  private readonly snaps = new Map<number, Snap | null>();
  mode: RecordMode = "footprint";
  /** Where every write through the view is noted before it is made, whatever the mode (null: nowhere). */
  undo: UndoLog | null = null;

  constructor(readonly locs: Locations) {}

  /**
   * Views end with their step: each step gets a view of its own, and any later use of an object reached
   * through an older one is reported (onStale). A kernel path that kept an object of the state across a
   * yield then fails loudly, instead of reading and writing past the recorder in a later step (which the
   * explorer's replay on the plain state relies on: see exhaustive.ts). For tests; slow.
   */
  revoking = false;
  /** Views made in step `epoch` are current (revoking mode). */
  epoch = 0;
  /** A stale view was used (revoking mode): `path` is the object's place in the state. Default: throw. */
  onStale: (path: string) => void = (path) => {
    throw new Error(`a kernel path used ${path || "the state"} from an earlier step: fetch it again after the yield`);
  };
  private root: { s: State; view: State } | null = null;

  /** The view of `s` the kernel paths should see in the next step. */
  view(s: State): State {
    if (this.revoking) {
      this.epoch++;
      return new NodeHandler(this, this.locs.root, ROOT_SKIP).wrap(s as unknown as Obj) as unknown as State;
    }
    if (this.root === null || this.root.s !== s) this.root = { s, view: new NodeHandler(this, this.locs.root, ROOT_SKIP).wrap(s as unknown as Obj) as unknown as State };
    return this.root.view;
  }

  /** Record that the step reads what its wait condition reads (its enabledness depends on it). */
  noteWait(wait: Wait | undefined): void {
    if (!wait || this.mode === "off") return;
    if ("pageUnlocked" in wait) this.reads.add(this.locs.lockField(wait.pageUnlocked, "owner"));
    else {
      this.reads.add(this.locs.lockField(wait.lock, "owner"));
      if (wait.mode !== "read") this.reads.add(this.locs.lockField(wait.lock, "readers"));
    }
  }

  /** The footprint and value hash of everything since the last call, and the units created meanwhile. */
  take(): { footprint: Footprint; valueHash: number; born: ReadonlySet<number> } {
    let footprint: Footprint = { reads: this.reads, writes: this.writes };
    if (this.adds.size > 0) {
      // Pure adds: neither read nor otherwise written in the step.
      const adds = new Set<number>();
      for (const l of this.adds) {
        if (!this.writes.has(l) && !this.reads.has(l)) adds.add(l);
        this.writes.add(l);
      }
      footprint = adds.size > 0 ? { reads: this.reads, writes: this.writes, adds } : footprint;
      this.adds.clear();
    }
    const out = { footprint, valueHash: this.valueHash, born: this.born };
    this.reads = new Set();
    this.writes = new Set();
    this.valueHash = FNV;
    if (this.born.size > 0) this.born = new Set();
    return out;
  }

  /** Start an event: writes from here on are compared with the values they replace (see unchanged). */
  eventStart(): void {
    this.snaps.clear();
  }

  /**
   * The locations written since eventStart whose value is back to what it was (a lock taken and
   * dropped, a flag set and cleared): for the other threads the event only read them.
   */
  unchanged(): number[] {
    const out: number[] = [];
    for (const [l, sn] of this.snaps) {
      if (sn === null) continue;
      let had: boolean;
      let v: unknown;
      if (sn.field === null) {
        had = hasOwn(sn.target, sn.key);
        v = sn.target[sn.key];
      } else {
        const o = sn.target[sn.key];
        had = isRecord(o) && hasOwn(o, sn.field);
        v = isRecord(o) ? o[sn.field] : undefined;
      }
      if (had === sn.had && v === sn.old) out.push(l);
    }
    return out;
  }

  /** Start another run on the same state (its views stay: the objects are the same ones, see sim/undo.ts). */
  newRun(): void {
    this.discard();
    this.snaps.clear();
    this.mode = "footprint";
  }

  /** Forget what was recorded (e.g. the code a thread runs before its first step). */
  discard(): void {
    this.reads.clear();
    this.writes.clear();
    this.adds.clear();
    this.valueHash = FNV;
    this.born.clear();
  }

  read(loc: number, value: unknown): void {
    this.reads.add(loc);
    if (this.mode === "values") this.valueHash = mix(mix(this.valueHash, loc), hashPrimitive(value));
  }
  readKeys(loc: number, keys: readonly PropertyKey[]): void {
    this.reads.add(loc);
    if (this.mode !== "values") return;
    let h = mix(this.valueHash, loc);
    for (const k of keys) if (typeof k === "string") h = mix(h, hashString(k));
    this.valueHash = h;
  }
  write(loc: number): void {
    this.writes.add(loc);
    this.snaps.set(loc, null);
  }
  /**
   * A store to a field: remember the first value it replaces in this event (`had`: the field existed),
   * and how to read the field now, so that unchanged() can tell whether it is back to that value.
   */
  writeValue(loc: number, old: unknown, had: boolean, target: Obj, key: PropertyKey, field: string | null): void {
    this.writes.add(loc);
    if (!this.snaps.has(loc)) this.snaps.set(loc, old === null || typeof old !== "object" ? { target, key, field, old, had } : null);
  }
  /** An atomic add to a field (see Footprint.adds), with what writeValue remembers. */
  addValue(loc: number, old: unknown, target: Obj, field: string): void {
    this.adds.add(loc);
    if (!this.snaps.has(loc)) this.snaps.set(loc, { target, key: field, field: null, old, had: true });
  }
  /** A new key in a top-level container (vmas, locks...): the unit was created by this step. */
  bornUnit(unit: number): void {
    if (unit >= 0) this.born.add(unit);
  }
}

function hasOwn(o: object, k: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}
function isRecord(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Keys passed through unrecorded: at the root, and in each lock. */
const ROOT_SKIP = new Set(["counters"]);
const LOCK_SKIP = new Set(["waiters"]);

/** A view's raw object; a literal being stored has any views inside it replaced by their raw objects. */
function unwrap(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  const raw = (v as { [RAW]?: unknown })[RAW];
  if (raw !== undefined) return raw;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && typeof x === "object") v[i] = unwrap(x);
    }
  } else {
    for (const key of Object.keys(v)) {
      const x = (v as Obj)[key];
      if (x !== null && typeof x === "object") (v as Obj)[key] = unwrap(x);
    }
  }
  return v;
}

/** Revoking mode: a handler that reports any use after its step, then does what the node's handler does. */
class StaleCheck implements ProxyHandler<Obj> {
  constructor(
    private readonly h: NodeHandler,
    private readonly epoch: number,
  ) {}
  private check(): NodeHandler {
    if (this.epoch !== this.h.rec.epoch) this.h.rec.onStale(this.h.shape.path);
    return this.h;
  }
  get(t: Obj, k: PropertyKey): unknown {
    return this.check().get(t, k);
  }
  set(t: Obj, k: PropertyKey, v: unknown): boolean {
    return this.check().set(t, k, v);
  }
  has(t: Obj, k: PropertyKey): boolean {
    return this.check().has(t, k);
  }
  deleteProperty(t: Obj, k: PropertyKey): boolean {
    return this.check().deleteProperty(t, k);
  }
  defineProperty(t: Obj, k: PropertyKey, d: PropertyDescriptor): boolean {
    return this.check().defineProperty(t, k, d);
  }
  ownKeys(t: Obj): ArrayLike<string | symbol> {
    return this.check().ownKeys(t);
  }
  getOwnPropertyDescriptor(t: Obj, k: PropertyKey): PropertyDescriptor | undefined {
    return this.check().getOwnPropertyDescriptor(t, k);
  }
}

const MUTATORS = new Set(["push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin"]);

/** The proxy handler of one object reached at one path. */
class NodeHandler implements ProxyHandler<Obj> {
  /** Views of the children reached so far (made on the first: most objects a step reads are leaves). */
  private kids: Map<PropertyKey, { raw: object; view: object }> | null = null;
  private methods: Map<PropertyKey, (...a: unknown[]) => unknown> | undefined;
  /** The root or `threads`: its object children are fixed (see fixedContainer). */
  private readonly fixedKids: boolean;

  constructor(
    readonly rec: Recorder,
    readonly shape: Shape,
    private readonly skip: ReadonlySet<string> | null,
  ) {
    this.fixedKids = shape.depth === 0 || (shape.depth === 1 && shape.path === "threads");
  }

  wrap(target: Obj): Obj {
    if (this.rec.revoking) return new Proxy(target, new StaleCheck(this, this.rec.epoch));
    return new Proxy(target, this);
  }

  private child(key: PropertyKey, raw: object): object {
    const k = this.kids?.get(key);
    if (k !== undefined && k.raw === raw) return k.view;
    const shape = this.shape.kid(key, Array.isArray(raw));
    const skip = this.shape.depth === 1 && this.shape.path === "locks" ? LOCK_SKIP : null;
    const view = new NodeHandler(this.rec, shape, skip).wrap(raw as Obj);
    (this.kids ??= new Map()).set(key, { raw, view });
    return view;
  }

  get(target: Obj, key: PropertyKey): unknown {
    const v = target[key];
    if (typeof v === "function" && Array.isArray(target)) return this.arrayMethod(target, key, v as (...a: unknown[]) => unknown);
    if (typeof key === "symbol") return this.symbol(target, key, v);
    if (this.skip !== null && this.skip.has(key as string)) return v;
    const rec = this.rec;
    if (v !== null && typeof v === "object") {
      // A top-level container (vmas, locks, ...) or a thread's record is never replaced (see
      // fixedContainer): reading it cannot conflict with anything, and is a quarter of all reads.
      if (rec.mode !== "off" && !(this.fixedKids && !Array.isArray(v))) rec.read(this.shape.loc(key), v);
      return this.child(key, v);
    }
    if (rec.mode !== "off") rec.read(this.shape.loc(key), v);
    return v;
  }

  /**
   * The state's top-level objects (vmas, locks, pages...) are made with it and never replaced or deleted
   * (their keys are, and those are recorded), and so are the threads' records (the scheduler makes them):
   * get does not record reading them. A kernel path that replaced one would change what other threads
   * read unseen, so it is a model error.
   */
  private fixedContainer(target: Obj, key: PropertyKey): void {
    if (!this.fixedKids || typeof key === "symbol") return;
    if (this.shape.depth === 1) throw new Error(`model error: a kernel path changed the threads' records (${String(key)}); the scheduler owns them`);
    const v = target[key];
    if (v !== null && typeof v === "object" && !Array.isArray(v)) throw new Error(`model error: a kernel path replaced or deleted the state's ${String(key)}; the explorer takes the top-level containers as fixed`);
  }

  /**
   * The view's own symbols. Apart from get, which runs for every access through the view: a closure
   * over get's arguments would make every call of get allocate their context.
   */
  private symbol(target: Obj, key: symbol, v: unknown): unknown {
    if (key === PTES_MAPPING && this.shape.pteTable) return (p: string, from: number, to: number) => this.ptesMapping(target, p, from, to);
    if (key === ATOMIC_ADD) return (field: string, delta: number) => this.atomicAdd(target, field, delta);
    return key === RAW ? target : v;
  }

  /** check/mapping.ts's question, recorded as a read of its answer only; the ptes come back as views. */
  private ptesMapping(target: Obj, p: string, from: number, to: number): [number, unknown][] {
    const recording = this.rec.mode !== "off";
    const all: number[] = [];
    const out: [number, unknown][] = [];
    for (const key in target) {
      const pte = target[key];
      if (pageOfPte(pte) !== p) continue;
      const a = Number(key);
      if (recording) all.push(a);
      if (a >= from && a < to) out.push([a, this.child(key, pte as object)]);
    }
    // The read is of the whole answer (what a range leaves out may come into it), so a store that changes
    // which ptes map p anywhere in the table conflicts with it.
    if (recording) this.rec.read(this.shape.maps(p), all.join(","));
    return out;
  }

  /** A pte of this table (or of the table `t`) changes from `old` to `now`: which pages' pte sets change. */
  private remap(t: Shape, old: unknown, now: unknown): void {
    const a = pageOfPte(old);
    const b = pageOfPte(now);
    if (a === b) return;
    if (a !== undefined) this.rec.write(t.maps(a));
    if (b !== undefined) this.rec.write(t.maps(b));
  }

  /**
   * An array's methods run on the raw array, recorded once as a read (and a write, for the methods that
   * change it) of the array's one location, instead of a trap per element. The arrays of the state hold
   * ids and strings (violations hold objects that nothing mutates), so nothing mutable leaks.
   */
  private arrayMethod(target: unknown[], key: PropertyKey, fn: (...a: unknown[]) => unknown): unknown {
    let m = this.methods?.get(key);
    if (m === undefined) {
      const rec = this.rec;
      const loc = this.shape.collapse;
      const mutates = typeof key === "string" && MUTATORS.has(key);
      m = (...args: unknown[]) => {
        if (rec.mode !== "off") {
          rec.read(loc, target.length);
          if (mutates) rec.write(loc);
        }
        if (mutates) rec.undo?.array(target);
        return fn.apply(target, mutates ? args.map(unwrap) : args);
      };
      (this.methods ??= new Map()).set(key, m);
    }
    return m;
  }

  set(target: Obj, key: PropertyKey, value: unknown): boolean {
    this.fixedContainer(target, key);
    const raw = unwrap(value);
    if (typeof key !== "symbol" && this.rec.mode !== "off" && !(this.skip !== null && this.skip.has(key as string))) {
      const loc = this.shape.loc(key);
      const had = hasOwn(target, key);
      const old = target[key];
      if (this.shape.pteTable) this.remap(this.shape, old, raw);
      else if (this.shape.inTable !== null && key === "page") this.remap(this.shape.inTable, target, { ...target, page: raw });
      if (this.shape.collapse >= 0) this.rec.write(loc);
      else if (had && isRecord(old) && isRecord(raw)) {
        // An object replaced by another (a pte, a vma's flags: values, never changed in place): what
        // changed is the fields that differ, so a reader of the others does not conflict with it.
        const kid = this.shape.kid(key, false);
        for (const f of new Set([...Object.keys(old), ...Object.keys(raw)])) {
          const was = hasOwn(old, f);
          if (old[f] === raw[f] && was === hasOwn(raw, f)) continue;
          if (kid.pteTable) this.remap(kid, old[f], raw[f]);
          this.rec.writeValue(kid.loc(f), old[f], was, target, key, f);
          if (was !== hasOwn(raw, f)) this.rec.write(kid.keys());
        }
      } else this.rec.writeValue(loc, old, had, target, key, null);
      if (!had) {
        this.rec.write(this.shape.keys());
        // A new object under vmas, locks, anon_vmas...: nobody else can have reached it yet.
        if (this.shape.depth === 1 && this.shape.collapse < 0 && raw !== null && typeof raw === "object") this.rec.bornUnit(this.shape.table.unitOf[loc] as number);
      }
    }
    this.noteUndo(target, key);
    target[key] = raw;
    return true;
  }

  /** sim/atomic.ts: a field of a plain object (not in an array, not skipped) gets an add; else a store. */
  private atomicAdd(target: Obj, field: string, delta: number): void {
    const now = (target[field] as number) + delta;
    if (this.shape.collapse >= 0 || (this.skip !== null && this.skip.has(field)) || !hasOwn(target, field)) {
      this.set(target, field, now);
      return;
    }
    if (this.rec.mode !== "off") this.rec.addValue(this.shape.loc(field), target[field], target, field);
    this.noteUndo(target, field);
    target[field] = now;
  }

  deleteProperty(target: Obj, key: PropertyKey): boolean {
    this.fixedContainer(target, key);
    if (typeof key !== "symbol" && this.rec.mode !== "off") {
      if (this.shape.pteTable) this.remap(this.shape, target[key], undefined);
      else if (this.shape.inTable !== null && key === "page") this.remap(this.shape.inTable, target, undefined);
      this.rec.write(this.shape.loc(key));
      this.rec.write(this.shape.keys());
    }
    this.noteUndo(target, null);
    return delete target[key];
  }

  defineProperty(target: Obj, key: PropertyKey, d: PropertyDescriptor): boolean {
    this.fixedContainer(target, key);
    if (typeof key !== "symbol" && this.rec.mode !== "off") {
      // Conservative: any page the pte or the field may refer to, before or after.
      if (this.shape.pteTable) this.remap(this.shape, target[key], "value" in d ? d.value : undefined);
      else if (this.shape.inTable !== null && key === "page") this.remap(this.shape.inTable, target, { page: d.value });
      this.rec.write(this.shape.loc(key));
      if (!Object.prototype.hasOwnProperty.call(target, key)) this.rec.write(this.shape.keys());
    }
    this.noteUndo(target, null);
    return Reflect.defineProperty(target, key, "value" in d ? { ...d, value: unwrap(d.value) } : d);
  }

  /**
   * Undo log, before a write: a store keeps the field (key), a delete or define the whole object (null:
   * either may reorder keys); an array is always kept whole.
   */
  private noteUndo(target: Obj, key: PropertyKey | null): void {
    const undo = this.rec.undo;
    if (undo === null) return;
    if (Array.isArray(target)) undo.array(target);
    else if (key !== null) undo.field(target, key);
    else undo.object(target);
  }

  has(target: Obj, key: PropertyKey): boolean {
    const r = key in target;
    if (typeof key !== "symbol" && this.rec.mode !== "off") this.rec.read(this.shape.loc(key), r);
    return r;
  }

  ownKeys(target: Obj): ArrayLike<string | symbol> {
    const keys = Reflect.ownKeys(target);
    if (this.rec.mode !== "off") this.rec.readKeys(this.shape.keys(), keys);
    return keys;
  }

  getOwnPropertyDescriptor(target: Obj, key: PropertyKey): PropertyDescriptor | undefined {
    const d = Reflect.getOwnPropertyDescriptor(target, key);
    if (typeof key !== "symbol" && this.rec.mode !== "off" && !(this.skip !== null && this.skip.has(key as string))) this.rec.read(this.shape.loc(key), d === undefined);
    return d;
  }
}
