// npm run bench: the same questions answered by kernel-model's explorer and by SPIN on bench/s1.pml.
//
// Questions, for the S1 family with 1, 2 and 4 pages and one migrator or one migrator per page:
//   2.6.34: time to the first counterexample;   2.6.36: time to exhaust every interleaving.
// SPIN's time is end to end (spin -a, gcc, pan) with pan's own time beside it; SPIN runs with its
// partial-order reduction (the default). Ours is explore --mode exhaustive (its default search), no minimisation.
// Each side gets BENCH_LIMIT_S seconds per question (default 300, enough for every question on a 2-core
// machine: about 5 minutes in all); a side cut by it is reported as such, and the ratio then as a bound.
// Also: schedules per second of random exploration on S1. Needs `npm run build` (npm run bench builds
// first) and the Debian package spin (apt-get install spin; without it the SPIN columns say so).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const km = require(join(ROOT, "kernel-model", "dist"));
const LIMIT_S = Number(process.env.BENCH_LIMIT_S ?? 300);
if (!Number.isFinite(LIMIT_S) || LIMIT_S <= 0) {
  console.error(`bench: BENCH_LIMIT_S must be a positive number of seconds per question and side (default 300), got "${process.env.BENCH_LIMIT_S}"`);
  process.exit(2);
}
const PML = join(ROOT, "bench", "s1.pml");

const fmt = (n) => (n === undefined ? "-" : Math.round(n).toLocaleString("en-US"));
const secs = (ms) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`);

function ours(pages, perPage, kernel) {
  const p = km.prepareScenario(km.s1Family({ pages, migrators: perPage ? "per-page" : 1 }), { kernel });
  const t0 = process.hrtime.bigint();
  // Progress on stderr (in place on a TTY, a line every 5 s otherwise): 4 pages x 4 migrators takes minutes.
  const r = km.exhaustive(p, { stopAtFirst: kernel === "2.6.34", maxMs: LIMIT_S * 1000, stderrProgress: true });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const answer = r.failure ? `${r.failure.verdict.kind} ${r.failure.verdict.invariant}` : r.exhausted ? "clean (exhausted)" : `cut (${r.cuts.join(", ")})`;
  return { answer, states: r.states, transitions: r.transitions, schedules: r.schedules, ms, done: r.failure !== undefined || r.exhausted };
}

function haveSpin() {
  return spawnSync("spin", ["-V"], { encoding: "utf8" }).status === 0;
}

function spin(pages, perPage, kernel) {
  const dir = mkdtempSync(join(tmpdir(), "km-bench-"));
  try {
    const defs = [`-DNPAGES=${pages}`, `-DPERPAGE=${perPage ? 1 : 0}`, `-DLOCKED=${kernel === "2.6.34" ? 0 : 1}`];
    const t0 = process.hrtime.bigint();
    execFileSync("spin", ["-a", ...defs, PML], { cwd: dir, stdio: "pipe" });
    execFileSync("gcc", ["-O2", "-w", "-DSAFETY", "-DCOLLAPSE", "-o", "pan", "pan.c"], { cwd: dir, stdio: "pipe" });
    const pan = spawnSync("./pan", ["-m100000", "-w24"], { cwd: dir, encoding: "utf8", timeout: LIMIT_S * 1000 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const out = pan.stdout ?? "";
    const num = (re) => {
      const m = re.exec(out);
      return m ? Number(m[1]) : undefined;
    };
    const errors = num(/errors: (\d+)/);
    const answer = pan.error || pan.signal ? "cut (time)" : errors ? "assertion violated" : errors === 0 ? "clean (exhausted)" : "?";
    const panS = num(/elapsed time ([\d.e+-]+) seconds/);
    return { answer, states: num(/([\d.e+]+) states, stored/), transitions: num(/([\d.e+]+) transitions/), panMs: panS === undefined ? undefined : panS * 1000, ms, done: !pan.error && !pan.signal };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Schedules per second of seeded random exploration of S1, in a fresh process (as `explore --mode random`
 * runs): the exhaustive questions above leave V8's inline caches full of recording views.
 */
function randomRate() {
  const script = `
    const km = require(${JSON.stringify(join(ROOT, "kernel-model", "dist"))});
    const out = [];
    for (const kernel of ["2.6.34", "2.6.36"]) {
      const p = km.prepareScenario("S1", { kernel });
      const cold = km.exploreRandom(p, { runs: 5000, seed: 2 }); // includes V8 compiling the kernel paths
      km.exploreRandom(p, { runs: 5000, seed: 3 });
      // Three timed batches: a shared VM slows some by 30% or more, so the median is reported with the range.
      const warm = [1, 20001, 40001].map((seed) => km.exploreRandom(p, { runs: 20000, seed }));
      const rates = warm.map((w) => w.runs / (w.elapsedMs / 1000)).sort((a, b) => a - b);
      const all = km.exploreRandom(p, { runs: 100000, seed: 1 });
      out.push({ kernel, cold: [cold.runs, cold.elapsedMs], rates, hits: warm[0].hits, all: [all.runs, all.elapsedMs] });
    }
    console.log(JSON.stringify(out));`;
  const res = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  if (res.status !== 0) return `  (failed: ${res.stderr.trim().split("\n")[0]})`;
  return JSON.parse(res.stdout)
    .map(
      (r) =>
        `  S1 on ${r.kernel}: ${fmt(r.rates[1])} schedules/s (median of 3 batches of 20,000 runs after 10,000 warm-up runs; ` +
        `${fmt(r.rates[0])}-${fmt(r.rates[2])}; ${r.hits} hits in the first); ${fmt(r.all[0] / (r.all[1] / 1000))} schedules/s over ` +
        `100,000 runs in one call; ${fmt(r.cold[0] / (r.cold[1] / 1000))} schedules/s over a fresh process's first ${r.cold[0]} runs`,
    )
    .join("\n");
}

/**
 * Every built-in scenario on every kernel, exhaustively (stopping at the first counterexample, as explore
 * does), in a fresh process like randomRate.
 */
function allBuiltins() {
  const script = `
    const km = require(${JSON.stringify(join(ROOT, "kernel-model", "dist"))});
    const cells = [];
    for (const id of Object.keys(km.BUILTIN)) {
      for (const kernel of km.KERNEL_VERSIONS) {
        const p = km.prepareScenario(id, { kernel });
        const t0 = process.hrtime.bigint();
        const r = km.exhaustive(p, { maxMs: ${LIMIT_S * 1000} });
        cells.push({ cell: id + "@" + kernel, ms: Number(process.hrtime.bigint() - t0) / 1e6, schedules: r.schedules, cut: !r.failure && !r.exhausted });
      }
    }
    console.log(JSON.stringify(cells));`;
  const res = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  if (res.status !== 0) return `  (failed: ${res.stderr.trim().split("\n")[0]})`;
  const cells = JSON.parse(res.stdout);
  const ms = cells.reduce((a, c) => a + c.ms, 0);
  const schedules = cells.reduce((a, c) => a + c.schedules, 0);
  const cut = cells.filter((c) => c.cut).length;
  const top = [...cells].sort((a, b) => b.ms - a.ms).slice(0, 3).map((c) => `${c.cell} ${secs(c.ms)}`).join(", ");
  return `  ${cells.length} cells, ${fmt(schedules)} schedules, ${secs(ms)} in total${cut ? `, ${cut} cut by the limit` : ""} (slowest: ${top})`;
}

const spinThere = haveSpin();
console.log(`kernel-model explorer vs SPIN ${spinThere ? spawnSync("spin", ["-V"], { encoding: "utf8" }).stdout.trim() : "(not installed: apt-get install spin)"}; limit ${LIMIT_S} s per question and side\n`);
const head = ["question", "ours: answer", "states", "transitions", "schedules", "time", "SPIN: answer", "states", "transitions", "pan", "end to end", "ours/SPIN"];
const rows = [head];
const verdicts = [];
for (const pages of [1, 2, 4]) {
  for (const perPage of pages === 1 ? [false] : [false, true]) {
    for (const kernel of ["2.6.34", "2.6.36"]) {
      const q = `S1 ${pages}p ${perPage ? pages : 1}m ${kernel} ${kernel === "2.6.34" ? "first bug" : "exhaust"}`;
      const a = ours(pages, perPage, kernel);
      const b = spinThere ? spin(pages, perPage, kernel) : undefined;
      // A side cut by the limit took longer than its time: the ratio is then a bound.
      const ratio = !b || (!a.done && !b.done) ? "-" : `${a.done && !b.done ? "< " : !a.done ? "> " : ""}${(a.ms / b.ms).toFixed(2)}`;
      verdicts.push({ q, ratio, faster: a.done && a.ms < b?.ms, exhaust: kernel === "2.6.36", a, b });
      rows.push([q, a.answer, fmt(a.states), fmt(a.transitions), fmt(a.schedules), secs(a.ms), b?.answer ?? "-", fmt(b?.states), fmt(b?.transitions), secs(b?.panMs), secs(b?.ms), ratio]);
      process.stderr.write(`${q}: ours ${a.done ? secs(a.ms) : "cut"}, SPIN ${b ? (b.done ? secs(b.ms) : "cut") : "not installed"}\n`);
    }
  }
}
const widths = head.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join("  "));
if (spinThere) {
  const slower = verdicts.filter((v) => !v.faster);
  console.log(
    `\nfaster than SPIN end to end on ${verdicts.length - slower.length} of ${verdicts.length} questions` +
      (slower.length ? `; not on: ${slower.map((v) => `${v.q} (${v.ratio})`).join(", ")}` : ""),
  );
  // Raw speed against pan's, where both exhausted a space big enough to time (pan's clock counts in 0.01 s).
  const raw = verdicts.filter((v) => v.exhaust && v.a.done && v.b?.done && v.b.panMs >= 50);
  if (raw.length) {
    console.log("raw exploration speed, where pan ran for 0.05 s or more (its clock counts in 0.01 s):");
    for (const { q, a, b } of raw) {
      const ours = a.states / (a.ms / 1000);
      const pans = b.states / (b.panMs / 1000);
      console.log(
        `  ${q}: ours ${fmt(ours)} states/s, pan ${fmt(pans)} states/s (pan ${(pans / ours).toFixed(1)}x faster per state); ` +
          `SPIN stores ${(b.states / a.states).toFixed(1)}x as many states; pan's time / ours ${(b.panMs / a.ms).toFixed(2)}`,
      );
    }
  }
}
console.log("\nrandom exploration:");
console.log(randomRate());
console.log("\nexhaustive exploration of every built-in scenario on every kernel:");
console.log(allBuiltins());
console.log(
  "\nNotes: states are not counted alike. SPIN stores global states (with its partial-order reduction);\n" +
    "ours counts distinct keys at transaction boundaries (explore/movers.ts): the machine state plus each thread's\n" +
    "position and live variables (kernel paths are compiled to machines whose variables are data, build/resumable.js).\n" +
    "Ours is the default search: DPOR for up to 256 runs (bugs come early), then state caching with sleep sets and\n" +
    "persistent sets (explore/futures.ts), going back to a node by resuming a snapshot of the run there; schedules,\n" +
    "transitions and time count both passes, and include passes restarted when a mover classification or a\n" +
    "thread's learned future was contradicted.",
);
