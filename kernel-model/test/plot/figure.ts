/** Loose views of plotly figure JSON for the plot tests (the builders return plain objects). */
import type { Figure } from "../../src/plot/display";

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Trace = Record<string, any>;
export type Layout = Record<string, any>;

export function traces(f: Figure): Trace[] {
  return f.data as Trace[];
}

export function layout(f: Figure): Layout {
  return (f.layout ?? {}) as Layout;
}

/** The trace named `name` (fails the test when missing). */
export function trace(f: Figure, name: string): Trace {
  const t = traces(f).find((x) => x.name === name);
  if (!t) throw new Error(`no trace "${name}"; traces: ${traces(f).map((x) => x.name).join(", ")}`);
  return t;
}

/** Segments of a lines trace whose points are separated by nulls. */
export function segments(t: Trace): { x: number[]; y: number[] }[] {
  const out: { x: number[]; y: number[] }[] = [];
  let cur = { x: [] as number[], y: [] as number[] };
  (t.x as (number | null)[]).forEach((x, k) => {
    if (x === null) {
      if (cur.x.length) out.push(cur);
      cur = { x: [], y: [] };
    } else {
      cur.x.push(x);
      cur.y.push((t.y as number[])[k] as number);
    }
  });
  if (cur.x.length) out.push(cur);
  return out;
}

/** Every figure must stand alone in a static export: a title and, where there are axes, axis titles. */
export function expectTitled(f: Figure, axes: boolean): void {
  const l = layout(f);
  expect(typeof l.title?.text).toBe("string");
  expect((l.title.text as string).length).toBeGreaterThan(3);
  if (axes) {
    expect((l.xaxis?.title?.text as string).length).toBeGreaterThan(0);
    expect((l.yaxis?.title?.text as string).length).toBeGreaterThan(0);
  }
}
