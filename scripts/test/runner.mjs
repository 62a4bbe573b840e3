// Tests of the notebook runner itself: each fixture has a broken cell, described in its metadata.runner_test
// ({cell, message}); the runner must fail and name the notebook, that cell (index and first line) and the message.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ROOT } from "../setup.mjs";

export const FIXTURES = join(ROOT, "scripts", "test", "fixtures");

function runCli(args) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "run-notebooks.mjs"), ...args], { cwd: ROOT });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => done({ code, out }));
  });
}

/** Runs one fixture through the runner's command line; throws with the runner's output if it misreports. */
export async function checkFixture(path) {
  const nb = JSON.parse(readFileSync(path, "utf8"));
  const expected = nb.metadata.runner_test;
  const cell = nb.cells[expected.cell];
  const firstLine = [].concat(cell.source).join("").split("\n")[0].trim();
  const out = mkdtempSync(join(tmpdir(), "anonvma-runner-"));
  try {
    const r = await runCli(["--out", out, path]);
    const problems = [];
    if (r.code === 0) problems.push("the runner exited 0");
    const must = [relative(ROOT, path), `cell index ${expected.cell}`, firstLine, expected.message];
    for (const s of must) if (!r.out.includes(s)) problems.push(`output lacks ${JSON.stringify(s)}`);
    // tslab aborts the cells after an error: only the broken cell may be blamed.
    const blamed = [...r.out.matchAll(/cell index (\d+)/g)].map((m) => Number(m[1]));
    if (blamed.some((c) => c !== expected.cell)) problems.push(`blames cells ${blamed.join(", ")}`);
    if (problems.length) throw new Error(problems.join("; ") + "\n" + r.out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
