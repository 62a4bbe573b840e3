// Executes notebooks with the tslab kernel and fails loudly on any error or stderr output.
//   node scripts/run-notebooks.mjs [--out DIR] [--html DIR] [--jobs N] NOTEBOOK.ipynb...
// tslab reports type errors and throws only as stderr text (no `error` output), and aborts the requests that
// follow an error, so a cell fails if it wrote to stderr, has an error output, printed a rejected Promise,
// or did not get an "ok" reply. Setup and build are the caller's job (book.mjs, test.mjs).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PYTHON, ROOT, jupyterEnv } from "./setup.mjs";

const EXECUTE = join(ROOT, "scripts", "execute_notebook.py");
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");
const text = (t) => (Array.isArray(t) ? t.join("") : (t ?? ""));

/** The first markdown heading of a notebook, without markup; else its file name. */
export function notebookTitle(nb, fallback) {
  for (const cell of nb.cells ?? []) {
    if (cell.cell_type !== "markdown") continue;
    const m = /^#{1,6}\s+(.+)$/m.exec(text(cell.source));
    if (m) return m[1].replace(/[`*_]/g, "").trim();
  }
  return fallback;
}

/**
 * The failing cells of an executed notebook: [{cell, count, firstLine, message}].
 * `status` maps a cell index to the kernel's reply status; `error` is the executor's exception, if any.
 */
export function checkNotebook(nb, { status = {}, error = null } = {}) {
  const failures = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const messages = [];
    for (const out of cell.outputs ?? []) {
      if (out.output_type === "stream" && out.name === "stderr") messages.push(text(out.text));
      if (out.output_type === "error") messages.push([`${out.ename}: ${out.evalue}`, ...(out.traceback ?? [])].join("\n"));
      if (out.output_type === "stream" && /Promise \{\s*<rejected>/.test(text(out.text))) messages.push(text(out.text));
    }
    const reply = status[index];
    if (!messages.length && reply === "abort")
      messages.push("the kernel aborted this cell (tslab aborts requests for 200 ms after an error)");
    else if (!messages.length && reply && reply !== "ok") messages.push(`the kernel replied "${reply}" without a message`);
    if (error && error.cell === index && !messages.length) messages.push(`${error.type}: ${error.message}`);
    if (messages.length) failures.push(describe(cell, index, messages.join("\n")));
  });
  if (error && !failures.length)
    failures.push({ cell: error.cell, count: null, firstLine: "", message: `${error.type}: ${error.message}` });
  return failures;
}

// Stack frames inside tslab, Node or the transpiled cell say nothing about the notebook; frames in kernel-model do.
const noise = /^\s+at .*(evalmachine\.<anonymous>|\(node:|node:vm|\/node_modules\/tslab\/|sigintHandlersWrap)/;

function describe(cell, index, message) {
  const firstLine = text(cell.source).split("\n").find((l) => l.trim()) ?? "";
  return { cell: index, count: cell.execution_count ?? null, firstLine, message: stripAnsi(message).split("\n").filter((l) => !noise.test(l)).join("\n").trimEnd() };
}

const shortPath = (p) => (relative(process.cwd(), p).startsWith("..") ? p : relative(process.cwd(), p));

/** A failure report that names the notebook, the cell (index, prompt, first line) and the message. */
export function formatFailures(path, failures, executed) {
  const lines = [];
  for (const f of failures) {
    const where = f.cell === null ? "before the first cell" : `cell index ${f.cell}${f.count ? ` (In [${f.count}])` : ""}`;
    lines.push(`  ${shortPath(path)}, ${where}${f.firstLine ? `: ${f.firstLine.trim().slice(0, 100)}` : ""}`);
    const msg = f.message.split("\n");
    for (const l of msg.slice(0, 25)) lines.push(`    | ${l}`);
    if (msg.length > 25) lines.push(`    | ... (${msg.length - 25} more lines)`);
  }
  if (executed && existsSync(executed)) lines.push(`  executed notebook: ${shortPath(executed)}`);
  return lines.join("\n");
}

/** Executes one notebook with its own directory (or `cwd`) as the kernel's cwd; resolves to {ok, seconds, failures, ...}. */
export function runNotebook(path, { executed, html, title, cwd = dirname(path), timeout = Number(process.env.NOTEBOOK_TIMEOUT || 120) }) {
  const started = Date.now();
  const args = [EXECUTE, path, executed, "--cwd", cwd, "--timeout", String(timeout)];
  if (html) args.push("--html", html, "--title", title);
  return new Promise((done) => {
    const child = spawn(PYTHON, args, { env: jupyterEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e) => (stderr += e.message));
    child.on("close", (code) => {
      const seconds = (Date.now() - started) / 1000;
      let failures;
      try {
        if (code !== 0) throw new Error();
        const report = JSON.parse(stdout.trim().split("\n").pop());
        failures = checkNotebook(JSON.parse(readFileSync(executed, "utf8")), report);
      } catch {
        failures = [{ cell: null, count: null, firstLine: "", message: `executor failed (exit ${code}):\n${stderr.trim()}` }];
      }
      if (failures.length && html) rmSync(html, { force: true }); // no page for a broken notebook
      done({ path, executed, html, title, seconds, ok: failures.length === 0, failures });
    });
  });
}

/**
 * Runs notebooks (at most `jobs` at a time), printing "[i/n] name ... ok (5.2 s)" per notebook and the failure
 * report under a failed one. Executed copies go to outDir/<parent dir>/<name>.ipynb, pages to htmlDir/<name>.html.
 */
export async function runNotebooks(paths, { outDir, htmlDir = null, jobs = 1, print = (s) => process.stdout.write(s) }) {
  const results = new Array(paths.length);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      const path = resolve(paths[i]);
      const name = basename(path, ".ipynb");
      const title = notebookTitle(JSON.parse(readFileSync(path, "utf8")), name);
      const prefix = `[${i + 1}/${paths.length}] ${name} ... `;
      if (jobs === 1) print(prefix);
      const r = await runNotebook(path, {
        executed: join(outDir, basename(dirname(path)), `${name}.ipynb`),
        html: htmlDir && join(htmlDir, `${name}.html`),
        title,
      });
      const line = `${r.ok ? "ok" : "FAILED"} (${r.seconds.toFixed(1)} s)\n`;
      print((jobs === 1 ? "" : prefix) + line + (r.ok ? "" : formatFailures(path, r.failures, r.executed) + "\n"));
      results[i] = r;
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, paths.length) }, worker));
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i < 0 ? dflt : args.splice(i, 2)[1];
  };
  const outDir = resolve(opt("--out", join(ROOT, "out")));
  const htmlDir = opt("--html", null);
  const jobs = Number(opt("--jobs", "1"));
  if (!args.length) {
    console.error("usage: node scripts/run-notebooks.mjs [--out DIR] [--html DIR] [--jobs N] NOTEBOOK.ipynb...");
    process.exit(2);
  }
  const results = await runNotebooks(args, { outDir, htmlDir: htmlDir && resolve(htmlDir), jobs });
  const failed = results.filter((r) => !r.ok).length;
  if (failed) console.log(`${failed} of ${results.length} notebooks failed`);
  process.exit(failed ? 1 : 0);
}
