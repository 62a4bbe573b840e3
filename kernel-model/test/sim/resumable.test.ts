/**
 * build/resumable.js compiles generators into machines whose position and variables are data. The
 * machines must behave exactly as the generators they come from, and a copy taken in the middle must go
 * on exactly as the original.
 */
import * as runtime from "../../src/sim/resumable";
import { Copier, Machine, NotCopyable, hashThread } from "../../src/sim/resumable";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { transform, Unsupported } = require("../../build/resumable") as {
  transform: (text: string, file: string) => string | null;
  Unsupported: new (m: string) => Error;
};

type Gen = (...args: unknown[]) => Iterator<unknown, unknown, undefined>;

/** Evaluate a CommonJS module text; `../sim/resumable` is the runtime. */
function load(code: string): Record<string, Gen> {
  const exports: Record<string, Gen> = {};
  const req = (m: string): unknown => {
    if (m === "../sim/resumable") return runtime;
    throw new Error(`unexpected require ${m}`);
  };
  new Function("require", "exports", code)(req, exports);
  return exports;
}

/** Everything a run of the iterator yields, then its return value (or the error it threw). */
function drain(it: Iterator<unknown, unknown, undefined>, limit = 1000): unknown[] {
  const out: unknown[] = [];
  try {
    for (let i = 0; i < limit; i++) {
      const r = it.next();
      if (r.done) {
        out.push({ returned: r.value });
        return out;
      }
      out.push(r.value);
    }
  } catch (e) {
    out.push({ threw: (e as Error).message });
  }
  return out;
}

// Every construct the kernel paths use, with locals that live across yields, shadowing, early
// returns, labelled and unlabelled break/continue, closures over frame variables, and delegation.
const SOURCE = `"use strict";
function* counter(n) {
  for (let i = 0; i < n; i++) yield i;
  return n * 10;
}
function* loops(a) {
  const seen = [];
  outer: for (const x of a) {
    let y = x;
    while (y > 0) {
      y--;
      if (y === 2) continue;
      if (y === 5) continue outer;
      if (x === 9) break outer;
      seen.push(y);
      yield \`\${x}:\${y}\`;
    }
    do {
      yield "do";
      y++;
    } while (y < 2);
  }
  return seen;
}
function* branches(v) {
  let r = 0;
  if (v > 1) {
    const v2 = v * 2;
    yield v2;
    r = yield* counter(v2);
  } else if (v === 1) {
    yield "one";
    return "early";
  } else {
    const v = "shadow";
    yield v;
  }
  switch (v) {
    case 0:
      yield "zero";
    case 1:
      yield "fall";
      break;
    default: {
      const d = r + 1;
      yield d;
    }
  }
  return r;
}
function* closures(xs) {
  const base = 100;
  const tally = { n: 0 };
  const add = (x) => { tally.n += x + base; return tally.n; };
  for (const x of xs) {
    yield add(x);
    const doubled = xs.map((y) => y * 2 + base);
    yield doubled.join(",");
  }
  const got = yield* delegate(add);
  return [tally.n, got];
}
function* delegate(f) {
  yield f(1);
  return f(2);
}
function* throws(x) {
  yield 1;
  if (x) throw new Error("boom " + x);
  const { a, b: [c] } = { a: x, b: [2] };
  yield a + c;
}
exports.counter = counter;
exports.loops = loops;
exports.branches = branches;
exports.closures = closures;
exports.throws = throws;
`;

describe("build/resumable.js: machines behave as the generators", () => {
  const native = load(SOURCE);
  const compiled = load(transform(SOURCE, "test.js") as string);
  const cases: Array<[string, unknown[]]> = [
    ["counter", [3]],
    ["counter", [0]],
    ["loops", [[1, 4, 7, 9, 3]]],
    ["loops", [[]]],
    ["branches", [0]],
    ["branches", [1]],
    ["branches", [2]],
    ["branches", [5]],
    ["closures", [[1, 2, 3]]],
    ["throws", [0]],
    ["throws", ["x"]],
  ];

  test.each(cases)("%s(%j)", (name, args) => {
    const a = drain((native[name] as Gen)(...args));
    const m = (compiled[name] as Gen)(...args);
    expect(m).toBeInstanceOf(Machine);
    expect(drain(m)).toEqual(a);
    expect(m.next()).toEqual({ value: undefined, done: true }); // finished stays finished
  });

  test.each(cases)("a copy of %s(%j) taken at every step goes on alike", (name, args) => {
    const whole = drain((compiled[name] as Gen)(...args));
    for (let at = 0; at < whole.length; at++) {
      const m = (compiled[name] as Gen)(...args);
      const prefix: unknown[] = [];
      for (let i = 0; i < at; i++) {
        const r = m.next();
        if (r.done) break;
        prefix.push(r.value);
      }
      const copy = new Copier().copy(m);
      // A module-level function's frame is copied by its own literal: the same fields in the same order.
      expect((m as Machine).clone).toBeDefined();
      expect(Object.keys((copy as Machine).f)).toEqual(Object.keys((m as Machine).f));
      const hashBefore = hashThread(m);
      expect(hashThread(copy)).toBe(hashBefore);
      // The copy first, then the original: they must not share anything they change.
      expect([...prefix, ...drain(copy)]).toEqual(whole);
      expect([...prefix, ...drain(m)]).toEqual(whole);
    }
  });

  test("the kernel paths' sources compile (every module of src/mm and scenarios/build)", () => {
    // The unit tests load them through the same transform (jest.config.js), so this is checked by every
    // test that runs a scenario; here, that a kernel path really is a machine.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { touch } = require("../../src/mm/memory") as { touch: (...a: unknown[]) => unknown };
    expect(touch({}, "A", 28, false)).toBeInstanceOf(Machine);
  });

  test("an unsupported construct stops the build with the file, the line and the function", () => {
    const bad = `"use strict";\nfunction* f() {\n  const x = 1 + (yield 2);\n  return x;\n}\n`;
    expect(() => transform(bad, "mm/bad.js")).toThrow(Unsupported);
    expect(() => transform(bad, "mm/bad.js")).toThrow(/mm\/bad\.js:3: f: a yield inside an initializer/);
    expect(transform(`"use strict";\nfunction f() { return 1; }\n`, "mm/none.js")).toBeNull();
  });

  test("a copy keeps what is shared shared, with few objects and with many", () => {
    for (const n of [3, 40]) {
      const objs = Array.from({ length: n }, (_, i) => ({ i }));
      const graph = { a: objs, b: [...objs].reverse() };
      const c = new Copier().copy(graph);
      expect(c).toEqual(graph);
      for (let i = 0; i < n; i++) {
        expect(c.a[i]).not.toBe(objs[i]);
        expect(c.b[n - 1 - i]).toBe(c.a[i]);
      }
    }
  });

  test("a native generator cannot be copied or hashed, and says why", () => {
    function* g(): Generator<number> {
      yield 1;
    }
    expect(() => new Copier().copy(g())).toThrow(NotCopyable);
    expect(() => new Copier().copy(g())).toThrow(/native generator/);
    expect(() => hashThread(g())).toThrow(NotCopyable);
  });

  test("equal positions and variables hash equal; a different variable or position does not", () => {
    const a = (compiled.counter as Gen)(5);
    const b = (compiled.counter as Gen)(5);
    const c = (compiled.counter as Gen)(6);
    a.next();
    b.next();
    c.next();
    expect(hashThread(a)).toBe(hashThread(b));
    expect(hashThread(a)).not.toBe(hashThread(c));
    b.next();
    expect(hashThread(a)).not.toBe(hashThread(b));
  });
});
