// npm test: set up, build, jest, the book (every notebook is a test), every solution notebook, the book pages in
// headless Chromium, the runner's own failure reports, and `npm start`'s server. Ends with "N passed, N failed".
// Only Node built-ins are imported before setup(), because setup runs `npm ci` on a fresh clone.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { ROOT, build, setup } from "./setup.mjs";

let passed = 0;
let failed = 0;
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const indent = (s) => String(s).replace(/^/gm, "    ");

/** Counts and prints the outcome of a check that has run. */
function record(name, error, t0, note) {
  if (error) failed++;
  else passed++;
  const line = error ? `FAILED (${secs(t0)})\n${indent(error.message)}` : `ok (${secs(t0)}${note ? `, ${note}` : ""})`;
  console.log(`${name} ... ${line}`);
}

/** Runs one named check; a thrown error is a failure and its message is printed. */
async function check(name, fn) {
  const t0 = Date.now();
  try {
    record(name, null, t0, await fn());
  } catch (e) {
    record(name, e, t0);
  }
}

function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

const started = Date.now();
try {
  setup({ browser: true });
} catch (e) {
  console.log(`setup FAILED: ${e.message}`);
  failed++;
  finish();
}

/** Every check in order; counts go to `passed` and `failed`. */
async function suite() {
  await check("build kernel-model", () => build());
  await check("npx kernel-model list --json, from the repository root as the README says", () => {
    const r = spawnSync("npx", ["--no-install", "kernel-model", "list", "--json"], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`exit ${r.status}: ${(r.stderr || r.stdout).trim().split("\n")[0]}`);
    const list = JSON.parse(r.stdout);
    for (const k of ["scenarios", "kernels", "fixes"]) if (!Array.isArray(list[k]) || !list[k].length) throw new Error(`no ${k} in ${r.stdout.slice(0, 200)}`);
    return `${list.scenarios.length} scenarios, ${list.kernels.length} kernels, ${list.fixes.length} fixes`;
  });

  // jest: count its tests (a suite that cannot even run counts as one failure).
  {
    const t0 = Date.now();
    const report = join(ROOT, "out", "jest.json");
    mkdirSync(join(ROOT, "out"), { recursive: true });
    rmSync(report, { force: true });
    console.log("jest:");
    spawnSync(process.execPath, [join(ROOT, "node_modules", "jest", "bin", "jest.js"), "--ci", "--json", `--outputFile=${report}`], {
      cwd: ROOT,
      stdio: "inherit",
    });
    if (existsSync(report)) {
      const j = JSON.parse(readFileSync(report, "utf8"));
      const f = j.numFailedTests + j.numRuntimeErrorTestSuites;
      passed += j.numPassedTests;
      failed += f;
      console.log(`jest ... ${j.numPassedTests} passed, ${f} failed (${secs(t0)})`);
    } else {
      failed++;
      console.log(`jest ... FAILED: no report (${secs(t0)})`);
    }
  }

  const { buildBook, notebooksIn, OUT } = await import("./book.mjs");
  await check("notebooks/ and solutions/ are stored without outputs, for the tslab kernel", () => {
    const bad = [];
    for (const path of [...notebooksIn(join(ROOT, "notebooks")), ...notebooksIn(join(ROOT, "solutions"))]) {
      const nb = JSON.parse(readFileSync(path, "utf8"));
      const name = basename(path);
      if (nb.metadata?.kernelspec?.name !== "tslab") bad.push(`${name}: kernelspec is not tslab`);
      nb.cells.forEach((c, i) => {
        if (c.cell_type === "code" && (c.outputs?.length || c.execution_count != null)) bad.push(`${name}: cell index ${i} has outputs`);
      });
    }
    if (bad.length) throw new Error(bad.join("\n"));
  });

  // The book: executing its notebooks is their test, and the pages are reused by the browser check.
  const count = (results) => results.forEach((r) => (r.ok ? passed++ : failed++));
  console.log("notebooks (the book):");
  const book = await buildBook();
  count(book);
  // Coursework: exercises/ is generated from solutions/; a solution grades full marks, an unsolved exercise zero,
  // failing each of its checks with "not implemented" and nothing else.
  const { compare } = await import("./exercises.mjs");
  await check("exercises/ equals what npm run exercises generates from solutions/", () => {
    const problems = compare();
    if (problems.length) throw new Error(problems.join("\n"));
  });
  const { grade } = await import("./grade.mjs");
  const { runNotebook } = await import("./run-notebooks.mjs");
  const gradeCheck = (path, want) => async () => {
    const g = await grade(path, { runNotebook, outDir: join(OUT, "grade", basename(join(path, ".."))) });
    if (g.error) throw new Error(`cell index ${g.error.cell}: ${g.error.message}`);
    if (!g.total) throw new Error("no checks");
    const bad = want === "full" ? g.checks.filter((c) => !c.pass) : g.checks.filter((c) => c.pass || c.reason !== "not implemented");
    if (bad.length) throw new Error(bad.map((c) => `${c.name}: ${c.pass ? "passed" : c.reason}`).join("\n"));
    return `${g.passed}/${g.total}`;
  };
  const solutions = notebooksIn(join(ROOT, "solutions"));
  console.log(solutions.length ? "coursework:" : "coursework: no solutions yet");
  const jobs = [];
  for (const sol of solutions) {
    jobs.push([`solution ${basename(sol)} executes and grades full marks`, gradeCheck(sol, "full")]);
    const ex = join(ROOT, "exercises", basename(sol));
    jobs.push([`exercise ${basename(sol)} unsolved: every check fails with "not implemented"`, gradeCheck(ex, "zero")]);
  }
  for (let i = 0; i < jobs.length; i += 2) {
    const t0 = Date.now();
    const pair = jobs.slice(i, i + 2);
    const outcomes = await Promise.all(pair.map(([, fn]) => fn().then((note) => ({ note }), (error) => ({ error }))));
    pair.forEach(([name], j) => record(name, outcomes[j].error ?? null, t0, outcomes[j].note));
  }

  // The rendered pages in a real browser.
  const { openBrowser } = await import("./test/browser.mjs");
  let browser = null;
  await check("chromium starts", async () => void (browser = await openBrowser()));
  if (browser) {
    await check("book/index.html lists every notebook", async () => {
      const index = join(ROOT, "book", "index.html");
      if (!existsSync(index)) throw new Error("book/index.html was not written");
      const html = readFileSync(index, "utf8");
      const missing = book.filter((r) => !html.includes(`href="${basename(r.html)}"`)).map((r) => basename(r.path));
      if (missing.length) throw new Error(`not listed: ${missing.join(", ")}`);
      await browser.check(index);
    });
    for (const r of book.filter((r) => r.ok)) {
      const name = basename(r.html);
      const minPlots = 1; // every page of the walkthrough shows at least one rendered plot
      await check(`browser: book/${name} renders its plots`, async () => {
        const p = await browser.check(r.html, { minPlots });
        return `plots: ${p.plots}, traces: ${p.traces}`;
      });
    }
    if (!book.some((r) => r.ok && basename(r.path) === "00-getting-started.ipynb")) {
      failed++;
      console.log("browser: book/00-getting-started.html ... FAILED (no such page)");
    }
    await browser.close();
  }

  // The runner's failure reports, two fixtures at a time (each starts a kernel).
  const { FIXTURES, checkFixture } = await import("./test/runner.mjs");
  const fixtures = notebooksIn(FIXTURES);
  for (let i = 0; i < fixtures.length; i += 2) {
    const t0 = Date.now();
    const pair = fixtures.slice(i, i + 2);
    const errors = await Promise.all(pair.map((f) => checkFixture(f).then(() => null, (e) => e)));
    pair.forEach((f, j) => record(`runner: ${basename(f)} fails naming the notebook, cell and message`, errors[j], t0));
  }

  // npm start's server, through its REST API.
  const { checkServer } = await import("./test/server.mjs");
  for (const r of await checkServer()) record(`server: ${r.name}`, r.error && new Error(r.error), r.started, null);
}

try {
  await suite();
} catch (e) {
  failed++; // a bug in the harness itself must not end the run without the final line
  console.log(`test harness crashed: ${e.stack}`);
}
console.log(`(${secs(started)} in all)`);
finish();
