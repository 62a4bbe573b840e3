import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  OP_FIELDS,
  SCENARIO_SCHEMA_PATH,
  ScenarioError,
  loadScenarioFile,
  parseScenario,
  validateScenario,
} from "../../src/scenarios/json";
import { OP_NAMES, type ScenarioSpec } from "../../src/scenarios/spec";

/** S1 of the reference: mprotect splits V while the migrator's rmap_walk looks for p28. */
const s1 = (): ScenarioSpec => ({
  id: "S1",
  title: "mprotect split races remove_migration_ptes",
  setup: [
    { op: "mmap", mm: "M", start: 16, end: 32 },
    { op: "touch", mm: "M", addr: 28, write: true, page: "P" },
  ],
  threads: [
    { name: "M", ops: [{ op: "migrate", page: "P" }] },
    { name: "T", ops: [{ op: "mprotect", mm: "M", start: 20, end: 32, prot: "r" }] },
    { name: "F", ops: [{ op: "touch", mm: "M", addr: 28 }] },
  ],
  schedule: "M T M T F",
});

/** S1 with one change applied to a deep copy (the change may break its types on purpose). */
function s1With(change: (s: any) => void): unknown {
  const s = JSON.parse(JSON.stringify(s1()));
  change(s);
  return s;
}

/** The error validateScenario throws for `value`. */
function errorOf(value: unknown, source = "my.json"): ScenarioError {
  try {
    validateScenario(value, source);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("validateScenario accepts", () => {
  test("S1 as written, returning the same content", () => {
    expect(validateScenario(s1(), "s1.json")).toEqual(s1());
  });

  test("a $schema key, which it drops", () => {
    const spec = validateScenario({ $schema: "../schema/scenario.schema.json", ...s1() });
    expect(spec).toEqual(s1());
  });

  test("mms created by fork and exec, and by a thread's own earlier op", () => {
    const spec: ScenarioSpec = {
      id: "refs",
      setup: [
        { op: "mmap", mm: "P", start: 8, end: 16, growsdown: true },
        { op: "touch", mm: "P", addr: 12, page: "S" },
        { op: "fork", mm: "P", child: "C" },
        { op: "exec_begin", mm: "E", argPages: 2, pages: ["A0", "A1"] },
      ],
      threads: [
        { name: "M", ops: [{ op: "migrate", page: "A0" }, { op: "add_to_swap", page: "S" }] },
        { name: "X", ops: [{ op: "exec_finish", mm: "E", shift: 4 }, { op: "touch", mm: "E", addr: 0 }] },
        { name: "child_1", ops: [{ op: "grow_stack", mm: "C", addr: 7 }, { op: "exit", mm: "C" }] },
        {
          name: "Q",
          ops: [
            { op: "exec", mm: "N", argPages: 1, shift: 2 },
            { op: "mremap", mm: "N", old: 0, len: 1, new: 9 },
          ],
        },
      ],
    };
    expect(validateScenario(spec)).toEqual(spec);
  });
});

describe("validateScenario reports the first problem, with source, path and expectation", () => {
  test.each<[string, (s: any) => void, string, string]>([
    [
      "a string page number",
      (s) => (s.threads[1].ops[0] = { op: "touch", mm: "M", addr: "28" }),
      "threads[1].ops[0].addr",
      'my.json: threads[1].ops[0].addr: expected a non-negative integer page number, got "28"',
    ],
    [
      "a negative page number",
      (s) => (s.setup[0].start = -1),
      "setup[0].start",
      "my.json: setup[0].start: expected a non-negative integer page number, got -1",
    ],
    [
      "a fractional page number",
      (s) => (s.setup[1].addr = 28.5),
      "setup[1].addr",
      "my.json: setup[1].addr: expected a non-negative integer page number, got 28.5",
    ],
    [
      "a missing required field",
      (s) => delete s.threads[1].ops[0].prot,
      "threads[1].ops[0].prot",
      'my.json: threads[1].ops[0].prot: missing; expected one of "rw", "r", "none"',
    ],
    [
      "a bad prot",
      (s) => (s.threads[1].ops[0].prot = "ro"),
      "threads[1].ops[0].prot",
      'my.json: threads[1].ops[0].prot: expected one of "rw", "r", "none", got "ro"',
    ],
    [
      "a missing id",
      (s) => delete s.id,
      "id",
      "my.json: id: missing; expected a non-empty string",
    ],
    [
      "a non-string schedule",
      (s) => (s.schedule = ["M", "T"]),
      "schedule",
      "my.json: schedule: expected a schedule string, got an array",
    ],
    [
      "threads that are not an array",
      (s) => (s.threads = { M: [] }),
      "threads",
      "my.json: threads: expected an array of threads, got an object",
    ],
    [
      "an op that is not an object",
      (s) => (s.setup[1] = "touch"),
      "setup[1]",
      'my.json: setup[1]: expected an operation object, got "touch"',
    ],
    [
      "a thread name with a dash",
      (s) => (s.threads[2].name = "f-1"),
      "threads[2].name",
      'my.json: threads[2].name: expected a thread name (a letter, then letters, digits or "_"), got "f-1"',
    ],
    [
      "end <= start",
      (s) => (s.setup[0].end = 16),
      "setup[0].end",
      "my.json: setup[0].end: expected a page number greater than start (16), got 16",
    ],
    [
      "shift 0",
      (s) => s.threads[0].ops.push({ op: "exec", mm: "E", argPages: 1, shift: 0 }),
      "threads[0].ops[1].shift",
      "my.json: threads[0].ops[1].shift: expected a positive integer, got 0",
    ],
    [
      "len 0",
      (s) => s.threads[1].ops.push({ op: "mremap", mm: "M", old: 16, len: 0, new: 40 }),
      "threads[1].ops[1].len",
      "my.json: threads[1].ops[1].len: expected a positive integer, got 0",
    ],
    [
      "pages not matching argPages",
      (s) => s.setup.push({ op: "exec_begin", mm: "E", argPages: 2, pages: ["A0"] }),
      "setup[2].pages",
      "my.json: setup[2].pages: expected 2 page names (one per argPages), got 1",
    ],
    [
      "an empty page name in pages",
      (s) => s.setup.push({ op: "exec", mm: "E", argPages: 2, shift: 1, pages: ["A0", ""] }),
      "setup[2].pages[1]",
      'my.json: setup[2].pages[1]: expected a page name (a non-empty string), got ""',
    ],
  ])("%s", (_what, change, at, message) => {
    const e = errorOf(s1With(change));
    expect(e.message).toBe(message);
    expect(e.path).toBe(at);
    expect(e.source).toBe("my.json");
    expect(message).toContain(e.expected);
  });

  test("a value that is not an object, without a source", () => {
    expect(() => validateScenario([])).toThrow(
      new ScenarioError("", "a scenario object", "expected a scenario object, got an array"),
    );
  });

  test("an unknown op lists every op and suggests the closest", () => {
    const e = errorOf(s1With((s) => (s.threads[1].ops[0].op = "mprotec")));
    expect(e.path).toBe("threads[1].ops[0].op");
    expect(e.message).toBe(
      'my.json: threads[1].ops[0].op: unknown operation "mprotec"; expected one of ' +
        `${OP_NAMES.join(", ")}; did you mean "mprotect"?`,
    );
  });

  test("an unknown op far from every name gets no suggestion", () => {
    const e = errorOf(s1With((s) => (s.threads[0].ops[0].op = "compact")));
    expect(e.message).toBe(
      `my.json: threads[0].ops[0].op: unknown operation "compact"; expected one of ${OP_NAMES.join(", ")}`,
    );
  });

  test("an unknown property lists the op's accepted fields", () => {
    const e = errorOf(s1With((s) => (s.threads[2].ops[0] = { op: "touch", mm: "M", adress: 28 })));
    expect(e.path).toBe("threads[2].ops[0]");
    expect(e.message).toBe('my.json: threads[2].ops[0]: unknown property "adress"; accepted: mm, addr, write, page');
  });

  test("an unknown property close to an accepted one gets a suggestion", () => {
    const e = errorOf(s1With((s) => (s.thread = s.threads)));
    expect(e.message).toBe(
      'my.json: unknown property "thread"; accepted: $schema, id, title, description, setup, threads, schedule; ' +
        'did you mean "threads"?',
    );
  });

  test("an unknown thread property", () => {
    const e = errorOf(s1With((s) => (s.threads[0].steps = [])));
    expect(e.message).toBe('my.json: threads[0]: unknown property "steps"; accepted: name, ops');
  });
});

describe("names and references", () => {
  test("duplicate thread names", () => {
    const e = errorOf(s1With((s) => (s.threads[2].name = "T")));
    expect(e.message).toBe('my.json: threads[2].name: duplicate thread name "T" (also threads[1])');
  });

  test('the reserved thread name "init"', () => {
    const e = errorOf(s1With((s) => (s.threads[0].name = "init")));
    expect(e.message).toBe('my.json: threads[0].name: "init" is reserved for the setup thread');
  });

  test("an mm that nothing created", () => {
    const e = errorOf(s1With((s) => (s.threads[1].ops[0].mm = "N")));
    expect(e.path).toBe("threads[1].ops[0].mm");
    expect(e.message).toBe(
      'my.json: threads[1].ops[0].mm: unknown mm "N": neither setup nor an earlier op of this thread creates it ' +
        "(mmap, fork's child, exec_begin, exec)",
    );
  });

  test("a setup op using an mm created later in setup", () => {
    const e = errorOf(s1With((s) => s.setup.unshift({ op: "fork", mm: "M", child: "C" })));
    expect(e.message).toBe(
      'my.json: setup[0].mm: unknown mm "M": no earlier setup op creates it (mmap, fork\'s child, exec_begin, exec)',
    );
  });

  test("an mm created by another thread is not visible", () => {
    const e = errorOf(
      s1With((s) => {
        s.threads[0].ops.push({ op: "fork", mm: "M", child: "C" });
        s.threads[2].ops.push({ op: "exit", mm: "C" });
      }),
    );
    expect(e.path).toBe("threads[2].ops[1].mm");
  });

  test("an mm created by an earlier op of the same thread is visible", () => {
    const spec = s1With((s) => s.threads[0].ops.push({ op: "fork", mm: "M", child: "C" }, { op: "exit", mm: "C" }));
    expect(() => validateScenario(spec)).not.toThrow();
  });

  test("fork's child must be a new mm", () => {
    const e = errorOf(s1With((s) => s.threads[0].ops.push({ op: "fork", mm: "M", child: "M" })));
    expect(e.message).toBe(
      'my.json: threads[0].ops[1].child: mm "M" already exists (created at setup[0].mm); this op creates a new mm',
    );
  });

  test("duplicate page names", () => {
    const e = errorOf(s1With((s) => s.setup.push({ op: "touch", mm: "M", addr: 17, page: "P" })));
    expect(e.message).toBe('my.json: setup[2].page: duplicate page name "P" (already at setup[1].page)');
  });

  test("a thread may name a set-up page again (its frame is reused once freed, as in S9)", () => {
    expect(() => validateScenario(s1With((s) => s.threads[2].ops.push({ op: "touch", mm: "M", addr: 17, page: "P" })))).not.toThrow();
  });

  test("migrating a page nothing named", () => {
    const e = errorOf(s1With((s) => (s.threads[0].ops[0].page = "Q")));
    expect(e.path).toBe("threads[0].ops[0].page");
    expect(e.expected).toBe("a page named by a setup op");
    expect(e.message).toBe(
      'my.json: threads[0].ops[0].page: page "Q" is not named by a setup op; ' +
        'pages are named by touch/grow_stack "page" or exec_begin/exec "pages"',
    );
  });

  test("migrating a page named by a thread", () => {
    const e = errorOf(
      s1With((s) => {
        s.threads[0].ops.unshift({ op: "touch", mm: "M", addr: 17, page: "Q" });
        s.threads[0].ops.push({ op: "migrate", page: "Q" });
      }),
    );
    expect(e.path).toBe("threads[0].ops[2].page");
    expect(e.message).toContain('page "Q" is not named by a setup op (only by threads[0].ops[0].page, in a thread);');
  });

  test("a setup migrate naming a page that a later setup op defines", () => {
    const e = errorOf(s1With((s) => s.setup.splice(1, 0, { op: "add_to_swap", page: "P" })));
    expect(e.path).toBe("setup[1].page");
    expect(e.expected).toBe("a page named by an earlier setup op");
  });
});

describe("parseScenario", () => {
  test("parses and validates", () => {
    expect(parseScenario(JSON.stringify(s1()), "s1.json")).toEqual(s1());
  });

  test("a syntax error names the source, line and column", () => {
    const text = '{\n  "id": "S1",\n  "setup": []\n  "threads": []\n}';
    let e: unknown;
    try {
      parseScenario(text, "bad.json");
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(ScenarioError);
    const se = e as ScenarioError;
    expect(se.position).toEqual({ line: 4, column: 3 });
    expect(se.message).toBe("bad.json: invalid JSON at line 4, column 3: Expected ',' or '}' after property value");
    expect(se.source).toBe("bad.json");
  });

  test("a truncated file points at its end", () => {
    expect(() => parseScenario('{\n  "id": "S1",\n  "setup": [', "cut.json")).toThrow(
      "cut.json: invalid JSON at line 3, column 13: Unexpected end of JSON input",
    );
  });

  test("a syntax error without a position still names the source, on one line", () => {
    // V8 gives no position for an unexpected token, only a snippet of the text around it.
    const e = (() => {
      try {
        parseScenario('{"id": \n x}', "tok.json");
      } catch (err) {
        return err as ScenarioError;
      }
      throw new Error("expected a ScenarioError");
    })();
    expect(e.message).toMatch(/^tok\.json: invalid JSON(: | at line 2, column 2: )Unexpected token/);
    expect(e.message).not.toContain("\n");
  });

  test("validation errors carry the source", () => {
    expect(() => parseScenario('{"id": "x", "setup": [], "threads": [{"name": "init", "ops": []}]}', "x.json")).toThrow(
      'x.json: threads[0].name: "init" is reserved for the setup thread',
    );
  });
});

describe("loadScenarioFile", () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "scenario-json-"))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("loads a file and names it in errors", () => {
    const good = path.join(dir, "s1.json");
    fs.writeFileSync(good, JSON.stringify({ $schema: SCENARIO_SCHEMA_PATH, ...s1() }, null, 2));
    expect(loadScenarioFile(good)).toEqual(s1());
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify(s1With((s) => (s.setup[0].op = "map"))));
    expect(() => loadScenarioFile(bad)).toThrow(`${bad}: setup[0].op: unknown operation "map"`);
  });

  test("a missing file", () => {
    const missing = path.join(dir, "nope.json");
    expect(() => loadScenarioFile(missing)).toThrow(
      new ScenarioError("", "a readable file", `cannot read ${missing}: ENOENT: no such file or directory`),
    );
  });
});

describe("the schema agrees with the validator", () => {
  interface Branch {
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, { const?: string }>;
  }
  const schema = JSON.parse(fs.readFileSync(SCENARIO_SCHEMA_PATH, "utf8"));
  const defs: Record<string, any> = schema.$defs;
  const branches: Branch[] = defs.op.oneOf.map((b: { $ref: string }) => defs[b.$ref.replace("#/$defs/", "")]);

  test("identity", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe("https://anonvma-lab.example/scenario.schema.json");
  });

  test("the op enum and the oneOf branches list exactly OP_NAMES", () => {
    expect(defs.op.properties.op.enum).toEqual([...OP_NAMES]);
    expect(branches.map((b) => b.properties.op?.const)).toEqual([...OP_NAMES]);
  });

  test.each([...OP_NAMES])("%s: same fields, same required ones", (name) => {
    const branch = branches.find((b) => b.properties.op?.const === name)!;
    const rules = Object.entries(OP_FIELDS[name]) as [string, { optional?: boolean }][];
    expect(branch.additionalProperties).toBe(false);
    expect(Object.keys(branch.properties)).toEqual(["op", ...rules.map(([k]) => k)]);
    expect(branch.required).toEqual(["op", ...rules.filter(([, r]) => !r.optional).map(([k]) => k)]);
  });

  test("top-level and thread properties", () => {
    const top = ["$schema", "id", "title", "description", "setup", "threads", "schedule"];
    expect(Object.keys(schema.properties)).toEqual(top);
    expect(schema.required).toEqual(["id", "setup", "threads"]);
    expect(Object.keys(defs.thread.properties)).toEqual(["name", "ops"]);
  });

  test("every property has a description", () => {
    const missing: string[] = [];
    const visit = (node: unknown, at: string): void => {
      if (typeof node !== "object" || node === null) return;
      const props = (node as { properties?: Record<string, { description?: string }> }).properties;
      for (const [k, p] of Object.entries(props ?? {})) if (!p.description) missing.push(`${at}.${k}`);
      for (const [k, v] of Object.entries(node)) visit(v, `${at}.${k}`);
    };
    visit(schema, "");
    expect(missing).toEqual([]);
  });

  test("the schema's examples are valid scenarios", () => {
    for (const example of schema.examples) expect(() => validateScenario(example)).not.toThrow();
  });
});
