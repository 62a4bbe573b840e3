// npm run grade -- STUDENT.ipynb...: put the hidden tests of the matching solutions/ notebook back into a submitted
// exercise, execute it with the tslab kernel, and print every check, pass/fail per exercise and a score.
// Robust to tslab: a cell that errors stops execution (later checks count as "not run"), errors arrive on stderr.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HIDDEN_BEGIN, SOLUTIONS } from "./exercises.mjs";
import { ROOT } from "./setup.mjs";

const text = (t) => (Array.isArray(t) ? t.join("") : (t ?? ""));
const CHECK = /^CHECK (\S+): (PASS|FAIL)(?: (.*))?$/;

/** The names of the checks a notebook contains, in order (from `check("name", ...)` calls). */
export function checkNames(nb) {
  const names = [];
  for (const c of nb.cells) if (c.cell_type === "code") for (const m of text(c.source).matchAll(/\bcheck\(\s*"([^"]+)"/g)) names.push(m[1]);
  return names;
}

/** The solution notebook for a submission: same file name in solutions/, or metadata.anonvma.exercise. */
export function solutionFor(nb, path) {
  const id = nb.metadata?.anonvma?.exercise;
  const byId = id && join(SOLUTIONS, `${id}.ipynb`);
  if (byId && existsSync(byId)) return byId;
  const byName = join(SOLUTIONS, basename(path));
  if (existsSync(byName)) return byName;
  throw new Error(`${path}: not an exercise of this course (no solutions/${basename(path)} and no metadata.anonvma.exercise)`);
}

/** The submission with the solution's hidden-test cells put back after the cell that precedes them there. */
export function withHiddenTests(student, solution) {
  const cells = [...student.cells];
  solution.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code" || !text(cell.source).includes(HIDDEN_BEGIN)) return;
    if (cells.some((c) => c.id === cell.id)) return;
    const prev = solution.cells.slice(0, i).reverse().find((c) => cells.some((s) => s.id === c.id));
    const at = prev ? cells.findIndex((c) => c.id === prev.id) + 1 : cells.length;
    cells.splice(at, 0, { ...cell, outputs: [], execution_count: null });
  });
  return { ...student, cells };
}

/** Read the CHECK lines of an executed notebook: {name: {pass, reason}}. */
export function readChecks(executed) {
  const got = {};
  for (const c of executed.cells) {
    for (const o of c.outputs ?? []) {
      if (o.output_type !== "stream" || o.name !== "stdout") continue;
      for (const line of text(o.text).split("\n")) {
        const m = CHECK.exec(line.trim());
        if (m) got[m[1]] = { pass: m[2] === "PASS", reason: m[3] ?? "" };
      }
    }
  }
  return got;
}

/** Grade one submission: {exercise, checks: [{name, pass, reason}], passed, total}. */
export async function grade(path, { runNotebook, outDir = join(ROOT, "out", "grade") }) {
  const student = JSON.parse(readFileSync(path, "utf8"));
  const solPath = solutionFor(student, path);
  const solution = JSON.parse(readFileSync(solPath, "utf8"));
  const merged = withHiddenTests(student, solution);
  // Execute next to the solutions so relative paths behave as in the course; never write into solutions/.
  mkdirSync(outDir, { recursive: true });
  const name = basename(solPath, ".ipynb");
  const input = join(outDir, `${name}.graded-input.ipynb`);
  writeFileSync(input, JSON.stringify(merged));
  const r = await runNotebook(input, { executed: join(outDir, `${name}.graded.ipynb`), cwd: dirname(solPath) });
  const got = existsSync(r.executed) ? readChecks(JSON.parse(readFileSync(r.executed, "utf8"))) : {};
  const names = checkNames(solution);
  const checks = names.map((n) => (got[n] ? { name: n, ...got[n] } : { name: n, pass: false, reason: "not run (an earlier cell failed)" }));
  const firstError = r.failures?.[0];
  return { exercise: name, checks, passed: checks.filter((c) => c.pass).length, total: checks.length, error: firstError };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const paths = process.argv.slice(2);
  if (!paths.length) {
    console.log("usage: npm run grade -- NOTEBOOK.ipynb [...]   (a submitted exercise notebook)");
    process.exit(2);
  }
  for (const p of paths) {
    if (!existsSync(p)) {
      console.log(`cannot read ${p}: no such file`);
      process.exit(2);
    }
  }
  const { setup, build } = await import("./setup.mjs");
  setup();
  build();
  const { runNotebook } = await import("./run-notebooks.mjs");
  let score = 0;
  let total = 0;
  for (const p of paths) {
    let g;
    try {
      g = await grade(resolve(p), { runNotebook });
    } catch (e) {
      console.log(e.message);
      process.exit(2);
    }
    console.log(`${g.exercise}: ${g.passed === g.total ? "PASS" : "FAIL"} (${g.passed}/${g.total})`);
    for (const c of g.checks) console.log(`  ${c.pass ? "pass" : "FAIL"} ${c.name}${c.pass ? "" : `: ${c.reason}`}`);
    if (g.error && g.passed < g.total) console.log(`  first error: cell index ${g.error.cell}: ${g.error.message.split("\n")[0]}`);
    score += g.passed;
    total += g.total;
  }
  console.log(`score: ${score}/${total}`);
}
