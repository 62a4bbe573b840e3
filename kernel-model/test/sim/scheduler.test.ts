import { prepareScenario, runPrepared, runScenario } from "../../src/api";
import { kernelPolicy, UsageError } from "../../src/kernels";
import { spin_lock, spin_unlock } from "../../src/mm/locks";
import { emptyState } from "../../src/scenarios/build";
import { BUILTIN } from "../../src/scenarios/builtin";
import { DEFAULT_MODEL_OPTIONS, newLock } from "../../src/sim/kernel";
import { expandSchedule, formatSchedule, parseSchedule } from "../../src/sim/schedule";
import { type Chooser, runThreads } from "../../src/sim/scheduler";
import { mulberry32 as rng } from "../../src/explore/common";

const randomChooser = (seed: number): Chooser => {
  const r = rng(seed);
  return (c) => c.runnable[Math.floor(r() * c.runnable.length)] as string;
};

describe("determinism", () => {
  test.each(Object.keys(BUILTIN))("%s: the same scenario and schedule give the same trace, byte for byte", (id) => {
    for (const kernel of ["2.6.34", "2.6.36"]) {
      const a = runScenario(id, { kernel });
      const b = runScenario(id, { kernel });
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      const replay = runScenario(id, { kernel, schedule: a.schedule, strict: true });
      expect(JSON.stringify(replay.trace)).toBe(JSON.stringify(a.trace));
      expect(replay.schedule).toBe(a.schedule);
    }
  });
  test("a seeded chooser replays through its recorded schedule", () => {
    const p = prepareScenario("S1", { kernel: "2.6.34" });
    for (let seed = 1; seed <= 20; seed++) {
      const a = runPrepared(p, { chooser: randomChooser(seed) });
      const b = runPrepared(p, { schedule: a.schedule, strict: true });
      expect(b.verdict).toEqual(a.verdict);
      expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
    }
  });
});

describe("negative scenarios never fire (random schedules, every version)", () => {
  test.each(["S6", "S7"])("%s", (id) => {
    for (const kernel of ["2.6.33", "2.6.34", "2.6.35", "2.6.36"]) {
      const p = prepareScenario(id, { kernel });
      for (let seed = 1; seed <= 150; seed++) {
        const r = runPrepared(p, { chooser: randomChooser(seed), trace: false });
        if (r.verdict.kind !== "clean") throw new Error(`${id} on ${kernel}, seed ${seed}: ${r.verdict.kind} ${r.verdict.message}; schedule ${r.schedule}`);
      }
    }
  });
  test("while S1 on 2.6.34 does fire under some random schedules (the check has teeth)", () => {
    const p = prepareScenario("S1", { kernel: "2.6.34" });
    let hits = 0;
    for (let seed = 1; seed <= 300; seed++) if (runPrepared(p, { chooser: randomChooser(seed), trace: false }).verdict.kind !== "clean") hits++;
    expect(hits).toBeGreaterThan(0);
  });
});

describe("schedules", () => {
  const threads = ["mig", "T", "F"];
  test("compact form round-trips", () => {
    expect(formatSchedule(["mig", "mig", "T", "F", "F", "F"])).toBe("mig*2 T F*3");
    expect(expandSchedule("mig*2 T F*3", threads)).toEqual(["mig", "mig", "T", "F", "F", "F"]);
  });
  test("tokens: steps, all, until (quoted labels)", () => {
    expect(parseSchedule('mig@rmap_walk_anon T@"->vm_end =" F* T*3', threads)).toEqual([
      { thread: "mig", kind: "until", label: "rmap_walk_anon" },
      { thread: "T", kind: "until", label: "->vm_end =" },
      { thread: "F", kind: "all" },
      { thread: "T", kind: "steps", n: 3 },
    ]);
  });
  test("errors name the problem and the accepted values", () => {
    expect(() => parseSchedule("X*2", threads)).toThrow('schedule names unknown thread "X"; threads are mig, T, F');
    expect(() => parseSchedule("mig*0", threads)).toThrow(/at least 1/);
    expect(() => parseSchedule("mig+1", threads)).toThrow(/bad schedule token "mig\+1"; expected NAME, NAME\*N/);
  });
  test("strict replay reports a thread that cannot run", () => {
    expect(() => runScenario("S1", { kernel: "2.6.36", schedule: "T@\"->vm_end =\" mig*40", strict: true })).toThrow(
      /thread mig is blocked at "spin_lock\(anon_vma:av1\)"/,
    );
  });
  test("an unknown kernel version is a UsageError naming the versions", () => {
    expect(() => kernelPolicy("2.6.37")).toThrow(new UsageError('unknown kernel version "2.6.37"; expected one of 2.6.33, 2.6.34, 2.6.35, 2.6.36'));
    expect(() => runScenario("S99")).toThrow(/unknown scenario "S99"; expected one of S1, S2, S3, S4, S5, S6, S7, S8/);
  });
});

describe("the scheduler's own checks", () => {
  test("ABBA on two locks is a deadlock with both threads named", () => {
    const s = emptyState();
    newLock(s, "anon_vma:x", "spinlock");
    newLock(s, "anon_vma:y", "spinlock");
    const t = (name: string, a: string, b: string) => ({
      name,
      body: function* (k: Parameters<typeof spin_lock>[0]) {
        yield* spin_lock(k, a, "test");
        yield* spin_lock(k, b, "test");
        yield* spin_unlock(k, b, "test");
        yield* spin_unlock(k, a, "test");
      },
    });
    const r = runThreads(s, kernelPolicy("2.6.34"), DEFAULT_MODEL_OPTIONS, [t("a", "anon_vma:x", "anon_vma:y"), t("b", "anon_vma:y", "anon_vma:x")], { schedule: "a b" });
    expect(r.verdict.kind).toBe("deadlock");
    expect(r.verdict.message).toMatch(/a waits at "spin_lock\(anon_vma:y\)"; b waits at "spin_lock\(anon_vma:x\)"/);
    expect(r.state.locks["anon_vma:x"]?.waiters).toEqual(["b"]);
  });
  test("the step bound ends a run as bound-reached, never clean", () => {
    const r = runScenario("S1", { kernel: "2.6.36", maxSteps: 10 });
    expect(r.verdict.kind).toBe("bound-reached");
    expect(r.steps).toBe(10);
  });
});
