// npm run exercises: generate exercises/ from solutions/ (nbgrader style). Answer regions between
// "// BEGIN SOLUTION" and "// END SOLUTION" become `throw new Error("not implemented");`, markdown answers between
// "<!-- BEGIN SOLUTION -->" and "<!-- END SOLUTION -->" become a prompt, cells with "// BEGIN HIDDEN TESTS" lose
// that region (and go away when nothing else is left), outputs are stripped. `--check` only compares.
import { readFileSync, writeFileSync, readdirSync, mkdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..");
export const SOLUTIONS = join(ROOT, "solutions");
export const EXERCISES = join(ROOT, "exercises");

const lines = (src) => (Array.isArray(src) ? src.join("") : src ?? "").split("\n");
const source = (ls) => {
  const text = ls.join("\n");
  const parts = text.split("\n").map((l, i, a) => (i < a.length - 1 ? `${l}\n` : l));
  return parts.length === 1 && parts[0] === "" ? [] : parts;
};

/** Replace each region between begin and end markers (inclusive) by `stub(indent)`. */
function replaceRegions(ls, begin, end, stub, where) {
  const out = [];
  for (let i = 0; i < ls.length; i++) {
    if (!ls[i].includes(begin)) {
      out.push(ls[i]);
      continue;
    }
    const indent = /^\s*/.exec(ls[i])[0];
    let j = i + 1;
    while (j < ls.length && !ls[j].includes(end)) j++;
    if (j === ls.length) throw new Error(`${where}: "${begin}" without "${end}"`);
    out.push(...stub(indent));
    i = j;
  }
  return out;
}

export const HIDDEN_BEGIN = "// BEGIN HIDDEN TESTS";
export const HIDDEN_END = "// END HIDDEN TESTS";

/** The student version of one solution notebook (a new object). */
export function makeExercise(nb, name = "notebook") {
  const cells = [];
  nb.cells.forEach((cell, i) => {
    const where = `${name} cell ${i}`;
    let ls = lines(cell.source);
    if (cell.cell_type === "code") {
      ls = replaceRegions(ls, "// BEGIN SOLUTION", "// END SOLUTION", (ind) => [`${ind}throw new Error("not implemented");`], where);
      const hadHidden = ls.some((l) => l.includes(HIDDEN_BEGIN));
      ls = replaceRegions(ls, HIDDEN_BEGIN, HIDDEN_END, () => [], where);
      if (hadHidden && !ls.join("").trim()) return;
      cells.push({ ...cell, source: source(ls), outputs: [], execution_count: null });
    } else {
      ls = replaceRegions(ls, "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->", () => ["_Write your answer here._"], where);
      cells.push({ ...cell, source: source(ls) });
    }
  });
  return { ...nb, cells };
}

export const serialize = (nb) => `${JSON.stringify(nb, null, 1)}\n`;

/** [{name, solution, exercise text}] for every solution notebook. */
export function generate() {
  return readdirSync(SOLUTIONS)
    .filter((n) => n.endsWith(".ipynb"))
    .sort()
    .map((name) => {
      const nb = JSON.parse(readFileSync(join(SOLUTIONS, name), "utf8"));
      return { name, text: serialize(makeExercise(nb, `solutions/${name}`)) };
    });
}

/** Differences between the committed exercises/ and the generated ones (empty when in sync). */
export function compare() {
  const want = generate();
  const have = readdirSync(EXERCISES).filter((n) => n.endsWith(".ipynb"));
  const problems = [];
  for (const { name, text } of want) {
    let cur = null;
    try {
      cur = readFileSync(join(EXERCISES, name), "utf8");
    } catch {}
    if (cur === null) problems.push(`exercises/${name} is missing`);
    else if (cur !== text) problems.push(`exercises/${name} differs from the one generated from solutions/${name}`);
  }
  for (const name of have) if (!want.some((w) => w.name === name)) problems.push(`exercises/${name} has no solutions/${name}`);
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const problems = compare();
    for (const p of problems) console.log(p);
    console.log(problems.length ? "exercises/ is out of date: run npm run exercises" : "exercises/ is up to date");
    process.exit(problems.length ? 1 : 0);
  }
  mkdirSync(EXERCISES, { recursive: true });
  for (const n of readdirSync(EXERCISES).filter((n) => n.endsWith(".ipynb"))) rmSync(join(EXERCISES, n));
  for (const { name, text } of generate()) {
    writeFileSync(join(EXERCISES, name), text);
    console.log(`exercises/${name}`);
  }
}
