/**
 * State hashes: the whole-state hash (hashState) and the incremental one the explorer keeps up to date
 * from the units each step wrote (StateHasher). Both leave out run bookkeeping (see unitSkip).
 */
import type { State } from "../mm/types";
import { hashPrimitive, hashString, Locations, mix } from "./footprint";

type Obj = Record<PropertyKey, unknown>;

/** Two 32-bit lanes folded into one safe integer (53 bits): collisions are negligible below ~10^7 states. */
export function fold(a: number, b: number): number {
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

let laneB = 0;
/**
 * Hash a value with two lanes (the second is left in `laneB`). Objects combine their key/value pairs
 * with addition, so the same content in a different insertion order hashes the same; arrays are ordered.
 * `skip` is a key left out of `v` (or of each element, for an array): run bookkeeping, see unitSkip.
 */
function hashTree(v: unknown, skip: string | null): number {
  if (v === null || typeof v !== "object") {
    const a = hashPrimitive(v);
    laneB = mix(0x9e3779b9, a ^ 0x5555);
    return a;
  }
  if (Array.isArray(v)) {
    let a = 0x41c64e6d;
    let b = 0x6c078965;
    for (let i = 0; i < v.length; i++) {
      const ha = hashTree(v[i], skip);
      a = mix(a, ha);
      b = mix(b ^ 0x27d4eb2d, laneB);
    }
    a = mix(a, v.length);
    laneB = mix(b, v.length + 1);
    return a;
  }
  let a = 0x12345678;
  let b = 0x0f1e2d3c;
  for (const key in v) {
    if (key === skip) continue;
    const ka = hashString(key);
    const ha = hashTree((v as Obj)[key], null);
    a = (a + mix(ka, ha)) | 0;
    b = (b + mix(ka ^ 0x85ebca6b, laneB)) | 0;
  }
  laneB = mix(b, 0x3c6ef372);
  return mix(a, 0x7f4a7c15);
}

/**
 * What state hashes leave out, as run bookkeeping rather than machine state: the counters, each lock's
 * waiters (the scheduler's), each thread's results (output only, never read back), and each violation's
 * step (the trace index, which differs between equivalent interleavings).
 */
function unitSkip(path: readonly string[]): string | null {
  const top = path[0];
  if (path.length === 2 && top === "locks") return "waiters";
  if (path.length === 2 && top === "threads") return "results";
  if (path.length === 1 && top === "violations") return "step";
  return null;
}

/** A hash of the machine state (everything but counters, lock waiters and violation step indices). */
export function hashState(s: State): number {
  const h = new StateHasher(new Locations()).init(s);
  return h.digest(s);
}

/**
 * The same hash as `hashState`, kept up to date by re-hashing only the units (`vmas.vma1`, `locks.X`,
 * `violations`...) that steps wrote. The sum over units equals the whole-state hash's inner sums, so
 * equal states hash equal whichever way they were reached.
 */
export class StateHasher {
  /**
   * Per unit u: its two lanes' contributions at 3u and 3u+1, and 1 at 3u+2 if it is present in the
   * state. One typed array indexed by unit id (units are small dense ids): the explorer copies a hasher
   * at every snapshot and resume.
   */
  private c: Int32Array;
  /** The sums of the contributions, per lane (kept up to date, so a digest costs only the dirty units). */
  private sumA = 0;
  private sumB = 0;
  /** Units written since the last digest: the first nd entries (a list: a few per step; no length stores). */
  private dirty: number[] = [];
  private nd = 0;

  constructor(
    private readonly locs: Locations,
    base?: StateHasher,
  ) {
    if (base) {
      this.c = base.c.slice();
      this.sumA = base.sumA;
      this.sumB = base.sumB;
    } else this.c = new Int32Array(3 * 64);
  }

  /** Hash every unit of s (the initial state). */
  init(s: State): this {
    this.c.fill(0);
    this.sumA = 0;
    this.sumB = 0;
    this.nd = 0;
    for (const top of Object.keys(s)) {
      if (top === "counters") continue;
      const v = (s as unknown as Obj)[top];
      if (Array.isArray(v) || v === null || typeof v !== "object") this.update(s, this.locs.unit([top]));
      else for (const key of Object.keys(v)) this.update(s, this.locs.unit([top, key]));
    }
    return this;
  }

  /** A step wrote these locations (a Set only: a for-of that also sees arrays allocates per element). */
  wrote(writes: ReadonlySet<number>): void {
    for (const l of writes) this.wroteOne(l);
  }

  wroteOne(l: number): void {
    const u = this.locs.unitOf[l] as number;
    if (u >= 0) this.mark(u);
  }

  private mark(u: number): void {
    const d = this.dirty;
    for (let i = 0; i < this.nd; i++) if (d[i] === u) return;
    d[this.nd++] = u;
  }

  /** Mark units dirty (e.g. threads.T, whose `done` the scheduler sets behind the view's back). */
  touch(units: readonly number[]): void {
    for (let i = 0; i < units.length; i++) this.mark(units[i] as number);
  }

  digest(s: State): number {
    const d = this.dirty;
    for (let i = 0; i < this.nd; i++) {
      const u = d[i] as number;
      const path = this.locs.units[u] as string[];
      if (path[1] === "#rescan") this.rescanTop(s, path[0] as string);
      else this.update(s, u);
    }
    this.nd = 0;
    return fold((0x12345678 + this.sumA) | 0, (0x0f1e2d3c + this.sumB) | 0);
  }

  private set(u: number, present: boolean, a: number, b: number): void {
    if (3 * u >= this.c.length) this.grow(u);
    const c = this.c;
    const i = 3 * u;
    if (c[i + 2] === 1) {
      this.sumA = (this.sumA - (c[i] as number)) | 0;
      this.sumB = (this.sumB - (c[i + 1] as number)) | 0;
    }
    if (present) {
      c[i] = a;
      c[i + 1] = b;
      c[i + 2] = 1;
      this.sumA = (this.sumA + a) | 0;
      this.sumB = (this.sumB + b) | 0;
    } else c[i + 2] = 0;
  }

  private grow(u: number): void {
    let n = this.c.length * 2;
    while (n <= 3 * u) n *= 2;
    const c = new Int32Array(n);
    c.set(this.c);
    this.c = c;
  }

  private present(u: number): boolean {
    return 3 * u < this.c.length && this.c[3 * u + 2] === 1;
  }

  private rescanTop(s: State, top: string): void {
    const v = (s as unknown as Obj)[top];
    if (v === null || typeof v !== "object" || Array.isArray(v)) return;
    for (const key of Object.keys(v)) {
      const u = this.locs.unit([top, key]);
      if (!this.present(u)) this.update(s, u);
    }
    // Deleted keys: drop their units.
    for (let u = 0; 3 * u < this.c.length; u++) {
      if (this.c[3 * u + 2] !== 1) continue;
      const p = this.locs.units[u] as string[];
      if (p[0] === top && p.length === 2 && !Object.prototype.hasOwnProperty.call(v, p[1] as string)) this.set(u, false, 0, 0);
    }
  }

  private update(s: State, u: number): void {
    const path = this.locs.units[u] as string[];
    const top = path[0] as string;
    let v: unknown = (s as unknown as Obj)[top];
    if (path.length === 1 && v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const key of Object.keys(v)) this.update(s, this.locs.unit([top, key]));
      return;
    }
    if (path.length === 2) {
      if (v === null || typeof v !== "object" || !Object.prototype.hasOwnProperty.call(v, path[1] as string)) {
        this.set(u, false, 0, 0);
        return;
      }
      v = (v as Obj)[path[1] as string];
    }
    const ha = hashTree(v, unitSkip(path));
    const hb = laneB;
    const ka = this.locs.unitHash[u] as number;
    this.set(u, true, mix(ka, ha), mix(ka ^ 0x85ebca6b, hb));
  }
}

/** Combine a state hash with per-thread numbers (positions or fingerprints). */
export function combine(h: number, parts: readonly number[]): number {
  let a = (h / 0x200000) | 0;
  let b = h & 0x1fffff;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as number;
    a = mix(a, p);
    b = mix(b ^ 0x5bd1e995, p);
  }
  return fold(a, b);
}
