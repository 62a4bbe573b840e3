/** Trace entries and the state diff each step records. */
import type { State } from "../mm/types";

export interface TraceEntry {
  /** Step index in the run. */
  i: number;
  thread: string;
  label: string;
  /** v2.6.34 file:line of the step. */
  loc: string;
  /** Locks the thread holds after the step. */
  held: string[];
  /** What the step changed: "vmas.vma1.vm_start: 16 -> 20". */
  changes: string[];
  /** What the step's code reported (a return value such as "vma_address(...) = -EFAULT", a violation). */
  notes: string[];
}

const SKIP = new Set(["threads", "seq", "counters", "violations", "names"]);

/** Flatten the state into "path" -> "value" leaves (arrays are single leaves). */
export function flatten(s: State): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, path: string): void => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const [key, val] of Object.entries(v)) walk(val, path ? `${path}.${key}` : key);
    } else {
      out.set(path, Array.isArray(v) ? `[${v.join(",")}]` : typeof v === "string" ? v : JSON.stringify(v));
    }
  };
  for (const [key, val] of Object.entries(s)) if (!SKIP.has(key)) walk(val, key);
  return out;
}

export function diff(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of after) {
    const old = before.get(k);
    if (old === undefined) out.push(`${k} = ${v}`);
    else if (old !== v) out.push(`${k}: ${old} -> ${v}`);
  }
  for (const k of before.keys()) if (!after.has(k)) out.push(`${k} removed`);
  return out;
}

/** A trace as text, one line per step, for the terminal and for tests. */
export function formatTrace(trace: readonly TraceEntry[], opts: { changes?: boolean } = {}): string {
  const w = Math.max(1, ...trace.map((e) => e.thread.length));
  return trace
    .map((e) => {
      const head = `${String(e.i).padStart(3)} ${e.thread.padEnd(w)} ${e.label}  [${e.loc}]`;
      const notes = e.notes.map((n) => `\n      => ${n}`).join("");
      return opts.changes && e.changes.length ? `${head}${notes}\n${e.changes.map((c) => `      ${c}`).join("\n")}` : head + notes;
    })
    .join("\n");
}
