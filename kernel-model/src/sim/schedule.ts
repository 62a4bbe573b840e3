/**
 * The compact schedule form: whitespace-separated tokens, each naming a thread.
 *   `M`      one step of M
 *   `M*12`   up to 12 steps of M (fewer if M blocks or finishes)
 *   `M*`     M until it blocks or finishes
 *   `M@text` M until its next step's label contains `text` (or it blocks or finishes);
 *            `M@"text with spaces"` quotes a label with spaces
 * The schedule a run records is always the exact form (`M*12 T*3 M`), which replays the run step for step.
 */
import { UsageError } from "../kernels";

export type Token =
  | { thread: string; kind: "steps"; n: number }
  | { thread: string; kind: "all" }
  | { thread: string; kind: "until"; label: string };

const TOKEN = /^([A-Za-z][A-Za-z0-9_]*)(?:\*(\d*)|@(?:"([^"]+)"|([^\s"]+)))?$/;
const WORD = /[^\s"]*"[^"]*"|\S+/g;

/** Parse a schedule string; `threads` are the accepted names (for the error message). */
export function parseSchedule(text: string, threads: readonly string[]): Token[] {
  const out: Token[] = [];
  for (const word of text.match(WORD) ?? []) {
    const m = TOKEN.exec(word);
    if (!m) throw new UsageError(`bad schedule token "${word}"; expected NAME, NAME*N, NAME* or NAME@label with NAME one of ${threads.join(", ")}`);
    const thread = m[1] as string;
    if (!threads.includes(thread)) throw new UsageError(`schedule names unknown thread "${thread}"; threads are ${threads.join(", ")}`);
    const label = m[3] ?? m[4];
    if (label !== undefined) out.push({ thread, kind: "until", label });
    else if (m[2] === undefined) out.push({ thread, kind: "steps", n: 1 });
    else if (m[2] === "") out.push({ thread, kind: "all" });
    else {
      const n = Number(m[2]);
      if (n < 1) throw new UsageError(`bad schedule token "${word}": a step count must be at least 1`);
      out.push({ thread, kind: "steps", n });
    }
  }
  return out;
}

/** Run-length encode an exact list of choices: ["M","M","T"] -> "M*2 T". */
export function formatSchedule(choices: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < choices.length; ) {
    let j = i;
    while (j < choices.length && choices[j] === choices[i]) j++;
    parts.push(j - i === 1 ? `${choices[i]}` : `${choices[i]}*${j - i}`);
    i = j;
  }
  return parts.join(" ");
}

/** Expand an exact schedule string into its list of choices (only NAME and NAME*N tokens). */
export function expandSchedule(text: string, threads: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of parseSchedule(text, threads)) {
    if (t.kind !== "steps") throw new UsageError(`"${t.thread}${t.kind === "all" ? "*" : "@" + t.label}" is not an exact schedule token; use NAME or NAME*N`);
    for (let i = 0; i < t.n; i++) out.push(t.thread);
  }
  return out;
}
