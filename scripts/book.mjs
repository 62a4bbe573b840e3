// npm run book: set up, build kernel-model, execute every notebooks/*.ipynb and write the HTML book to book/.
// Executed notebooks go to out/notebooks/ (git-ignored), never back into notebooks/. BOOK_JOBS=2 runs two at once.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, build, setup } from "./setup.mjs";

export const BOOK = join(ROOT, "book");
export const OUT = join(ROOT, "out");

/** The .ipynb files of a folder, in name order (the walkthrough is numbered). */
export function notebooksIn(dir) {
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {}
  return names.filter((n) => n.endsWith(".ipynb")).sort().map((n) => join(dir, n));
}

const escapeHtml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function indexHtml(results) {
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout?.trim();
  const items = results
    .map((r) => `    <li><a href="${escapeHtml(basename(r.html))}">${escapeHtml(r.title)}</a> <small>${escapeHtml(basename(r.path))}</small></li>`)
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>anonvma-lab</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
  li { margin: 0.4rem 0; } small { color: #777; margin-left: 0.5rem; }
</style>
</head>
<body>
<h1>anonvma-lab</h1>
<p>The walkthrough of the 2010 Linux anon_vma / page-migration race, executed with the tslab kernel.</p>
<ol>
${items}
</ol>
<p><small>Built by <code>npm run book</code>${commit ? ` at commit ${escapeHtml(commit)}` : ""}, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC.</small></p>
</body>
</html>
`;
}

/**
 * Executes the notebooks of notebooks/ into book/ (a page each, plus index.html when all pass).
 * Returns the per-notebook results of runNotebooks. Expects setup and build to have run.
 */
export async function buildBook({ jobs = Number(process.env.BOOK_JOBS || 1) } = {}) {
  const { runNotebooks } = await import("./run-notebooks.mjs");
  rmSync(BOOK, { recursive: true, force: true }); // no stale pages or index after a failure
  mkdirSync(BOOK, { recursive: true });
  const results = await runNotebooks(notebooksIn(join(ROOT, "notebooks")), { outDir: OUT, htmlDir: BOOK, jobs });
  if (results.length && results.every((r) => r.ok)) writeFileSync(join(BOOK, "index.html"), indexHtml(results));
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  try {
    setup();
    build();
  } catch (e) {
    console.error(`book: ${e.message}`);
    process.exit(1);
  }
  const results = await buildBook();
  const failed = results.filter((r) => !r.ok);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (!results.length) console.log("book: no notebooks in notebooks/");
  else if (failed.length) console.log(`book: ${failed.length} of ${results.length} notebooks failed (see above); no index written`);
  else console.log(`book: book/index.html with ${results.length} notebook${results.length > 1 ? "s" : ""} (${secs} s)`);
  process.exit(failed.length || !results.length ? 1 : 0);
}
