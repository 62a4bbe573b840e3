/**
 * The runtime of resumable kernel paths (build/resumable.js compiles each kernel-path generator into a
 * Machine): a thread whose position and locals are plain data, so that it can be copied in the middle
 * of a run. The explorer uses copies to go back to a node of its search without replaying the run
 * from the initial state.
 */
import { KernelContext } from "./kernel";
import { hashString } from "./strhash";

/** The frame of a machine: its resume point and its variables. */
export interface MachineFrame {
  $pc: number;
  /** The callee of the yield* in progress. */
  $c?: Iterator<unknown, unknown, undefined>;
  [name: string]: unknown;
}

type Body = (f: MachineFrame) => IteratorResult<unknown, unknown>;

const DONE: IteratorResult<never, undefined> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never, undefined>;

/** A compiled kernel path: an iterator like the generator it was compiled from. */
export class Machine implements Iterator<unknown, unknown, undefined> {
  constructor(
    /** The kernel function's name (for messages). */
    readonly name: string,
    readonly body: Body,
    readonly f: MachineFrame,
    /** Per resume point ($pc), the frame fields read later (build/resumable.js: liveness). */
    readonly live: readonly (readonly string[])[],
    /** A copy of a frame of this function (its fields in order: one shape); absent: a spread. */
    readonly clone?: (f: MachineFrame) => MachineFrame,
  ) {}

  /** hashThread's pass that last hashed this machine (cheaper than a Set of those seen). */
  hashed = 0;

  next(): IteratorResult<unknown, unknown> {
    if (this.f.$pc < 0) return DONE;
    try {
      return this.body(this.f);
    } catch (e) {
      this.f.$pc = -1; // a generator that threw is finished
      throw e;
    }
  }

  return(value?: unknown): IteratorResult<unknown, unknown> {
    this.f.$pc = -1;
    return { value, done: true };
  }

  throw(e: unknown): IteratorResult<unknown, unknown> {
    this.f.$pc = -1;
    throw e;
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** What yield* iterates: a machine as it is, anything else through its iterator. */
export function iter(x: Iterable<unknown>): Iterator<unknown, unknown, undefined> {
  return x instanceof Machine ? x : (x[Symbol.iterator]() as Iterator<unknown, unknown, undefined>);
}

/** A for-of with a yield in its body iterates an array by index (its position must be data). */
export function array<T>(x: Iterable<T>): readonly T[] {
  if (!Array.isArray(x)) throw new Error("a kernel path iterates something other than an array across a yield (build/resumable.js)");
  return x;
}

/** A closure over frame variables, called with the frame it was made in (so that a copy gets the copy's). */
export interface Bound {
  (...args: unknown[]): unknown;
  readonly $bf: MachineFrame;
  readonly $fn: (f: MachineFrame, ...args: unknown[]) => unknown;
}

export function bind(f: MachineFrame, fn: (f: MachineFrame, ...args: unknown[]) => unknown): Bound {
  const g = ((...args: unknown[]) => fn(f, ...args)) as Bound;
  (g as { $bf: MachineFrame }).$bf = f;
  (g as { $fn: typeof fn }).$fn = fn;
  return g;
}

/** Thrown when a thread holds something that cannot be copied (a native generator, a class instance). */
export class NotCopyable extends Error {}

/**
 * Copy a thread (its machines, their frames, the objects and closures they hold) as one graph: what two
 * frames share stays shared in the copy. A kernel context becomes `context` (the run the copy goes on
 * in; without one it stays). Functions that are not bound closures are module-level functions and stay
 * shared. Plain objects and arrays are copied; anything else (a native generator, a Set, a class
 * instance) is NotCopyable, as it is for hashThread.
 */
export class Copier {
  /** Originals and their copies, side by side: a thread is a few dozen objects, and a Map keyed by fresh objects hashes each. */
  private readonly from: object[] = [];
  private readonly to: unknown[] = [];

  /** Beyond 32 objects, a Map as well (a thread holding a long list of objects). */
  private big: Map<object, unknown> | null = null;

  private seen(o: object): unknown {
    if (this.big !== null) return this.big.get(o);
    const from = this.from;
    for (let i = from.length - 1; i >= 0; i--) if (from[i] === o) return this.to[i];
    return undefined;
  }

  private remember(o: object, c: unknown): void {
    if (this.big !== null) {
      this.big.set(o, c);
      return;
    }
    this.from.push(o);
    this.to.push(c);
    if (this.from.length > 32) this.big = new Map(this.from.map((x, i) => [x, this.to[i]]));
  }

  constructor(private readonly context?: KernelContext) {}

  copy<T>(x: T): T {
    if (x === null || (typeof x !== "object" && typeof x !== "function")) return x;
    const o = x as unknown as object;
    if (o instanceof KernelContext) return (this.context ?? o) as T;
    const seen = this.seen(o);
    if (seen !== undefined) return seen as T;
    if (typeof x === "function") {
      const b = x as unknown as Bound;
      if (b.$fn === undefined) return x;
      const c = bind(this.copy(b.$bf), b.$fn);
      this.remember(o, c);
      return c as unknown as T;
    }
    if (x instanceof Machine) {
      // Same fields in the same order (one shape per function); only the live ones are copied, dead
      // ones keep what they held (never read again: maybe an object of an earlier step's state view).
      // A closure bound to this frame may have been reached first (then its copy of the frame is used).
      const src = x.f;
      let f = this.seen(src) as MachineFrame | undefined;
      if (f === undefined) {
        f = x.clone !== undefined ? x.clone(src) : { ...src };
        this.remember(src, f);
      }
      const m = new Machine(x.name, x.body, f, x.live, x.clone);
      this.remember(o, m);
      const live = x.live[src.$pc];
      if (live !== undefined) {
        for (let i = 0; i < live.length; i++) {
          const k = live[i] as string;
          const v = src[k];
          if (v !== null && (typeof v === "object" || typeof v === "function")) f[k] = this.copy(v);
        }
      }
      return m as unknown as T;
    }
    if (Array.isArray(x)) {
      const a: unknown[] = x.slice();
      this.remember(o, a);
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (v !== null && (typeof v === "object" || typeof v === "function")) a[i] = this.copy(v);
      }
      return a as unknown as T;
    }
    const proto = Object.getPrototypeOf(o);
    if (proto === Object.prototype || proto === null) {
      const c: Record<string, unknown> = proto === null ? Object.create(null) : {};
      this.remember(o, c);
      for (const k in o) {
        const v = (o as Record<string, unknown>)[k];
        c[k] = v !== null && (typeof v === "object" || typeof v === "function") ? this.copy(v) : v;
      }
      return c as T;
    }
    throw new NotCopyable(foreign(o));
  }
}

/**
 * A hash of a thread's position and live variables (machine by machine down its yield* chain): two
 * threads with equal hashes go on alike from equal states. Kernel contexts are not hashed; `extra` is
 * (the thread's pending step). Throws NotCopyable for a native generator or a foreign object.
 */
export function hashThread(gen: unknown, extra = ""): number {
  hSeenN = 0;
  hPass = (hPass + 1) | 0 || 1;
  h = 0x811c9dc5;
  hashStr(extra);
  hashValue(gen);
  return h >>> 0;
}

// The hash in progress (module state rather than closures: hashing runs at every node of a search).
let h = 0;
/** The objects (not machines) hashed in this pass: a few per thread, so a list beats a Set. */
const hSeen: object[] = [];
let hSeenN = 0; // hSeen's entries in this pass (no length store per hash)
let hPass = 0;

function mixIn(x: number): void {
  h = Math.imul(h ^ x, 0x01000193);
}

/** A string, mixed in as its (cached) hash: the same few names and labels come back at every node. */
function hashStr(s: string): void {
  mixIn(hashString(s));
  h = Math.imul(h ^ 0xff, 0x01000193);
}

function hashValue(x: unknown): void {
  switch (typeof x) {
    case "number":
      if ((x | 0) === x) {
        mixIn(1);
        mixIn(x);
      } else {
        mixIn(2);
        hashStr(String(x));
      }
      return;
    case "string":
      mixIn(3);
      return hashStr(x);
    case "boolean":
      return mixIn(x ? 4 : 5);
    case "undefined":
      return mixIn(6);
    case "function":
      mixIn(7);
      return hashStr(((x as Partial<Bound>).$fn ?? (x as () => void)).name);
    case "object":
      break;
    default:
      throw new NotCopyable(`a thread holds a ${typeof x}`);
  }
  if (x === null) return mixIn(8);
  if (x instanceof KernelContext) return mixIn(9);
  if (x instanceof Machine) {
    if (x.hashed === hPass) return mixIn(10);
    x.hashed = hPass;
    mixIn(11);
    hashStr(x.name);
    const pc = x.f.$pc;
    mixIn(pc);
    const live = x.live[pc];
    if (live !== undefined) for (let i = 0; i < live.length; i++) hashValue(x.f[live[i] as string]);
    return;
  }
  for (let i = 0; i < hSeenN; i++) if (hSeen[i] === x) return mixIn(10);
  hSeen[hSeenN++] = x;
  if (Array.isArray(x)) {
    mixIn(12);
    mixIn(x.length);
    for (let i = 0; i < x.length; i++) hashValue(x[i]);
    return;
  }
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) throw new NotCopyable(foreign(x));
  mixIn(13);
  for (const k in x as Record<string, unknown>) {
    hashStr(k);
    hashValue((x as Record<string, unknown>)[k]);
  }
}

function foreign(x: object): string {
  const proto = Object.getPrototypeOf(x);
  return Object.prototype.toString.call(x) === "[object Generator]"
    ? "a thread holds a native generator (a kernel path not compiled by build/resumable.js); it cannot be copied"
    : `a thread holds a ${proto?.constructor?.name || "foreign"} object; it cannot be copied`;
}
