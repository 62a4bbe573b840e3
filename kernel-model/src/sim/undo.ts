/**
 * An undo log of a run's writes, so that a search can go back to an earlier node of the same run by
 * undoing what happened since, instead of copying the whole state at every node it may come back to
 * (explore/exhaustive.ts, state caching). The recording view (explore/footprint.ts) notes every write
 * a step makes through it here, before making it; the scheduler's own bookkeeping (lock waiters,
 * counters, finished flags, violations it appends) is saved and restored with the snapshot (scheduler.ts).
 *
 * Undone in reverse order, each entry puts back exactly what was there: a field's old value (or its
 * absence), an array's old contents, or, for a deleted field, the whole object with its key order (the
 * kernel paths iterate objects in insertion order).
 */

const ARRAY = 0;
const FIELD = 1;
const OBJECT = 2;

type Obj = Record<PropertyKey, unknown>;

export class UndoLog {
  private kinds: number[] = [];
  private objs: object[] = [];
  private keys: PropertyKey[] = [];
  private olds: unknown[] = [];
  private hads: boolean[] = [];
  private n = 0;

  /** The position to come back to (see rollback). */
  get mark(): number {
    return this.n;
  }

  /** A field of obj is about to be stored. */
  field(obj: object, key: PropertyKey): void {
    const i = this.n++;
    this.kinds[i] = FIELD;
    this.objs[i] = obj;
    this.keys[i] = key;
    const had = Object.prototype.hasOwnProperty.call(obj, key);
    this.hads[i] = had;
    this.olds[i] = had ? (obj as Obj)[key] : undefined;
  }

  /** An array is about to change (a store to an element or its length, or a mutating method). */
  array(arr: unknown[]): void {
    const i = this.n++;
    this.kinds[i] = ARRAY;
    this.objs[i] = arr;
    this.olds[i] = arr.slice();
  }

  /** A field of obj is about to be deleted (or defined): keep the whole object, key order included. */
  object(obj: object): void {
    const i = this.n++;
    this.kinds[i] = OBJECT;
    this.objs[i] = obj;
    this.olds[i] = { ...obj };
  }

  /** Undo every write noted since `mark`. */
  rollback(mark: number): void {
    if (mark > this.n) throw new Error(`undo log: rollback to ${mark} past the end ${this.n}`);
    for (let i = this.n - 1; i >= mark; i--) {
      const o = this.objs[i] as object;
      const old = this.olds[i];
      switch (this.kinds[i]) {
        case FIELD: {
          const key = this.keys[i] as PropertyKey;
          if (this.hads[i]) (o as Obj)[key] = old;
          else delete (o as Obj)[key];
          break;
        }
        case ARRAY: {
          const a = o as unknown[];
          const was = old as unknown[];
          a.length = was.length;
          for (let j = 0; j < was.length; j++) a[j] = was[j];
          break;
        }
        default: {
          const saved = old as Obj;
          for (const k of Object.keys(o)) delete (o as Obj)[k];
          for (const k of Object.keys(saved)) (o as Obj)[k] = saved[k];
        }
      }
      // Let go of what the entry held.
      this.objs[i] = UNUSED;
      this.olds[i] = undefined;
      this.keys[i] = "";
    }
    this.n = mark;
  }

  /** Forget what was noted (the state before it is never gone back to: a run's set-up). */
  forget(): void {
    this.objs.length = 0;
    this.olds.length = 0;
    this.keys.length = 0;
    this.kinds.length = 0;
    this.hads.length = 0;
    this.n = 0;
  }
}

const UNUSED = {};
