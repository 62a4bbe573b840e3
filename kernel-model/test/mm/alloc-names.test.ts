import { prepareScenario, runPrepared } from "../../src/api";
import { hashState } from "../../src/explore/statehash";
import { S1 } from "../../src/scenarios/builtin";

// get_new_page() is each migrator's second step (after isolate_lru_page).
describe("alloc_page: a page nobody names is named after the thread that allocates it", () => {
  const p = prepareScenario(S1({ pages: 2, migrators: "per-page" }), { kernel: "2.6.36" });
  const run = (schedule: string) => runPrepared(p, { schedule, maxSteps: 4 });

  test("two migrators' new pages are pg1@mig0 and pg1@mig1 whichever allocates first", () => {
    for (const r of [run("mig0*2 mig1*2"), run("mig1*2 mig0*2")]) {
      expect(Object.keys(r.state.pages).filter((id) => id.startsWith("pg")).sort()).toEqual(["pg1@mig0", "pg1@mig1"]);
      expect(r.state.locks["PG_locked:pg1@mig1"]).toBeDefined();
    }
  });

  test("so both orders reach the same state (the explorer merges them)", () => {
    const a = run("mig0*2 mig1*2").state;
    const b = run("mig1*2 mig0*2").state;
    expect(a.pages).toEqual(b.pages);
    expect(hashState(a)).toBe(hashState(b));
  });

  test("a thread's second page counts on from its first", () => {
    const r = runPrepared(prepareScenario(S1({ pages: 2, migrators: 1 }), { kernel: "2.6.36" }), {});
    expect(Object.keys(r.state.pages).filter((id) => id.startsWith("pg")).sort()).toEqual(["pg1@mig", "pg2@mig"]);
  });
});
