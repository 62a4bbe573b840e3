/**
 * What the figure builders share: one colour per verdict, pte kind and lock class, so every figure of a
 * notebook uses the same colour for the same thing, and hover-text helpers.
 */
import type { VerdictKind } from "../sim/scheduler";

/** Every verdict kind, in the order legends list them. */
export const VERDICT_KINDS: readonly VerdictKind[] = ["clean", "bug", "use-after-free", "deadlock", "livelock", "bound-reached"];

/** The colour of each verdict: clean green, bug red, use-after-free purple, deadlock/livelock orange, bound grey. */
export const VERDICT_COLORS: Readonly<Record<VerdictKind, string>> = {
  clean: "#2ca02c",
  bug: "#d62728",
  "use-after-free": "#9467bd",
  deadlock: "#ff7f0e",
  livelock: "#ff7f0e",
  "bound-reached": "#9e9e9e",
};

/** The colour of each pte kind (and of a page by the worst pte that maps it; "none" = not mapped). */
export const PTE_COLORS: Readonly<Record<"present" | "migration" | "swap" | "none", string>> = {
  present: "#2ca02c",
  migration: "#d62728",
  swap: "#1f77b4",
  none: "#9e9e9e",
};

/** The colour of each lock class (the part of a lock id before ":"). */
export const LOCK_COLORS: Readonly<Record<string, string>> = {
  anon_vma: "#9467bd",
  PG_locked: "#8c564b",
  mmap_sem: "#1f77b4",
  page_table_lock: "#17becf",
  tree_lock: "#bcbd22",
  vma_adjust_lock: "#e377c2",
};

const SPARE = ["#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5"];

/** The colour of a lock class; classes this file does not know get a stable spare colour. */
export function lockColor(cls: string): string {
  const known = LOCK_COLORS[cls];
  if (known) return known;
  let h = 0;
  for (const c of cls) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return SPARE[h % SPARE.length] as string;
}

/** The class of a lock id: "anon_vma:av1" -> "anon_vma". */
export function lockClassOf(id: string): string {
  const i = id.indexOf(":");
  return i < 0 ? id : id.slice(0, i);
}

/** Escapes text for plotly's pseudo-HTML (hover text, annotations): it understands &lt; &gt; &amp;. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Hover lines joined with <br>, each escaped; lists longer than `max` lines end with "… (n more)". */
export function hoverLines(lines: readonly string[], max = 40): string {
  const shown = lines.length > max ? [...lines.slice(0, max - 1), `… (${lines.length - max + 1} more)`] : lines;
  return shown.map(esc).join("<br>");
}

/** Shortens a string to `n` characters with an ellipsis. */
export function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + "…";
}

/** Page number as the reference writes it: 28 -> "p28". */
export function pg(n: number): string {
  return `p${n}`;
}
