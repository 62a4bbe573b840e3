#!/usr/bin/env node
/**
 * The command line (bin `kernel-model`, `npx kernel-model ...` from the repository root):
 *
 *   kernel-model list [--json]
 *   kernel-model run <scenario|file.json> [--kernel V] [--fix F] [--schedule S | --seed N] [--pages N --migrators M] [--json]
 *   kernel-model explore <scenario|file.json> [--kernel V] [--fix F] --mode exhaustive|random|pct [--runs N] [--seed N] [--depth D] [--json]
 *   kernel-model compare [--scenarios S1,S2] [--kernels V,..] [--fixes F,..] [--max-schedules N] [--runs N] [--json]
 *   kernel-model report --out FILE.html [the compare flags]
 *
 * Human output by default, `--json` for tools. Exit code 0 when the command ran (whatever the verdict),
 * 2 for bad usage or input, with a one-line reason that names the accepted values.
 */
import { prepareScenario, runPrepared } from "../api";
import { explore, EXPLORE_MODES, randomChooser } from "../explore";
import type { ExploreOptions, ExploreResult } from "../explore/types";
import { FIX_IDS, FIXES } from "../fixes";
import { KERNEL_VERSIONS, UsageError } from "../kernels";
import type { Prepared } from "../scenarios/build";
import { BUILTIN, S1 } from "../scenarios/builtin";
import { ScenarioError } from "../scenarios/json";
import type { ScenarioSpec } from "../scenarios/spec";
import { parseSchedule } from "../sim/schedule";
import type { RunResult } from "../sim/scheduler";
import { formatTrace } from "../sim/trace";
import { writeFileSync } from "fs";
import { compareMatrix, formatMatrix, MATRIX_MAX_SCHEDULES, type MatrixOptions } from "../report/matrix";
import { reportHtml } from "../report/html";

/** Where the command line writes. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** The fixes `--fix` accepts, from the fix registry (fixes/index.ts). */
export const CLI_FIXES: readonly string[] = FIX_IDS;
export const COMMANDS = ["list", "run", "explore", "compare", "report"] as const;

const USAGE = `usage:
  kernel-model list [--json]
  kernel-model run <scenario|file.json> [--kernel V] [--fix F] [--schedule S | --seed N] [--pages N --migrators 1|N] [--changes] [--json]
  kernel-model explore <scenario|file.json> [--kernel V] [--fix F] --mode exhaustive|random|pct [--runs N] [--seed N] [--depth D]
                       [--preemptions P] [--max-steps N] [--max-schedules N] [--reduction auto|dpor|states|none] [--no-transactions] [--prefix S]
                       [--all] [--no-minimise | --minimise-budget N] [--pages N --migrators 1|N] [--quiet] [--json]
  kernel-model compare [--scenarios S1,S2,..] [--kernels V,..] [--fixes F,..] [--max-schedules N] [--runs N] [--quiet] [--json]
  kernel-model report --out FILE.html [--scenarios ..] [--kernels ..] [--fixes ..] [--max-schedules N] [--runs N] [--minimise-budget N] [--quiet]
scenarios: ${Object.keys(BUILTIN).join(", ")} (case-insensitive), or a .json scenario file
kernels: ${KERNEL_VERSIONS.join(", ")} (default 2.6.34)
`;

type FlagKind = "string" | "int" | "bool";
const COMMON: Record<string, FlagKind> = { kernel: "string", fix: "string", json: "bool", pages: "int", migrators: "string", "max-steps": "int" };
const FLAGS: Record<(typeof COMMANDS)[number], Record<string, FlagKind>> = {
  list: { json: "bool" },
  run: { ...COMMON, schedule: "string", seed: "int", changes: "bool" },
  explore: {
    ...COMMON, mode: "string", runs: "int", seed: "int", depth: "int", preemptions: "int", "max-schedules": "int",
    reduction: "string", "no-transactions": "bool", prefix: "string", all: "bool", "no-minimise": "bool", "minimise-budget": "int", quiet: "bool",
  },
  compare: { scenarios: "string", kernels: "string", fixes: "string", "max-schedules": "int", runs: "int", quiet: "bool", json: "bool" },
  report: { out: "string", scenarios: "string", kernels: "string", fixes: "string", "max-schedules": "int", runs: "int", "minimise-budget": "int", quiet: "bool" },
};

interface Parsed {
  command: (typeof COMMANDS)[number];
  positional: string[];
  flags: Map<string, string | number | boolean>;
}

function parseArgs(argv: readonly string[]): Parsed | "help" {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") return "help";
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}"; expected one of ${COMMANDS.join(", ")}`);
  }
  const cmd = command as Parsed["command"];
  const accepted = FLAGS[cmd];
  const flags = new Map<string, string | number | boolean>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === "--help" || arg === "-h") return "help";
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = accepted[name];
    if (kind === undefined) {
      throw new UsageError(`unknown flag --${name} for ${cmd}; accepted: ${Object.keys(accepted).map((f) => `--${f}`).join(", ")}`);
    }
    if (flags.has(name)) throw new UsageError(`--${name} given twice`);
    if (kind === "bool") {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`--${name} needs a value${hint(name)}`);
    if (kind === "int") {
      if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a ${POSITIVE.has(name) ? "positive" : "non-negative"} integer, got "${value}"`);
      if (POSITIVE.has(name) && Number(value) === 0) throw new UsageError(`--${name} must be a positive integer, got 0`);
      flags.set(name, Number(value));
    } else flags.set(name, value);
  }
  return { command: cmd, positional, flags };
}

/** Integer flags for which 0 means nothing to do (the others: seeds, bounds of 0). */
const POSITIVE = new Set(["runs", "max-steps", "max-schedules", "pages"]);

function hint(flag: string): string {
  switch (flag) {
    case "kernel":
      return `: one of ${KERNEL_VERSIONS.join(", ")}`;
    case "fix":
      return `: one of ${CLI_FIXES.join(", ")}`;
    case "mode":
      return `: one of ${EXPLORE_MODES.join(", ")}`;
    case "reduction":
      return ": one of auto, dpor, states, none";
    case "migrators":
      return ": 1 or the number of pages";
    default:
      return "";
  }
}

const str = (p: Parsed, f: string) => p.flags.get(f) as string | undefined;
const int = (p: Parsed, f: string) => p.flags.get(f) as number | undefined;
const bool = (p: Parsed, f: string) => p.flags.get(f) === true;

/** The scenario the arguments name: a built-in id (S1 with --pages/--migrators picks the S1 family) or a .json file. */
function scenarioOf(p: Parsed): { spec: ScenarioSpec | string; ref: string; family: string } {
  if (p.positional.length === 0) {
    throw new UsageError(`${p.command} needs a scenario: one of ${Object.keys(BUILTIN).join(", ")} or a .json scenario file`);
  }
  if (p.positional.length > 1) throw new UsageError(`${p.command} takes one scenario, got ${p.positional.join(" ")}`);
  const ref = p.positional[0] as string;
  const pages = int(p, "pages");
  const migrators = str(p, "migrators");
  if (pages === undefined && migrators === undefined) return { spec: ref, ref, family: "" };
  if (ref.toLowerCase() !== "s1") throw new UsageError(`--pages and --migrators select the S1 family; they do not apply to ${ref}`);
  const n = pages ?? 1;
  if (n < 1 || n > 4) throw new UsageError(`--pages must be 1, 2, 3 or 4, got ${n}`);
  let per: boolean;
  if (migrators === undefined || migrators === "1") per = false;
  else if (migrators === String(n) || migrators === "per-page") per = true;
  else throw new UsageError(`--migrators must be 1 or ${n} (one per page), got "${migrators}"`);
  if (n === 1 && per) per = false;
  const family = `${pages !== undefined ? ` --pages ${n}` : ""}${migrators !== undefined ? ` --migrators ${per ? n : 1}` : ""}`;
  return { spec: S1({ pages: n, migrators: per ? "per-page" : 1 }), ref, family };
}

function prepared(p: Parsed): { prep: Prepared; replayBase: string; kernel: string; fix: string } {
  const { spec, ref, family } = scenarioOf(p);
  const kernel = str(p, "kernel") ?? "2.6.34";
  if (!(KERNEL_VERSIONS as readonly string[]).includes(kernel)) {
    throw new UsageError(`unknown kernel "${kernel}"; expected one of ${KERNEL_VERSIONS.join(", ")}`);
  }
  const fix = str(p, "fix") ?? "none";
  if (!CLI_FIXES.includes(fix)) throw new UsageError(`unknown fix "${fix}"; expected one of ${CLI_FIXES.join(", ")}`);
  const prep = prepareScenario(spec, { kernel, fix });
  const replayBase = `npx kernel-model run ${shellWord(ref)} --kernel ${kernel}${fix !== "none" ? ` --fix ${fix}` : ""}${family}`;
  return { prep, replayBase, kernel, fix };
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function replayCommand(base: string, schedule: string): string {
  return `${base} --schedule ${shellWord(schedule)}`;
}

/** Run the command line; returns the exit code. */
export function main(argv: readonly string[], io: Io = stdio): number {
  let parsed: Parsed | "help";
  try {
    parsed = parseArgs(argv);
    if (parsed === "help") {
      io.out(USAGE);
      return 0;
    }
    switch (parsed.command) {
      case "list":
        return list(parsed, io);
      case "run":
        return run(parsed, io);
      case "explore":
        return exploreCommand(parsed, io);
      case "compare":
      case "report":
        return compareCommand(parsed, io);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ScenarioError) {
      io.err(`kernel-model: ${e.message.split("\n")[0]}\n`);
      return 2;
    }
    throw e;
  }
}

function list(p: Parsed, io: Io): number {
  if (p.positional.length > 0) throw new UsageError(`list takes no arguments, got ${p.positional.join(" ")}`);
  const scenarios = Object.keys(BUILTIN);
  const titles: Record<string, string> = {};
  for (const id of scenarios) titles[id] = (BUILTIN[id] as () => ScenarioSpec)().title ?? "";
  for (const id of CLI_FIXES) titles[id] = FIXES[id]?.title ?? "";
  if (bool(p, "json")) {
    io.out(`${JSON.stringify({ scenarios, kernels: KERNEL_VERSIONS, fixes: CLI_FIXES, titles }, null, 2)}\n`);
    return 0;
  }
  const w = Math.max(...scenarios.map((s) => s.length), ...CLI_FIXES.map((f) => f.length));
  io.out("scenarios:\n");
  for (const id of scenarios) io.out(`  ${id.padEnd(w)}  ${titles[id]}\n`);
  io.out(`  ${"".padEnd(w)}  (S1 family: S1 --pages 1..4 --migrators 1|N)\n`);
  io.out(`kernels:\n  ${KERNEL_VERSIONS.join("  ")}\n`);
  io.out("fixes:\n");
  for (const id of CLI_FIXES) io.out(`  ${id.padEnd(w)}  ${titles[id]}\n`);
  return 0;
}

function run(p: Parsed, io: Io): number {
  const { prep, replayBase, kernel, fix } = prepared(p);
  const schedule = str(p, "schedule");
  const seed = int(p, "seed");
  if (schedule !== undefined && seed !== undefined) throw new UsageError("give --schedule or --seed, not both");
  const maxSteps = int(p, "max-steps");
  let r: RunResult;
  if (seed !== undefined) {
    if (seed > 0xffffffff) throw new UsageError(`--seed must be at most 4294967295, got ${seed}`);
    r = runPrepared(prep, { chooser: randomChooser(seed), ...(maxSteps !== undefined ? { maxSteps } : {}) });
  } else {
    const names = prep.threads.map((t) => t.name);
    // An exact schedule (NAME and NAME*N only) must replay step for step: strict. Looser forms are the scenario language.
    const strict = schedule !== undefined && parseSchedule(schedule, names).every((t) => t.kind === "steps");
    r = runPrepared(prep, { ...(schedule !== undefined ? { schedule } : {}), strict, ...(maxSteps !== undefined ? { maxSteps } : {}) });
  }
  const replay = replayCommand(replayBase, r.schedule);
  if (bool(p, "json")) {
    io.out(`${JSON.stringify({
      scenario: prep.spec.id, kernel, fix,
      verdict: r.verdict.kind, invariant: r.verdict.invariant ?? null, message: r.verdict.message ?? null,
      schedule: r.schedule, steps: r.steps, states: r.steps, schedules: 1, exhausted: false,
      violations: r.violations, trace: r.trace, replay,
    }, null, 2)}\n`);
    return 0;
  }
  io.out(`${prep.spec.id} on ${kernel}${fix !== "none" ? ` with fix ${fix}` : ""}: ${verdictLine(r.verdict.kind, r.verdict.invariant, r.verdict.message)}\n`);
  if (r.violations.length > 0) {
    io.out("violations:\n");
    for (const v of r.violations) io.out(`  ${v.invariant}${v.step >= 0 ? ` at step ${v.step}` : " at the end"}${v.fatal ? " (fatal)" : ""}: ${v.message}\n`);
  }
  io.out(`trace (${r.steps} steps):\n${formatTrace(r.trace, { changes: bool(p, "changes") })}\n`);
  io.out(`replay: ${replay}\n`);
  return 0;
}

function verdictLine(kind: string, invariant?: string, message?: string): string {
  if (kind === "clean" || kind === "bound-reached") return kind === "clean" ? "clean" : `bound reached${message ? ` (${message})` : ""}`;
  return `${kind === "bug" ? "BUG" : kind}${invariant && invariant !== kind ? ` ${invariant}` : ""}${message ? `: ${message}` : ""}`;
}

function exploreCommand(p: Parsed, io: Io): number {
  const mode = str(p, "mode");
  if (mode === undefined) throw new UsageError(`explore needs --mode: one of ${EXPLORE_MODES.join(", ")}`);
  if (!(EXPLORE_MODES as readonly string[]).includes(mode)) throw new UsageError(`unknown mode "${mode}"; expected one of ${EXPLORE_MODES.join(", ")}`);
  const reduction = str(p, "reduction");
  if (reduction !== undefined && !["auto", "dpor", "states", "none"].includes(reduction)) {
    throw new UsageError(`unknown reduction "${reduction}"; expected one of auto, dpor, states, none`);
  }
  const exhaustiveOnly = ["preemptions", "max-schedules", "reduction", "no-transactions", "prefix"].filter((f) => p.flags.has(f));
  if (mode !== "exhaustive" && exhaustiveOnly.length > 0) throw new UsageError(`--${exhaustiveOnly[0]} applies to --mode exhaustive only`);
  const samplingOnly = ["runs", "seed"].filter((f) => p.flags.has(f));
  if (mode === "exhaustive" && samplingOnly.length > 0) throw new UsageError(`--${samplingOnly[0]} applies to --mode random or pct only`);
  if (mode !== "pct" && p.flags.has("depth")) throw new UsageError("--depth applies to --mode pct only");
  const { prep, replayBase, kernel, fix } = prepared(p);
  const json = bool(p, "json");
  const o: ExploreOptions = { mode: mode as ExploreOptions["mode"], stderrProgress: !bool(p, "quiet") };
  const set = <K extends keyof ExploreOptions>(k: K, v: ExploreOptions[K] | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set("runs", int(p, "runs"));
  set("seed", int(p, "seed"));
  set("depth", int(p, "depth"));
  set("preemptions", int(p, "preemptions"));
  set("maxSteps", int(p, "max-steps"));
  set("maxSchedules", int(p, "max-schedules"));
  set("prefix", str(p, "prefix"));
  if (reduction !== undefined) o.reduction = reduction === "none" ? false : (reduction as "auto" | "dpor" | "states");
  if (bool(p, "no-transactions")) o.transactions = false;
  if (bool(p, "all")) o.stopAtFirst = false;
  if (bool(p, "no-minimise")) {
    if (p.flags.has("minimise-budget")) throw new UsageError("--minimise-budget and --no-minimise exclude each other");
    o.minimise = false;
  }
  set("minimiseBudget", int(p, "minimise-budget"));
  const r = explore(prep, o);
  const replay = r.schedule !== undefined ? replayCommand(replayBase, r.schedule) : null;
  if (json) {
    io.out(`${JSON.stringify({
      scenario: prep.spec.id, kernel, fix, ...r,
      invariant: r.invariant ?? null, message: r.message ?? null, schedule: r.schedule ?? null, replay,
    }, null, 2)}\n`);
    return 0;
  }
  io.out(exploreText(prep.spec.id, kernel, fix, r, o));
  if (replay) io.out(`replay: ${replay}\n`);
  return 0;
}

/** compare (the matrix as text or JSON) and report (the matrix as a self-contained HTML page). */
function compareCommand(p: Parsed, io: Io): number {
  if (p.positional.length > 0) throw new UsageError(`${p.command} takes no positional arguments, got ${p.positional.join(" ")}`);
  const list = (flag: string, accepted: readonly string[], what: string) => {
    const v = str(p, flag);
    if (v === undefined) return undefined;
    const items = v.split(",").map((x) => x.trim()).filter(Boolean);
    for (const x of items) {
      const ok = flag === "scenarios" ? accepted.some((a) => a.toLowerCase() === x.toLowerCase()) : accepted.includes(x);
      if (!ok) throw new UsageError(`unknown ${what} "${x}" in --${flag}; expected one of ${accepted.join(", ")}`);
    }
    return flag === "scenarios" ? items.map((x) => accepted.find((a) => a.toLowerCase() === x.toLowerCase()) as string) : items;
  };
  const out = str(p, "out");
  if (p.command === "report" && out === undefined) throw new UsageError("report needs --out FILE.html");
  const o: MatrixOptions = {};
  const scenarios = list("scenarios", Object.keys(BUILTIN), "scenario");
  const kernels = list("kernels", KERNEL_VERSIONS, "kernel");
  const fixes = list("fixes", CLI_FIXES, "fix");
  if (scenarios) o.scenarios = scenarios;
  if (kernels) o.kernels = kernels;
  if (fixes) o.fixes = fixes;
  const maxSchedules = int(p, "max-schedules");
  const runs = int(p, "runs");
  if (maxSchedules !== undefined) o.maxSchedules = maxSchedules;
  if (runs !== undefined) o.pctRuns = runs;
  const quiet = bool(p, "quiet");
  const t0 = Date.now();
  let lastShown = 0;
  o.onProgress = (done, total, c) => {
    if (quiet || (Date.now() - lastShown < 1000 && done < total)) return;
    lastShown = Date.now();
    io.err(`compare: ${done}/${total} cells (${((Date.now() - t0) / 1000).toFixed(1)} s), last ${c.scenario} ${c.kernel} ${c.fix}: ${c.verdict}\n`);
  };
  const cells = compareMatrix(o);
  const method = `Exhaustive search (DPOR, then state caching) per cell with at most ${(o.maxSchedules ?? MATRIX_MAX_SCHEDULES).toLocaleString("en-US")} schedules, PCT with ${o.pctRuns ?? 20} runs (depth 3).`;
  if (p.command === "report") {
    const budget = int(p, "minimise-budget");
    const html = reportHtml(cells, {
      method,
      ...(budget !== undefined ? { shrinkBudget: budget } : {}),
      onProgress: (d, t) => {
        if (!quiet && (d === t || d % 10 === 0)) io.err(`report: counterexample ${d}/${t} minimised\n`);
      },
    });
    writeFileSync(out as string, html);
    io.out(`wrote ${out} (${cells.length} cells, ${(html.length / 1e6).toFixed(1)} MB, ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    return 0;
  }
  if (bool(p, "json")) {
    io.out(`${JSON.stringify({ method, cells }, null, 2)}\n`);
    return 0;
  }
  io.out(`${method}\n${formatMatrix(cells)}\n(${cells.length} cells, ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  return 0;
}

function exploreText(id: string, kernel: string, fix: string, r: ExploreResult, o: ExploreOptions): string {
  const head = `${id} on ${kernel}${fix !== "none" ? ` with fix ${fix}` : ""}, ${r.mode}`;
  const lines: string[] = [];
  const n = (x: number) => x.toLocaleString("en-US");
  if (r.mode === "exhaustive") {
    const units = o.transactions === false ? ", step by step" : " on transactions";
    const red =
      o.preemptions !== undefined ? "state caching, preemption-bounded" :
      r.reduction === "brute" ? "no reduction" :
      r.reduction === "states" ? `state caching${units}` :
      r.reduction === "dpor+states" ? `dpor, then state caching${units}` : `dpor${units}`;
    const what =
      r.verdict === "clean" ? "clean: every interleaving covered" :
      r.verdict === "bound-reached" ? `not exhausted: cut by the ${(r.cuts ?? []).join(" and ")} bound${(r.cuts ?? []).length > 1 ? "s" : ""}, nothing failed` :
      verdictLine(r.verdict, r.invariant, r.message);
    lines.push(`${head} (${red}): ${what}`);
    const again = r.restarts ? ` (${n(r.restarts)} pass${r.restarts > 1 ? "es" : ""} started again)` : "";
    lines.push(`  states ${n(r.states)}, transitions ${n(r.transitions)}, schedules ${n(r.schedules)}${again}, ${(r.elapsedMs / 1000).toFixed(2)} s`);
  } else {
    const what = r.hits ? verdictLine(r.verdict, r.invariant, r.message) : r.verdict === "bound-reached" ? `no failure, ${r.bounded} runs cut by the step bound` : "no failure";
    lines.push(`${head}${r.mode === "pct" ? ` (depth ${o.depth ?? 3}, k ${r.k})` : ""}: ${what}`);
    lines.push(`  runs ${n(r.runs ?? 0)}, hits ${n(r.hits ?? 0)}, hit rate ${((r.hitRate ?? 0) * 100).toFixed(2)}%, steps ${n(r.states)}, ${(r.elapsedMs / 1000).toFixed(2)} s (${n(Math.round((r.runs ?? 0) / Math.max((r.searchMs ?? r.elapsedMs) / 1000, 1e-3)))} schedules/s)`);
    if (r.seed !== undefined) lines.push(`  first failing run: seed ${r.seed}${r.mode === "random" ? ` (kernel-model run ... --seed ${r.seed})` : ""}`);
  }
  if (r.schedule !== undefined) {
    const detail = r.preemptions !== undefined ? ` (${r.preemptions} preemption${r.preemptions === 1 ? "" : "s"}, ${r.steps} steps${r.minimal ? ", minimal" : ", best found: minimality not shown within --minimise-budget"})` : "";
    lines.push(`  counterexample${detail}: ${r.schedule}`);
  }
  return `${lines.join("\n")}\n`;
}

if (require.main === module) {
  // `kernel-model run S1 | head`: a closed pipe ends the output, not with a stack trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = main(process.argv.slice(2));
}
