import { prepareScenario } from "../../src";
import { clonePlain, clonerOf } from "../../src/sim/clone";

test("a compiled copier gives the same data, keys in the same order, and no shared objects", () => {
  for (const id of ["S1", "S5", "S10"]) {
    const initial = prepareScenario(id, { kernel: "2.6.34" }).initial;
    const a = clonerOf(initial)();
    const b = clonePlain(initial);
    expect(JSON.stringify(a)).toBe(JSON.stringify(initial));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a).toEqual(initial);
    const again = clonerOf(initial)();
    expect(again).not.toBe(a);
    expect(again.vmas).not.toBe(a.vmas);
    // Changing one copy leaves the other and the source alone.
    (Object.values(a.pages)[0] as { refcount: number }).refcount += 7;
    expect(again).toEqual(initial);
  }
});

test("data a literal cannot express is copied by the generic walk", () => {
  const odd = { n: Number.POSITIVE_INFINITY, u: undefined, list: [1, 2], nested: { k: "v" } };
  const c = clonerOf(odd)();
  expect(c).toEqual(odd);
  expect(c.nested).not.toBe(odd.nested);
  const withUndefined = { a: undefined as number | undefined, b: [null, "x"] };
  const d = clonerOf(withUndefined)();
  expect(Object.keys(d)).toEqual(["a", "b"]);
  expect(d.b).toEqual([null, "x"]);
});
