/** Progress reports: the notebook callback and the stderr line. */
import { prepareScenario } from "../../src/api";
import { explore } from "../../src/explore";
import { format, Progress } from "../../src/explore/progress";
import type { ExploreProgress } from "../../src/explore/types";

test("the callback gets reports while exploring and a final one marked done", () => {
  const seen: ExploreProgress[] = [];
  const r = explore(prepareScenario("S1", { kernel: "2.6.36" }), { mode: "exhaustive", onProgress: (x) => seen.push(x), progressIntervalMs: 0 });
  expect(seen.length).toBeGreaterThan(1);
  const last = seen[seen.length - 1] as ExploreProgress;
  expect(last.done).toBe(true);
  expect(last.schedules).toBe(r.schedules);
  expect(last.states).toBe(r.states);
  for (let i = 1; i < seen.length; i++) expect((seen[i] as ExploreProgress).schedules).toBeGreaterThanOrEqual((seen[i - 1] as ExploreProgress).schedules);
});

test("random exploration reports runs as schedules and steps as states", () => {
  const seen: ExploreProgress[] = [];
  const r = explore(prepareScenario("S1"), { mode: "random", runs: 50, onProgress: (x) => seen.push(x), minimise: false });
  expect(seen[seen.length - 1]).toMatchObject({ schedules: 50, states: r.states, done: true });
});

test("stderr: a line per interval when stderr is not a TTY, closed at the end", () => {
  const writes: string[] = [];
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    writes.push(String(s));
    return true;
  });
  try {
    const p = new Progress({ stderrProgress: true, progressIntervalMs: 0 });
    p.tick(10, 100);
    p.done(20, 200);
  } finally {
    spy.mockRestore();
  }
  const lines = writes.map((w) => w.replace(/\r|\x1b\[K/g, ""));
  expect(lines.length).toBe(2);
  expect(lines[0]).toMatch(/^explore: 10 schedules, 100 states \([\d,]+ states\/s\)/);
  expect(lines[1]).toMatch(/20 schedules, 200 states .* done\n$/);
});

test("format is one readable line", () => {
  expect(format({ schedules: 12345, states: 67890, elapsedMs: 1500, statesPerSecond: 45260 })).toBe("explore: 12,345 schedules, 67,890 states (45,260 states/s), 1.5 s");
});
