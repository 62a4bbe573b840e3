/**
 * The command line, through its exported main() with captured output (and once through node on dist):
 * exit codes, the one-line reasons for bad input, and the shape of --json.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CLI_FIXES, main } from "../../src/cli/main";
import { FIX_IDS } from "../../src/fixes";
import { KERNEL_VERSIONS } from "../../src/kernels";
import { BUILTIN } from "../../src/scenarios/builtin";

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}
const json = (...argv: string[]) => {
  const r = cli(...argv, "--json");
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Record<string, unknown>;
};

describe("list", () => {
  test("--json: scenarios, kernels and fixes", () => {
    const j = json("list");
    expect(j.scenarios).toEqual(Object.keys(BUILTIN));
    expect(j.kernels).toEqual([...KERNEL_VERSIONS]);
    expect(j.fixes).toEqual([...FIX_IDS]);
    expect(CLI_FIXES).toEqual(FIX_IDS);
  });
  test("human output names every scenario, kernel and fix", () => {
    const { code, out } = cli("list");
    expect(code).toBe(0);
    for (const s of [...Object.keys(BUILTIN), ...KERNEL_VERSIONS, ...FIX_IDS]) expect(out).toContain(s);
  });
});

describe("run", () => {
  test("prints the verdict, the violations, the trace and the replay command", () => {
    const { code, out } = cli("run", "S1", "--kernel", "2.6.34");
    expect(code).toBe(0);
    expect(out).toMatch(/^S1 on 2\.6\.34: BUG I1: kernel BUG at include\/linux\/swapops\.h:105!/);
    expect(out).toContain("violations:");
    expect(out).toMatch(/trace \(\d+ steps\):\n\s+0 mig\s+isolate_lru_page\(P\)/);
    expect(out).toMatch(/replay: npx kernel-model run S1 --kernel 2\.6\.34 --schedule '[^']+'\n$/);
  });
  test("--json has the fields tools rely on", () => {
    const j = json("run", "s1", "--kernel", "2.6.36");
    for (const k of ["verdict", "invariant", "message", "schedule", "states", "schedules", "exhausted", "steps", "violations", "trace", "replay"]) expect(j).toHaveProperty(k);
    expect(j.verdict).toBe("clean");
    expect(j.invariant).toBeNull();
    expect(j.exhausted).toBe(false);
  });
  test("the replay command's schedule gives the same run", () => {
    const a = json("run", "S2", "--kernel", "2.6.35");
    const b = json("run", "S2", "--kernel", "2.6.35", "--schedule", a.schedule as string);
    expect(b.verdict).toBe(a.verdict);
    expect(b.schedule).toBe(a.schedule);
    expect(b.message).toBe(a.message);
  });
  test("--seed runs a seeded random schedule, the same each time", () => {
    const a = json("run", "S1", "--seed", "5");
    const b = json("run", "S1", "--seed", "5");
    expect(a.schedule).toBe(b.schedule);
  });
  test("--pages and --migrators select the S1 family", () => {
    const j = json("run", "S1", "--pages", "2", "--migrators", "2");
    expect(j.scenario).toBe("S1-2p-2m");
    expect(j.replay).toContain("--pages 2 --migrators 2");
  });
  test("a JSON scenario file runs like a built-in", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "km-cli-"));
    const file = path.join(dir, "mine.json");
    fs.writeFileSync(file, JSON.stringify({
      id: "mine",
      setup: [{ op: "mmap", mm: "A", start: 16, end: 32 }, { op: "touch", mm: "A", addr: 28, page: "P" }],
      threads: [{ name: "M", ops: [{ op: "migrate", page: "P" }] }],
    }));
    expect(json("run", file).verdict).toBe("clean");
  });
});

describe("explore", () => {
  test("--no-transactions: step-by-step DPOR, the same answer with more transitions", () => {
    const a = json("explore", "S1", "--kernel", "2.6.36", "--mode", "exhaustive", "--quiet");
    const b = json("explore", "S1", "--kernel", "2.6.36", "--mode", "exhaustive", "--no-transactions", "--quiet");
    expect([a.verdict, a.exhausted, b.verdict, b.exhausted]).toEqual(["clean", true, "clean", true]);
    expect(b.transitions as number).toBeGreaterThan(a.transitions as number);
    expect(typeof a.restarts).toBe("number"); // passes started again, counted in schedules
    expect(b.restarts).toBe(0);
    const human = cli("explore", "S1", "--kernel", "2.6.36", "--mode", "exhaustive", "--no-transactions", "--quiet");
    expect(human.out).toContain("(dpor, step by step)");
    const bad = cli("explore", "S1", "--mode", "random", "--no-transactions");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--no-transactions applies to --mode exhaustive only");
  });
  test("exhaustive --json: verdict, states, schedules, exhausted, and a replayable counterexample", () => {
    const j = json("explore", "S1", "--kernel", "2.6.34", "--mode", "exhaustive", "--no-minimise", "--quiet");
    for (const k of ["verdict", "invariant", "message", "schedule", "states", "schedules", "exhausted", "transitions", "replay"]) expect(j).toHaveProperty(k);
    expect(j.verdict).toBe("bug");
    const replay = json("run", "S1", "--kernel", "2.6.34", "--schedule", j.schedule as string);
    expect(replay.verdict).toBe("bug");
    expect(replay.invariant).toBe(j.invariant);
  });
  test("exhaustive on a fixed kernel: clean and exhausted", () => {
    const j = json("explore", "S4", "--kernel", "2.6.36", "--mode", "exhaustive", "--quiet");
    expect(j).toMatchObject({ verdict: "clean", exhausted: true, invariant: null, schedule: null });
    expect(j.states as number).toBeGreaterThan(0);
  });
  test("a bound that cuts the search says so", () => {
    const { code, out } = cli("explore", "S1", "--kernel", "2.6.36", "--mode", "exhaustive", "--max-schedules", "5", "--quiet");
    expect(code).toBe(0);
    expect(out).toMatch(/not exhausted: cut by the schedules bound/);
  });
  test("--minimise-budget: a budget too small to show minimality says so", () => {
    const small = cli("explore", "S1", "--kernel", "2.6.34", "--mode", "exhaustive", "--minimise-budget", "10", "--quiet");
    expect(small.out).toMatch(/counterexample \(\d+ preemptions?, \d+ steps, best found: minimality not shown within --minimise-budget\)/);
    const enough = json("explore", "S1", "--kernel", "2.6.34", "--mode", "exhaustive", "--minimise-budget", "3000", "--quiet");
    expect(enough).toMatchObject({ preemptions: 2, steps: 39, minimal: true });
  });
  test("random and pct report runs, hits and the hit rate", () => {
    const r = json("explore", "S1", "--mode", "random", "--runs", "200", "--seed", "3", "--no-minimise", "--quiet");
    expect(r).toMatchObject({ mode: "random", runs: 200 });
    expect(r.hitRate).toBe((r.hits as number) / 200);
    const p = cli("explore", "S1", "--mode", "pct", "--runs", "100", "--depth", "3", "--no-minimise", "--quiet");
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/runs 100, hits \d+, hit rate [\d.]+%/);
  });
});

describe("bad usage or input: exit 2 with a one-line reason naming the accepted values", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["unknown command", ["frob"], /unknown command "frob"; expected one of list, run, explore/],
    ["unknown scenario", ["run", "S99"], /unknown scenario "S99"; expected one of S1, S2, .* or a \.json scenario file/],
    ["missing scenario", ["run"], /run needs a scenario: one of S1/],
    ["unknown kernel", ["run", "S1", "--kernel", "2.6.99"], /unknown kernel "2\.6\.99"; expected one of 2\.6\.33, 2\.6\.34, 2\.6\.35, 2\.6\.36/],
    ["unknown fix", ["run", "S1", "--fix", "nope"], /unknown fix "nope"; expected one of none, /],
    ["unknown flag", ["run", "S1", "--bogus"], /unknown flag --bogus for run; accepted: --kernel/],
    ["flag without its value", ["run", "S1", "--kernel"], /--kernel needs a value: one of 2\.6\.33/],
    ["not a number", ["explore", "S1", "--mode", "random", "--runs", "many"], /--runs must be a positive integer, got "many"/],
    ["zero runs", ["explore", "S1", "--mode", "random", "--runs", "0"], /--runs must be a positive integer, got 0/],
    ["negative seed", ["run", "S1", "--seed", "-1"], /--seed must be a non-negative integer, got "-1"/],
    ["no mode", ["explore", "S1"], /explore needs --mode: one of exhaustive, random, pct/],
    ["unknown mode", ["explore", "S1", "--mode", "sideways"], /unknown mode "sideways"; expected one of exhaustive, random, pct/],
    ["bad schedule token", ["run", "S1", "--schedule", "mig*x"], /bad schedule token "mig\*x"; expected NAME, NAME\*N, NAME\* or NAME@label with NAME one of mig, T, F/],
    ["schedule names an unknown thread", ["run", "S1", "--schedule", "Q*3"], /unknown thread "Q"; threads are mig, T, F/],
    ["exact schedule that cannot be followed", ["run", "S1", "--schedule", "F*50"], /schedule step \d+: thread F/],
    ["--schedule and --seed", ["run", "S1", "--seed", "1", "--schedule", "mig"], /give --schedule or --seed, not both/],
    ["family flags on another scenario", ["run", "S2", "--pages", "2"], /select the S1 family/],
    ["too many pages", ["run", "S1", "--pages", "9"], /--pages must be 1, 2, 3 or 4/],
    ["bad migrators", ["run", "S1", "--pages", "2", "--migrators", "3"], /--migrators must be 1 or 2/],
    ["exhaustive-only flag on random", ["explore", "S1", "--mode", "random", "--preemptions", "2"], /--preemptions applies to --mode exhaustive only/],
    ["missing file", ["run", "/nonexistent/x.json"], /x\.json/],
    ["minimise budget and no minimising", ["explore", "S1", "--mode", "random", "--no-minimise", "--minimise-budget", "5"], /--minimise-budget and --no-minimise exclude each other/],
    ["prefix that cannot be followed", ["explore", "S1", "--mode", "exhaustive", "--prefix", "F*2"], /prefix "F\*2": schedule step 1: thread F has finished/],
    ["negative minimise budget", ["explore", "S1", "--mode", "random", "--minimise-budget", "-5"], /--minimise-budget must be a non-negative integer, got "-5"/],
  ];
  test.each(cases)("%s", (_name, argv, reason) => {
    const r = cli(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(reason);
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/^kernel-model: /);
  });
  test("malformed JSON scenario", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "km-cli-"));
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, '{"id": "x", "setup": [');
    const r = cli("run", bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain("bad.json");
    const invalid = path.join(dir, "invalid.json");
    fs.writeFileSync(invalid, JSON.stringify({ id: "x", setup: [{ op: "teleport" }], threads: [] }));
    const v = cli("explore", invalid, "--mode", "random");
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/teleport/);
    expect(v.err.trimEnd().split("\n")).toHaveLength(1);
  });
  test("--help prints the usage and exits 0", () => {
    const r = cli("--help");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage:/);
  });
});

describe("the bin", () => {
  const bin = path.join(__dirname, "..", "..", "dist", "cli", "main.js");
  test("dist/cli/main.js has the node shebang and runs (npm run build first)", () => {
    expect(fs.existsSync(bin)).toBe(true);
    expect(fs.readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    const ok = spawnSync(process.execPath, [bin, "list", "--json"], { encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toHaveProperty("scenarios");
    const bad = spawnSync(process.execPath, [bin, "run", "S1", "--kernel", "9"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^kernel-model: unknown kernel "9"; expected one of/);
  });
});
