/**
 * atomic_add() on a field of the state: a blind add, whose old value the caller does not use. Through
 * the explorer's recording view (explore/footprint.ts) it is recorded as an add, not as a read and a
 * write, so that two adds to one counter commute (two migrators pinning one anon_vma); anywhere else it
 * is `o[field] += delta`.
 */
export const ATOMIC_ADD = Symbol("atomic_add");

type Adder = (field: string, delta: number) => void;

export function atomic_add<T extends object>(o: T, field: keyof T & string, delta: number): void {
  const add = (o as { [ATOMIC_ADD]?: Adder })[ATOMIC_ADD];
  if (add !== undefined) return add(field, delta);
  const r = o as unknown as Record<string, number>;
  r[field] = (r[field] as number) + delta;
}
