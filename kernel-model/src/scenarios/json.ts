/**
 * Scenarios as JSON files: a hand-written validator that mirrors schema/scenario.schema.json and adds the checks a
 * schema cannot express (unique names, references to mms and pages). Every problem is a ScenarioError whose one-line
 * message names the file, the path inside it, and what was expected.
 */
import * as fs from "fs";
import * as path from "path";
import { OP_NAMES, type Op, type OpName, type ScenarioSpec } from "./spec";

/** Absolute path of the scenario JSON Schema (the package ships the "schema" folder next to "dist"). */
export const SCENARIO_SCHEMA_PATH = path.resolve(__dirname, "../../schema/scenario.schema.json");

/** A scenario that cannot be read, parsed or validated. Only the first problem found is reported. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";

  constructor(
    /** Where the problem is, e.g. `threads[1].ops[0].addr`; "" for the whole document. */
    readonly path: string,
    /** What was expected there, e.g. "a non-negative integer page number". */
    readonly expected: string,
    /** The problem itself; the message prefixes it with the source and the path. */
    detail: string,
    /** The file name, when the scenario came from a file. */
    readonly source?: string,
    /** 1-based position of a JSON syntax error, when the parser reports one. */
    readonly position?: { readonly line: number; readonly column: number },
  ) {
    super([source, path, detail].filter((s) => s).join(": "));
  }
}

/**
 * How a field is checked. The mm and page kinds also say whether the field creates a name or refers to one, which
 * drives the reference checks.
 */
export type FieldKind =
  | "mm" // an mm created earlier
  | "mm_any" // mmap's mm: an existing mm, or a new one
  | "mm_new" // fork's child, exec's mm: a new mm
  | "page_no" // a virtual page number
  | "count" // a positive integer
  | "bool"
  | "prot"
  | "page_def" // names the page the op allocates
  | "page_defs" // names several pages (exec's argument pages)
  | "page_ref"; // a page named by a setup op

/** The rule for one field of an op. */
export interface FieldRule {
  readonly kind: FieldKind;
  readonly optional?: boolean;
}

type OpOf<K extends OpName> = Extract<Op, { op: K }>;
/** Exactly the fields of the op's type in spec.ts (but `op`), optional exactly where the type says so. */
type OpRules<K extends OpName> = {
  readonly [F in Exclude<keyof OpOf<K>, "op">]-?: {} extends Pick<OpOf<K>, F>
    ? { readonly kind: FieldKind; readonly optional: true }
    : { readonly kind: FieldKind; readonly optional?: false };
};

const req = (kind: FieldKind) => ({ kind });
const opt = (kind: FieldKind) => ({ kind, optional: true as const });

/** The fields each op accepts, in the order they are checked and listed in messages; the schema must agree. */
export const OP_FIELDS: { readonly [K in OpName]: OpRules<K> } = {
  mmap: { mm: req("mm_any"), start: req("page_no"), end: req("page_no"), prot: opt("prot"), growsdown: opt("bool") },
  touch: { mm: req("mm"), addr: req("page_no"), write: opt("bool"), page: opt("page_def") },
  grow_stack: { mm: req("mm"), addr: req("page_no"), page: opt("page_def") },
  fork: { mm: req("mm"), child: req("mm_new") },
  mprotect: { mm: req("mm"), start: req("page_no"), end: req("page_no"), prot: req("prot") },
  migrate: { page: req("page_ref") },
  exec_begin: { mm: req("mm_new"), argPages: req("count"), pages: opt("page_defs") },
  exec_finish: { mm: req("mm"), shift: req("count") },
  exec: { mm: req("mm_new"), argPages: req("count"), shift: req("count"), pages: opt("page_defs") },
  mremap: { mm: req("mm"), old: req("page_no"), len: req("count"), new: req("page_no") },
  exit: { mm: req("mm") },
  add_to_swap: { page: req("page_ref") },
};

const EXPECTED: Record<FieldKind, string> = {
  mm: "an mm name (a non-empty string)",
  mm_any: "an mm name (a non-empty string)",
  mm_new: "an mm name (a non-empty string)",
  page_no: "a non-negative integer page number",
  count: "a positive integer",
  bool: "true or false",
  prot: 'one of "rw", "r", "none"',
  page_def: "a page name (a non-empty string)",
  page_defs: "an array of page names",
  page_ref: "a page name (a non-empty string)",
};

const TOP_FIELDS = ["$schema", "id", "title", "description", "setup", "threads", "schedule"];
const THREAD_FIELDS = ["name", "ops"];
const THREAD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const PAGE_NAMERS = 'touch/grow_stack "page" or exec_begin/exec "pages"';

const isString = (v: unknown): v is string => typeof v === "string";
const isName = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isInt = (v: unknown, min: number) => typeof v === "number" && Number.isInteger(v) && v >= min;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function fits(kind: FieldKind, v: unknown): boolean {
  switch (kind) {
    case "page_no": return isInt(v, 0);
    case "count": return isInt(v, 1);
    case "bool": return typeof v === "boolean";
    case "prot": return v === "rw" || v === "r" || v === "none";
    case "page_defs": return Array.isArray(v);
    default: return isName(v);
  }
}

/**
 * Checks that `value` is a well-formed scenario (shape and types as in the schema, plus name uniqueness and mm/page
 * references) and returns it as a ScenarioSpec, without any "$schema" key. Throws a ScenarioError on the first problem.
 */
export function validateScenario(value: unknown, source?: string): ScenarioSpec {
  return new Checker(source).scenario(value);
}

/** JSON.parse, then validateScenario; a syntax error becomes a ScenarioError with its line and column when known. */
export function parseScenario(text: string, source?: string): ScenarioSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(text, messageOf(e), source);
  }
  return validateScenario(value, source);
}

/** Reads, parses and validates a scenario file; the file name appears in every error message. */
export function loadScenarioFile(file: string): ScenarioSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    // Node's message repeats the path after the syscall name: "ENOENT: no such file or directory, open 'x.json'".
    const reason = messageOf(e).replace(/, \w+ '.*'$/, "");
    throw new ScenarioError("", "a readable file", `cannot read ${file}: ${reason}`);
  }
  return parseScenario(text, file);
}

function jsonSyntaxError(text: string, message: string, source?: string): ScenarioError {
  // V8 reports "... in JSON at position N" for most errors (Node 22 adds "(line L column C)"), nothing for some.
  const at = /\s*in JSON at position (\d+).*$/.exec(message);
  const offset = at ? Number(at[1]) : /end of JSON input/.test(message) ? text.length : undefined;
  const reason = (at ? message.slice(0, at.index) : message).replace(/\r?\n/g, "\\n");
  if (offset === undefined) return new ScenarioError("", "valid JSON", `invalid JSON: ${reason}`, source);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return new ScenarioError("", "valid JSON", `invalid JSON at line ${line}, column ${column}: ${reason}`, source, {
    line,
    column,
  });
}

// Not `instanceof Error`: errors from another realm (fs under jest's vm) fail that test.
const messageOf = (e: unknown) => (typeof (e as Error | null)?.message === "string" ? (e as Error).message : String(e));

const join = (at: string, key: string) => (at ? `${at}.${key}` : key);

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object" && v !== null) return "an object";
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** `; did you mean "x"?` for the closest candidate within edit distance 2, else "". */
function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best === undefined ? "" : `; did you mean "${best}"?`;
}

/** Mms visible to an op, each with the path of the op field that created it. */
type MmScope = Map<string, string>;

class Checker {
  /** Every page name, where it was defined, and whether a setup op defined it (only those may be migrated). */
  private readonly pages = new Map<string, { at: string; inSetup: boolean }>();
  /** Mms created by fork or exec, in any thread: their names must be new. */
  private readonly newMms = new Map<string, string>();

  constructor(private readonly source?: string) {}

  scenario(value: unknown): ScenarioSpec {
    const s = this.record(value, "", "a scenario object", TOP_FIELDS);
    this.prop(s, "", "$schema", "a string", isString, true);
    this.prop(s, "", "id", "a non-empty string", isName);
    this.prop(s, "", "title", "a string", isString, true);
    this.prop(s, "", "description", "a string", isString, true);
    const setupMms: MmScope = new Map();
    this.list(s, "", "setup", "an array of operations").forEach((op, i) => this.op(op, `setup[${i}]`, setupMms, true));
    const threadNames = new Map<string, string>();
    this.list(s, "", "threads", "an array of threads").forEach((t, i) =>
      this.thread(t, `threads[${i}]`, threadNames, setupMms),
    );
    this.prop(s, "", "schedule", "a schedule string", isString, true);
    const { $schema: _schema, ...spec } = s;
    return spec as unknown as ScenarioSpec;
  }

  private thread(value: unknown, at: string, names: Map<string, string>, setupMms: MmScope): void {
    const t = this.record(value, at, "a thread object ({ name, ops })", THREAD_FIELDS);
    const expected = 'a thread name (a letter, then letters, digits or "_")';
    const name = this.prop(t, at, "name", expected, (v) => isString(v) && THREAD_NAME.test(v)) as string;
    const nameAt = join(at, "name");
    if (name === "init") this.fail(nameAt, 'a name other than "init"', '"init" is reserved for the setup thread');
    const other = names.get(name);
    if (other) this.fail(nameAt, "a unique thread name", `duplicate thread name "${name}" (also ${other})`);
    names.set(name, at);
    const mms: MmScope = new Map(setupMms); // a thread sees setup's mms and those its own earlier ops created
    const ops = this.list(t, at, "ops", "an array of operations");
    ops.forEach((op, i) => this.op(op, `${at}.ops[${i}]`, mms, false));
  }

  private op(value: unknown, at: string, mms: MmScope, inSetup: boolean): void {
    if (!isRecord(value)) this.fail(at, "an operation object", `expected an operation object, got ${show(value)}`);
    const expectedOp = `one of ${OP_NAMES.join(", ")}`;
    const name = this.prop(value, at, "op", expectedOp, isString) as string;
    if (!(OP_NAMES as readonly string[]).includes(name)) {
      const detail = `unknown operation ${JSON.stringify(name)}; expected ${expectedOp}${suggest(name, OP_NAMES)}`;
      this.fail(join(at, "op"), expectedOp, detail);
    }
    const rules = OP_FIELDS[name as OpName] as Readonly<Record<string, FieldRule>>;
    this.onlyKeys(value, at, Object.keys(rules), ["op"]);
    for (const [key, rule] of Object.entries(rules)) {
      const v = this.prop(value, at, key, EXPECTED[rule.kind], (x) => fits(rule.kind, x), rule.optional);
      if (v !== undefined) this.names(rule.kind, v, join(at, key), mms, inSetup);
    }
    const { start, end, argPages, pages } = value;
    if ((name === "mmap" || name === "mprotect") && (end as number) <= (start as number)) {
      const expected = `a page number greater than start (${String(start)})`;
      this.fail(join(at, "end"), expected, `expected ${expected}, got ${show(end)}`);
    }
    if (Array.isArray(pages) && pages.length !== argPages) {
      const expected = `${String(argPages)} page names (one per argPages)`;
      this.fail(join(at, "pages"), expected, `expected ${expected}, got ${pages.length}`);
    }
  }

  /** The reference checks: names created and names used, in scenario order. */
  private names(kind: FieldKind, v: unknown, at: string, mms: MmScope, inSetup: boolean): void {
    switch (kind) {
      case "mm": {
        const name = v as string;
        if (mms.has(name)) return;
        const where = inSetup ? "no earlier setup op" : "neither setup nor an earlier op of this thread";
        const detail = `unknown mm "${name}": ${where} creates it (mmap, fork's child, exec_begin, exec)`;
        this.fail(at, "an mm created by an earlier op", detail);
      }
      case "mm_any":
        if (!mms.has(v as string)) mms.set(v as string, at);
        return;
      case "mm_new": {
        const name = v as string;
        const other = mms.get(name) ?? this.newMms.get(name);
        if (other !== undefined) {
          this.fail(at, "a new mm name", `mm "${name}" already exists (created at ${other}); this op creates a new mm`);
        }
        mms.set(name, at);
        this.newMms.set(name, at);
        return;
      }
      case "page_def":
        return this.definePage(v as string, at, inSetup);
      case "page_defs":
        return (v as unknown[]).forEach((p, i) => {
          const pAt = `${at}[${i}]`;
          if (!isName(p)) this.fail(pAt, EXPECTED.page_def, `expected ${EXPECTED.page_def}, got ${show(p)}`);
          this.definePage(p, pAt, inSetup);
        });
      case "page_ref": {
        const name = v as string;
        const def = this.pages.get(name);
        if (def?.inSetup) return;
        // In setup only earlier ops have been seen, so "a setup op" means "an earlier setup op" there.
        const by = inSetup ? "an earlier setup op" : "a setup op";
        const elsewhere = def ? ` (only by ${def.at}, in a thread)` : "";
        const detail = `page "${name}" is not named by ${by}${elsewhere}; pages are named by ${PAGE_NAMERS}`;
        this.fail(at, `a page named by ${by}`, detail);
      }
      default:
        return;
    }
  }

  /** A thread may name a set-up page again: its new page reuses that page's frame once it is freed (S9). */
  private definePage(name: string, at: string, inSetup: boolean): void {
    const other = this.pages.get(name);
    const reuse = other !== undefined && other.inSetup && !inSetup;
    if (other && !reuse) this.fail(at, "a page name not used before", `duplicate page name "${name}" (already at ${other.at})`);
    if (reuse) return;
    this.pages.set(name, { at, inSetup });
  }

  private record(value: unknown, at: string, what: string, accepted: readonly string[]): Record<string, unknown> {
    if (!isRecord(value)) this.fail(at, what, `expected ${what}, got ${show(value)}`);
    this.onlyKeys(value, at, accepted);
    return value;
  }

  /** Rejects keys outside `accepted` and `implicit` (allowed but not worth listing, like an op's "op"). */
  private onlyKeys(obj: Record<string, unknown>, at: string, accepted: readonly string[], implicit: string[] = []) {
    const unknown = Object.keys(obj).find((k) => !accepted.includes(k) && !implicit.includes(k));
    if (unknown === undefined) return;
    const list = accepted.join(", ");
    const detail = `unknown property ${JSON.stringify(unknown)}; accepted: ${list}${suggest(unknown, accepted)}`;
    this.fail(at, `one of ${list}`, detail);
  }

  private prop(
    obj: Record<string, unknown>,
    at: string,
    key: string,
    expected: string,
    ok: (v: unknown) => boolean,
    optional = false,
  ): unknown {
    const v = obj[key];
    if (v === undefined && optional) return undefined;
    if (v === undefined) this.fail(join(at, key), expected, `missing; expected ${expected}`);
    if (!ok(v)) this.fail(join(at, key), expected, `expected ${expected}, got ${show(v)}`);
    return v;
  }

  private list(obj: Record<string, unknown>, at: string, key: string, expected: string): unknown[] {
    return this.prop(obj, at, key, expected, Array.isArray) as unknown[];
  }

  private fail(at: string, expected: string, detail: string): never {
    throw new ScenarioError(at, expected, detail, this.source);
  }
}
