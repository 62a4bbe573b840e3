/**
 * Compiles the kernel paths' generator functions into resumable machines whose whole state is data.
 *
 * A native generator keeps its locals and its position in a closure the program cannot copy, so an
 * explorer can only reach a state again by replaying the run from the start. Here every `function*`
 * of a compiled module (JavaScript, after tsc) becomes a function that returns a `Machine`
 * (src/sim/resumable.ts): the position is `$f.$pc`, every local that lives at the generator's own level
 * is a field of the frame `$f`, and a `yield*` keeps its callee's machine in `$f.$c`. A thread can then
 * be copied in the middle of a run (cloneThreads) and both copies go on alike.
 *
 * The translation is the classic one (a switch over resume points, as regenerator does), restricted to
 * what the kernel paths use: `yield`/`yield*` as statements, `const x = yield* g()`, `x = yield* g()`,
 * `return yield* g()`, inside blocks, if, for, for-of (arrays), while, do-while and switch. Anything else
 * stops the build with the file and line. Statements without a yield are kept as they are (their own
 * locals stay JavaScript locals); only their references to frame variables, their returns and their
 * break/continue to a translated loop are rewritten. A closure that reads frame variables is bound to
 * the frame it was made in ($rt.bind), so that a copied thread's closures see the copied frame.
 *
 * Used by the build (a pass over dist/) and by the unit tests' jest transform, on src/mm and
 * src/scenarios; the TypeScript sources stay ordinary generators, which is what readers and the type
 * checker see.
 */
"use strict";
const ts = require("typescript");

/** Changes with this file (jest's cache key for the modules it compiles). */
const VERSION = require("node:crypto").createHash("sha1").update(require("node:fs").readFileSync(__filename)).digest("hex").slice(0, 12);

class Unsupported extends Error {}

/** Which compiled files hold kernel paths (relative to src/ or dist/, with / separators). */
function applies(rel) {
  return /^(mm\/[^/]+|scenarios\/build)\.(js|ts)$/.test(rel);
}

/** Translate every generator function of a compiled module; null when it has none. */
function transform(text, fileName) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const gens = [];
  const find = (n) => {
    if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) && n.asteriskToken && n.body) {
      gens.push(n);
      return;
    }
    ts.forEachChild(n, find);
  };
  find(sf);
  if (gens.length === 0) return null;
  let out = text;
  for (const g of [...gens].reverse()) {
    const start = g.getStart(sf);
    out = out.slice(0, start) + new Generator(sf, g).compile() + out.slice(g.end);
  }
  const rt = 'const $rt = require("../sim/resumable");\n';
  const prologue = /^("use strict";\r?\n)/.exec(out);
  return prologue ? prologue[1] + rt + out.slice(prologue[1].length) : rt + out;
}

/** Does n contain a yield (not counting nested functions)? */
function hasYield(n) {
  if (ts.isYieldExpression(n)) return true;
  if (ts.isFunctionLike(n) && n.body) return false;
  return ts.forEachChild(n, hasYield) === true;
}

const LOOPS = [ts.SyntaxKind.ForStatement, ts.SyntaxKind.ForOfStatement, ts.SyntaxKind.ForInStatement, ts.SyntaxKind.WhileStatement, ts.SyntaxKind.DoStatement];
const isLoop = (n) => LOOPS.includes(n.kind);

/** Names a binding (identifier or pattern) declares. */
function boundNames(name, out = []) {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const e of name.elements) if (!ts.isOmittedExpression(e)) boundNames(e.name, out);
  return out;
}

/** let/const/function names declared directly in a list of statements. */
function blockNames(stmts) {
  const names = [];
  for (const s of stmts) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) boundNames(d.name, names);
    else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) names.push(s.name.text);
  }
  return names;
}

/** One generator function being translated. */
class Generator {
  constructor(sf, fn, locals = new Set()) {
    this.sf = sf;
    this.fn = fn;
    /** Fields used in one segment only (between two resume points): JavaScript locals of the body instead. */
    this.locals = locals;
    /** field -> the segments that use it (pass one). */
    this.uses = new Map();
    this.segment = 0;
    this.params = [];
    /** Per segment (code between two resume points): its label and its frame accesses in order, for liveness. */
    this.segLabel = [0];
    this.items = [[]];
    this.name = fn.name ? fn.name.text : "$anonymous";
    this.fields = new Set(["$pc", "$c"]);
    this.out = [];
    this.labels = 1;
    this.targets = []; // exploded break/continue targets: { brk, cont, label, isSwitch }
    this.scope = null; // { names: Map(name -> field | null (a JavaScript local)), up }
    this.pendingLabel = null;
  }

  fail(n, what) {
    const { line } = this.sf.getLineAndCharacterOfPosition(n.getStart(this.sf));
    throw new Unsupported(`${this.sf.fileName}:${line + 1}: ${this.name}: ${what} is not supported in a kernel path (build/resumable.js)`);
  }

  field(name) {
    let f = name;
    for (let i = 1; this.fields.has(f); i++) f = `${name}$${i}`;
    this.fields.add(f);
    return f;
  }

  push(names, frame) {
    const m = new Map();
    for (const n of names) m.set(n, frame ? this.field(n) : null);
    this.scope = { names: m, up: this.scope };
  }

  pop() {
    this.scope = this.scope.up;
  }

  resolve(name) {
    for (let s = this.scope; s; s = s.up) if (s.names.has(name)) return s.names.get(name);
    return null;
  }

  label() {
    return this.labels++;
  }

  emit(text) {
    this.out.push(text);
  }

  mark(l) {
    this.segment++;
    this.segLabel.push(l);
    this.items.push([]);
    this.out.push(`case ${l}:`);
  }

  /** An unconditional jump. */
  goto(l) {
    this.emit(this.jump(l));
    this.stop();
  }

  /** Control never gets past this point of the segment (a return, an unconditional jump). */
  stop() {
    this.items[this.segment].push({ stop: true });
  }

  /** A write that replaces the field's value on every path through it (for liveness). */
  wref(field) {
    if (this.locals.has(field)) return `$l_${field}`;
    this.items[this.segment].push({ w: field });
    return this.ref(field, true);
  }

  /** A reference to a frame variable. */
  ref(field, write = false) {
    if (this.locals.has(field)) return `$l_${field}`;
    if (!write) this.items[this.segment].push({ r: field });
    let s = this.uses.get(field);
    if (s === undefined) this.uses.set(field, (s = new Set()));
    s.add(this.segment);
    return `$f.${field}`;
  }

  jump(l) {
    this.items[this.segment].push({ j: l });
    return `$f.$pc = ${l}; continue;`;
  }

  /** Translate twice: the first pass finds the variables that need not live in the frame. */
  compile() {
    const first = new Generator(this.sf, this.fn);
    first.translate();
    const locals = new Set();
    for (const [field, segs] of first.uses) if (segs.size === 1 && !field.startsWith("$") && !first.params.includes(field)) locals.add(field);
    return new Generator(this.sf, this.fn, locals).translate();
  }

  translate() {
    const fn = this.fn;
    const params = [];
    for (const p of fn.parameters) {
      if (!ts.isIdentifier(p.name) || p.dotDotDotToken) this.fail(p, "a destructured or rest parameter");
      params.push(p.name.text);
    }
    this.params = params;
    this.push(params, true);
    const body = fn.body;
    this.push(blockNames(body.statements), true);
    for (const s of body.statements) this.stmt(s);
    this.emit("$f.$pc = -1; return { value: undefined, done: true };");
    const text = (n) => n.getText(this.sf);
    const paramText = fn.parameters.map(text).join(", ");
    // Every field in the literal, in one order: frames of a function share one shape.
    const others = [...this.fields].filter((f) => f !== "$pc" && !params.includes(f) && !this.locals.has(f));
    const init = ["$pc: 0", ...params.map((p) => `${p}`), ...others.map((f) => `${f}: undefined`)].join(", ");
    const live = this.liveness();
    const locals = [...this.locals].map((l) => `$l_${l}`);
    const machine =
      `function ($f) {\n    let ${["$r", ...locals].join(", ")};\n    for (;;) switch ($f.$pc) {\n    case 0:\n      ${this.out.join("\n      ")}\n` +
      `    default: throw new Error("${this.name}: resumed at an unknown point " + $f.$pc);\n    }\n  }`;
    const mods = fn.modifiers ? fn.modifiers.map(text).join(" ") + " " : "";
    const nameText = fn.name ? ` ${fn.name.text}` : "";
    // A module-level function's body is made once, beside it, not as a closure per call.
    if (ts.isFunctionDeclaration(fn) && ts.isSourceFile(fn.parent) && fn.name) {
      const body = `${fn.name.text}$machine`;
      // A copy of a frame as a literal of the same fields in the same order: one shape, unlike a spread.
      const fields = ["$pc", ...params, ...others];
      const clone = `function ($s) { return { ${fields.map((f) => `${f}: $s.${f}`).join(", ")} }; }`;
      return (
        `${mods}function${nameText}(${paramText}) {\n  return new $rt.Machine(${JSON.stringify(this.name)}, ${body}, { ${init} }, ${body}$live, ${body}$clone);\n}\n` +
        `function ${body}${machine.slice("function ".length)}\nvar ${body}$live = ${live};\nvar ${body}$clone = ${clone};`
      );
    }
    return `${mods}function${nameText}(${paramText}) {\n  return new $rt.Machine(${JSON.stringify(this.name)}, ${machine}, { ${init} }, ${live});\n}`;
  }

  /**
   * The frame fields live at each resume point (indexed by label): read on some path from it before
   * being overwritten. Copies and state keys take only these, so a dead field (say, a state object a
   * step fetched and a later step no longer reads) is neither copied nor told apart. Conservative: a
   * write counts only where it is unconditional, and every segment may fall through to the next.
   */
  liveness() {
    const n = this.items.length;
    const live = Array.from({ length: n }, () => new Set());
    const segOf = new Map(this.segLabel.map((l, i) => [l, i]));
    for (let changed = true; changed; ) {
      changed = false;
      for (let s = n - 1; s >= 0; s--) {
        const cur = new Set(s + 1 < n ? live[s + 1] : []);
        const items = this.items[s];
        for (let i = items.length - 1; i >= 0; i--) {
          const it = items[i];
          if (it.r !== undefined) cur.add(it.r);
          else if (it.w !== undefined) cur.delete(it.w);
          else if (it.stop) cur.clear();
          else for (const f of live[segOf.get(it.j)]) cur.add(f);
        }
        if (cur.size !== live[s].size) {
          live[s] = cur;
          changed = true;
        }
      }
    }
    const table = [];
    for (let s = 0; s < n; s++) table[this.segLabel[s]] = [...live[s]].sort();
    return JSON.stringify(Array.from({ length: this.labels }, (_, l) => table[l] ?? []));
  }

  /** Translate a statement at the generator's own level. */
  stmt(n) {
    if (!hasYield(n)) {
      if (ts.isVariableStatement(n)) return this.declare(n);
      const e = ts.isExpressionStatement(n) ? n.expression : null;
      if (e && ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(e.left) && this.resolve(e.left.text) !== null) {
        const rhs = this.rw(e.right);
        return this.emit(`${this.wref(this.resolve(e.left.text))} = ${rhs};`);
      }
      this.emit(this.rw(n));
      if (ts.isReturnStatement(n) || ts.isThrowStatement(n) || ts.isBreakStatement(n) || ts.isContinueStatement(n)) this.stop();
      return;
    }
    const label = this.pendingLabel;
    this.pendingLabel = null;
    switch (n.kind) {
      case ts.SyntaxKind.Block: {
        this.push(blockNames(n.statements), true);
        for (const s of n.statements) this.stmt(s);
        return this.pop();
      }
      case ts.SyntaxKind.VariableStatement:
        return this.declare(n);
      case ts.SyntaxKind.ExpressionStatement: {
        const e = n.expression;
        if (ts.isYieldExpression(e) && (!e.expression || !hasYield(e.expression))) {
          if (e.asteriskToken) return this.yieldStar(e.expression, null);
          const l = this.label();
          this.emit(`$f.$pc = ${l}; return { value: ${e.expression ? this.rw(e.expression) : "undefined"}, done: false };`);
          return this.mark(l);
        }
        if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && this.isYieldStar(e.right) && !hasYield(e.left)) {
          return this.yieldStar(e.right.expression, (v) => `${this.rw(e.left)} = ${v};`);
        }
        return this.fail(n, "a yield inside an expression");
      }
      case ts.SyntaxKind.ReturnStatement:
        if (n.expression && this.isYieldStar(n.expression)) {
          this.yieldStar(n.expression.expression, (v) => `$f.$pc = -1; return { value: ${v}, done: true };`);
          return this.stop();
        }
        return this.fail(n, "a yield inside a return expression");
      case ts.SyntaxKind.IfStatement: {
        if (hasYield(n.expression)) this.fail(n, "a yield in an if condition");
        const end = this.label();
        const other = n.elseStatement ? this.label() : end;
        this.emit(`if (!(${this.rw(n.expression)})) { ${this.jump(other)} }`);
        this.stmt(n.thenStatement);
        if (n.elseStatement) {
          this.goto(end);
          this.mark(other);
          this.stmt(n.elseStatement);
        }
        return this.mark(end);
      }
      case ts.SyntaxKind.ForStatement: {
        if ((n.condition && hasYield(n.condition)) || (n.incrementor && hasYield(n.incrementor)) || (n.initializer && hasYield(n.initializer))) {
          this.fail(n, "a yield in a for header");
        }
        const init = n.initializer;
        const decl = init && ts.isVariableDeclarationList(init);
        this.push(decl ? init.declarations.flatMap((d) => boundNames(d.name)) : [], true);
        if (decl) for (const d of init.declarations) this.assign(d);
        else if (init) this.emit(`${this.rw(init)};`);
        const top = this.label();
        const cont = this.label();
        const end = this.label();
        this.mark(top);
        if (n.condition) this.emit(`if (!(${this.rw(n.condition)})) { ${this.jump(end)} }`);
        this.loopBody(n.statement, { brk: end, cont, label });
        this.mark(cont);
        if (n.incrementor) this.emit(`${this.rw(n.incrementor)};`);
        this.goto(top);
        this.mark(end);
        return this.pop();
      }
      case ts.SyntaxKind.ForOfStatement: {
        if (hasYield(n.expression)) this.fail(n, "a yield in a for-of header");
        if (n.awaitModifier) this.fail(n, "for await");
        const init = n.initializer;
        if (!ts.isVariableDeclarationList(init) || init.declarations.length !== 1 || !ts.isIdentifier(init.declarations[0].name)) {
          this.fail(n, "a for-of without a single declared variable");
        }
        const it = this.field("$it");
        const i = this.field("$i");
        this.push([init.declarations[0].name.text], true);
        const v = this.resolve(init.declarations[0].name.text);
        const arr = this.rw(n.expression);
        this.emit(`${this.wref(it)} = $rt.array(${arr}); ${this.wref(i)} = 0;`);
        const top = this.label();
        const end = this.label();
        this.mark(top);
        this.emit(`if (${this.ref(i)} >= ${this.ref(it)}.length) { ${this.jump(end)} }`);
        const next = `${this.ref(it)}[${this.ref(i)}++]`;
        this.emit(`${this.wref(v)} = ${next};`);
        this.loopBody(n.statement, { brk: end, cont: top, label });
        this.goto(top);
        this.mark(end);
        this.emit(`${this.wref(it)} = undefined;`);
        return this.pop();
      }
      case ts.SyntaxKind.WhileStatement: {
        if (hasYield(n.expression)) this.fail(n, "a yield in a while condition");
        const top = this.label();
        const end = this.label();
        this.mark(top);
        this.emit(`if (!(${this.rw(n.expression)})) { ${this.jump(end)} }`);
        this.loopBody(n.statement, { brk: end, cont: top, label });
        this.goto(top);
        return this.mark(end);
      }
      case ts.SyntaxKind.DoStatement: {
        if (hasYield(n.expression)) this.fail(n, "a yield in a do-while condition");
        const top = this.label();
        const cond = this.label();
        const end = this.label();
        this.mark(top);
        this.loopBody(n.statement, { brk: end, cont: cond, label });
        this.mark(cond);
        this.emit(`if (${this.rw(n.expression)}) { ${this.jump(top)} }`);
        return this.mark(end);
      }
      case ts.SyntaxKind.SwitchStatement: {
        if (hasYield(n.expression)) this.fail(n, "a yield in a switch expression");
        const sw = this.field("$sw");
        const end = this.label();
        const disc = this.rw(n.expression);
        this.emit(`${this.wref(sw)} = ${disc};`);
        const clauses = n.caseBlock.clauses.map((c) => ({ c, l: this.label() }));
        for (const { c, l } of clauses) {
          if (ts.isCaseClause(c)) this.emit(`if (${this.ref(sw)} === (${this.rw(c.expression)})) { ${this.jump(l)} }`);
        }
        const dflt = clauses.find(({ c }) => ts.isDefaultClause(c));
        this.goto(dflt ? dflt.l : end);
        this.push(blockNames(n.caseBlock.clauses.flatMap((c) => [...c.statements])), true);
        this.targets.push({ brk: end, cont: null, label, isSwitch: true });
        for (const { c, l } of clauses) {
          this.mark(l);
          for (const s of c.statements) this.stmt(s);
        }
        this.targets.pop();
        this.pop();
        this.emit(`${this.wref(sw)} = undefined;`);
        return this.mark(end);
      }
      case ts.SyntaxKind.LabeledStatement:
        if (!isLoop(n.statement) && !ts.isSwitchStatement(n.statement)) this.fail(n, "a label on a statement other than a loop or switch");
        this.pendingLabel = n.label.text;
        return this.stmt(n.statement);
      default:
        return this.fail(n, `a yield inside a ${ts.SyntaxKind[n.kind]}`);
    }
  }

  isYieldStar(e) {
    return ts.isYieldExpression(e) && e.asteriskToken !== undefined && e.expression !== undefined && !hasYield(e.expression);
  }

  loopBody(body, target) {
    this.targets.push({ ...target, isSwitch: false });
    this.stmt(body);
    this.targets.pop();
  }

  /** yield* e: run the callee's machine to its end, passing its steps up; then `then($r.value)`. */
  yieldStar(e, then) {
    const l = this.label();
    const callee = this.rw(e);
    this.emit(`${this.wref("$c")} = $rt.iter(${callee});`);
    this.mark(l);
    this.emit(`$r = ${this.ref("$c")}.next(); if (!$r.done) { $f.$pc = ${l}; return $r; } ${this.wref("$c")} = undefined;`);
    if (then) this.emit(then("$r.value"));
  }

  /** A variable statement at the generator's level: its variables are frame fields. */
  declare(n) {
    for (const d of n.declarationList.declarations) {
      if (d.initializer && this.isYieldStar(d.initializer)) {
        if (!ts.isIdentifier(d.name)) this.fail(d, "a destructuring yield*");
        const f = this.resolve(d.name.text);
        this.yieldStar(d.initializer.expression, (v) => `${this.wref(f)} = ${v};`);
      } else if (d.initializer && hasYield(d.initializer)) {
        this.fail(d, "a yield inside an initializer");
      } else this.assign(d);
    }
  }

  assign(d) {
    const init = d.initializer ? this.rw(d.initializer) : "undefined";
    if (ts.isIdentifier(d.name)) return this.emit(`${this.wref(this.resolve(d.name.text))} = ${init};`);
    // A destructuring declaration: assign through a pattern whose targets are the frame fields.
    return this.emit(`(${this.pattern(d.name)} = ${init});`);
  }

  pattern(p) {
    if (ts.isIdentifier(p)) return this.ref(this.resolve(p.text));
    const parts = p.elements.map((e) => {
      if (ts.isOmittedExpression(e)) return "";
      const target = this.pattern(e.name);
      const dflt = e.initializer ? ` = ${this.rw(e.initializer)}` : "";
      const rest = e.dotDotDotToken ? "..." : "";
      if (ts.isObjectBindingPattern(p)) {
        const key = e.propertyName ? e.propertyName.getText(this.sf) : e.name.getText(this.sf);
        return rest ? `...${target}` : `${key}: ${target}${dflt}`;
      }
      return `${rest}${target}${dflt}`;
    });
    return ts.isObjectBindingPattern(p) ? `{ ${parts.join(", ")} }` : `[${parts.join(", ")}]`;
  }

  /** An exploded break/continue target for a (possibly labelled) break or continue. */
  target(n) {
    const isBreak = ts.isBreakStatement(n);
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const t = this.targets[i];
      if (n.label) {
        if (t.label === n.label.text) return isBreak ? t.brk : t.cont;
      } else if (isBreak || !t.isSwitch) return isBreak ? t.brk : t.cont;
    }
    return this.fail(n, "a break or continue without a target");
  }

  /**
   * A statement or expression without a yield, as text: frame variables read through $f, returns
   * finishing the machine, break/continue to a translated loop as jumps, closures over the frame bound.
   * `ctx` tracks what the fragment itself declares: its loops and switches (local targets), its labels.
   */
  rw(n, ctx = { loop: 0, sw: 0, labels: [], fnDepth: 0, uses: { n: 0 } }) {
    const sf = this.sf;
    switch (n.kind) {
      case ts.SyntaxKind.Identifier: {
        if (!isValueRef(n)) return n.getText(sf);
        const f = this.resolve(n.text);
        if (f === null) return n.getText(sf);
        if (!this.locals.has(f)) ctx.uses.n++;
        return this.ref(f);
      }
      case ts.SyntaxKind.ShorthandPropertyAssignment: {
        const f = this.resolve(n.name.text);
        if (f === null) return n.getText(sf);
        if (!this.locals.has(f)) ctx.uses.n++;
        return `${n.name.text}: ${this.ref(f)}`;
      }
      case ts.SyntaxKind.ReturnStatement:
        if (ctx.fnDepth > 0) break;
        return `{ $f.$pc = -1; return { value: ${n.expression ? this.rw(n.expression, ctx) : "undefined"}, done: true }; }`;
      case ts.SyntaxKind.BreakStatement:
      case ts.SyntaxKind.ContinueStatement: {
        if (ctx.fnDepth > 0) break;
        const local = n.label ? ctx.labels.includes(n.label.text) : ts.isBreakStatement(n) ? ctx.loop + ctx.sw > 0 : ctx.loop > 0;
        if (local) break;
        return `{ ${this.jump(this.target(n))} }`;
      }
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
      case ts.SyntaxKind.FunctionDeclaration: {
        if (n.asteriskToken) this.fail(n, "a generator function inside a kernel path");
        const names = n.parameters.flatMap((p) => boundNames(p.name));
        this.push(names, false);
        const inner = { loop: 0, sw: 0, labels: [], fnDepth: ctx.fnDepth + 1, uses: { n: 0 } };
        const text = this.splice(n, inner);
        this.pop();
        ctx.uses.n += inner.uses.n;
        if (inner.uses.n === 0) return text;
        if (ts.isFunctionDeclaration(n)) this.fail(n, "a function declaration that uses the generator's variables");
        // Bind it to this frame: called as before, it gets the frame it was made in as its first argument.
        const params = ["$f", ...n.parameters.map((p) => this.splice(p, inner))].join(", ");
        const body = this.withScope(names, () => this.rw(n.body, { ...inner, uses: { n: 0 } }));
        const head = ts.isArrowFunction(n) ? `(${params}) =>` : `function (${params})`;
        return `$rt.bind($f, ${head} ${body})`;
      }
      case ts.SyntaxKind.Block:
      case ts.SyntaxKind.CaseBlock:
        return this.withScope(blockNames(ts.isBlock(n) ? n.statements : n.clauses.flatMap((c) => [...c.statements])), () => this.splice(n, ctx));
      case ts.SyntaxKind.LabeledStatement:
        return this.splice(n, { ...ctx, labels: [...ctx.labels, n.label.text] });
      case ts.SyntaxKind.SwitchStatement:
        return this.splice(n, { ...ctx, sw: ctx.sw + 1 });
      case ts.SyntaxKind.CatchClause:
        return this.withScope(n.variableDeclaration ? boundNames(n.variableDeclaration.name) : [], () => this.splice(n, ctx));
      default:
        if (isLoop(n)) {
          const init = n.initializer && ts.isVariableDeclarationList(n.initializer) ? n.initializer.declarations.flatMap((d) => boundNames(d.name)) : [];
          return this.withScope(init, () => this.splice(n, { ...ctx, loop: ctx.loop + 1 }));
        }
    }
    return this.splice(n, ctx);
  }

  withScope(names, f) {
    this.push(names, false);
    try {
      return f();
    } finally {
      this.pop();
    }
  }

  /** n's text with each child replaced by its rewritten text. */
  splice(n, ctx) {
    const sf = this.sf;
    const start = n.getStart(sf);
    let text = "";
    let at = start;
    ts.forEachChild(n, (c) => {
      const cs = c.getStart(sf);
      if (cs < at) return; // JSDoc and the like
      text += sf.text.slice(at, cs) + this.rw(c, ctx);
      at = c.end;
    });
    return text + sf.text.slice(at, n.end);
  }
}

/** Is this identifier a reference to a variable (not a property name, a declaration name or a label)? */
function isValueRef(id) {
  const p = id.parent;
  if (!p) return true;
  switch (p.kind) {
    case ts.SyntaxKind.PropertyAccessExpression:
      return p.expression === id;
    case ts.SyntaxKind.PropertyAssignment:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.PropertyDeclaration:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
      return p.name !== id;
    case ts.SyntaxKind.VariableDeclaration:
    case ts.SyntaxKind.Parameter:
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ClassDeclaration:
      return p.name !== id;
    case ts.SyntaxKind.BindingElement:
      return p.name !== id && p.propertyName !== id;
    case ts.SyntaxKind.LabeledStatement:
    case ts.SyntaxKind.BreakStatement:
    case ts.SyntaxKind.ContinueStatement:
      return false;
    default:
      return true;
  }
}

module.exports = { transform, applies, Unsupported, VERSION };

// node build/resumable.js DIR: translate the kernel-path modules of a tsc output directory in place.
if (require.main === module) {
  const fs = require("node:fs");
  const path = require("node:path");
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: node build/resumable.js <tsc output directory>");
    process.exit(2);
  }
  let n = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".js") && applies(path.relative(dir, p).split(path.sep).join("/"))) {
        try {
          const out = transform(fs.readFileSync(p, "utf8"), p);
          if (out === null) continue;
          // The source map describes tsc's output, not this one: drop the link rather than mislead.
          fs.writeFileSync(p, out.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"));
          n++;
        } catch (e) {
          if (!(e instanceof Unsupported)) throw e;
          console.error(`error: ${e.message}`);
          process.exit(1);
        }
      }
    }
  };
  walk(dir);
  if (n === 0) {
    console.error(`error: no kernel-path module found under ${dir}`);
    process.exit(1);
  }
}
