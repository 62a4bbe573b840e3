import { ptesMapping } from "../../src/check/mapping";
import { Locations, Recorder } from "../../src/explore/footprint";
import type { Pte, State } from "../../src/mm/types";
import { prepareScenario } from "../../src";
import { S1 } from "../../src/scenarios/builtin";

function setup() {
  const p = prepareScenario(S1({ pages: 2 }), { kernel: "2.6.36" });
  const state = structuredClone(p.initial) as State;
  const locs = new Locations();
  const rec = new Recorder(locs);
  const view = rec.view(state);
  const names = (set: ReadonlySet<number>) => [...set].map((l) => locs.names[l]).sort();
  return { state, view, rec, names };
}

test("asking which ptes map a page records a read of that answer, not of every pte", () => {
  const { state, view, rec, names } = setup();
  const page = (state.mms.A?.ptes[28] as Pte & { page: string }).page;
  rec.take();
  const found = ptesMapping((view.mms.A as State["mms"][string]).ptes, page);
  expect(found.map(([a]) => a)).toEqual([28]);
  expect(found[0]?.[1].kind).toBe("present");
  const { footprint } = rec.take();
  expect(names(footprint.reads)).toEqual(["mms.A", "mms.A.ptes", `mms.A.ptes.28.kind`, `mms.A.ptes[maps ${page}]`]);
  // Without a recording view the same answer comes from a scan.
  expect(ptesMapping(state.mms.A?.ptes as Record<string, Pte>, page).map(([a]) => a)).toEqual([28]);
});

test("only a store that changes which page a pte refers to writes that page's answer", () => {
  const { state, view, rec, names } = setup();
  const ptes = (view.mms.A as State["mms"][string]).ptes;
  const p0 = (state.mms.A?.ptes[28] as Pte & { page: string }).page;
  const p1 = (state.mms.A?.ptes[29] as Pte & { page: string }).page;
  rec.take();
  ptes[29] = { kind: "migration", page: p1, write: true }; // another page's migration entry: same page
  expect(names(rec.take().footprint.writes).filter((n) => n?.includes("maps"))).toEqual([]);
  ptes[29] = { kind: "present", page: "newpage", write: true }; // remove_migration_pte: another page now
  expect(names(rec.take().footprint.writes).filter((n) => n?.includes("maps"))).toEqual([`mms.A.ptes[maps ${p1}]`, "mms.A.ptes[maps newpage]"]);
  delete ptes[28]; // zap
  expect(names(rec.take().footprint.writes).filter((n) => n?.includes("maps"))).toEqual([`mms.A.ptes[maps ${p0}]`]);
  ptes[30] = { kind: "present", page: p0, write: false }; // a new pte
  expect(names(rec.take().footprint.writes).filter((n) => n?.includes("maps"))).toEqual([`mms.A.ptes[maps ${p0}]`]);
  (ptes[30] as Pte & { page: string }).page = p1; // a store into the pte itself
  expect(names(rec.take().footprint.writes).filter((n) => n?.includes("maps"))).toEqual([`mms.A.ptes[maps ${p0}]`, `mms.A.ptes[maps ${p1}]`]);
});

test("a range limits the answer the same way with and without a recording view", () => {
  const { state, view, rec, names } = setup();
  const p0 = (state.mms.A?.ptes[28] as Pte & { page: string }).page;
  const raw = state.mms.A?.ptes as Record<string, Pte>;
  raw[40] = { kind: "migration", page: p0, write: false };
  const ptes = (view.mms.A as State["mms"][string]).ptes;
  for (const [from, to] of [[16, 32], [28, 29], [29, 100], [0, 1000]] as const) {
    const plain = ptesMapping(raw, p0, from, to).map(([a]) => a);
    rec.take();
    expect(ptesMapping(ptes, p0, from, to).map(([a]) => a)).toEqual(plain);
    // The read is of the whole answer, whatever the range.
    expect(names(rec.take().footprint.reads)).toContain(`mms.A.ptes[maps ${p0}]`);
  }
  expect(ptesMapping(raw, p0, 16, 32).map(([a]) => a)).toEqual([28]);
  expect(ptesMapping(raw, p0, 0, 1000).map(([a]) => a)).toEqual([28, 40]);
  expect(ptesMapping(raw, p0).map(([a]) => a)).toEqual([28, 40]);
});
