/**
 * A hash table of node keys (statehash.ts: fold, safe integers >= 0) with a value per key: open
 * addressing over a Float64Array. The search looks a key up at every node; a Map or Set keyed by
 * numbers above 2^31 boxes each key as a heap number and grows a table of objects, which cost about
 * 4% of a big search in lookups and more in garbage collection.
 */
export class KeyTable<V> {
  /** key + 1 per slot (0: empty). */
  private keys = new Float64Array(1024);
  private vals: (V | undefined)[];
  private mask = 1023;
  size = 0;

  /** values: false for a set (get answers undefined). */
  constructor(private readonly values = true) {
    this.vals = values ? new Array<V | undefined>(1024) : [];
  }

  private slot(key: number): number {
    const lo = key % 0x100000000 | 0;
    const hi = (key / 0x100000000) | 0;
    return (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 7) & this.mask;
  }

  /** The slot of key, or of the empty slot where it would go. */
  private find(key: number): number {
    const k = key + 1;
    const keys = this.keys;
    let i = this.slot(key);
    for (;;) {
      const x = keys[i] as number;
      if (x === k || x === 0) return i;
      i = (i + 1) & this.mask;
    }
  }

  has(key: number): boolean {
    return (this.keys[this.find(key)] as number) !== 0;
  }

  get(key: number): V | undefined {
    const i = this.find(key);
    return (this.keys[i] as number) === 0 || !this.values ? undefined : this.vals[i];
  }

  add(key: number): boolean {
    return this.set(key, undefined as V);
  }

  /** Add key (with value v, replacing any); true when it was not there. */
  set(key: number, v: V): boolean {
    const i = this.find(key);
    if (this.values) this.vals[i] = v;
    if ((this.keys[i] as number) !== 0) return false;
    this.keys[i] = key + 1;
    if (++this.size * 2 > this.mask) this.grow();
    return true;
  }

  clear(): void {
    this.keys.fill(0);
    if (this.values) this.vals.fill(undefined);
    this.size = 0;
  }


  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Float64Array(keys.length * 2);
    if (this.values) this.vals = new Array<V | undefined>(keys.length * 2);
    this.mask = keys.length * 2 - 1;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      if (k === 0) continue;
      const j = this.find(k - 1);
      this.keys[j] = k;
      if (this.values) this.vals[j] = vals[i];
    }
  }
}
