/** explore/keytable.ts: the search's table of node keys (53-bit safe integers) against a Map. */
import { KeyTable } from "../../src/explore/keytable";
import { mulberry32 } from "../../src/explore/common";

describe("KeyTable", () => {
  test("answers as a Map does, through growth, for keys from 0 to 2^53 - 1", () => {
    const t = new KeyTable<number>();
    const m = new Map<number, number>();
    const rand = mulberry32(7);
    const keys = [0, 1, 2 ** 32, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER - 1, 0x1fffff];
    for (let i = 0; i < 20000; i++) keys.push(Math.floor(rand() * 0x200000) * 0x100000000 + Math.floor(rand() * 0x100000000));
    keys.forEach((k, i) => {
      expect(t.set(k, i)).toBe(!m.has(k));
      m.set(k, i);
    });
    expect(t.size).toBe(m.size);
    for (const [k, v] of m) expect(t.get(k)).toBe(v);
    for (let i = 0; i < 1000; i++) {
      const k = Math.floor(rand() * Number.MAX_SAFE_INTEGER);
      expect(t.has(k)).toBe(m.has(k));
    }
  });

  test("a set (no values) and clear", () => {
    const s = new KeyTable<never>(false);
    expect(s.add(5)).toBe(true);
    expect(s.add(5)).toBe(false);
    expect(s.has(5)).toBe(true);
    expect(s.get(5)).toBeUndefined();
    s.clear();
    expect(s.size).toBe(0);
    expect(s.has(5)).toBe(false);
    expect(s.add(5)).toBe(true);
  });
});
