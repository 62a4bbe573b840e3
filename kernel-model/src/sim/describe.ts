/** A compact text picture of the modelled state, for notebooks and the command line. */
import type { State } from "../mm/types";

/**
 * One line per mm (vmas with [start, end) @pgoff, anon_vma and chain), per live anon_vma (its list, root,
 * refcount) and per non-empty pte, e.g.
 *   mm A: vma1 [p16,p32) @16 anon_vma av1 chain [av1]
 *   anon_vma av1 (root av1, ref 0): [vma1]
 *   pte A:p28 = migration P (P locked by mig)
 */
export function describeState(s: State, opts: { pages?: boolean } = {}): string {
  const out: string[] = [];
  const av = (c: string) => s.avcs[c]?.anon_vma ?? "?";
  for (const m of Object.values(s.mms)) {
    const vmas = m.mmap.map((id) => {
      const v = s.vmas[id];
      if (!v) return id;
      const flags = [v.flags.prot !== "rw" ? v.flags.prot : "", v.flags.growsdown ? "growsdown" : "", v.flags.stack_incomplete_setup ? "STACK_INCOMPLETE_SETUP" : ""].filter(Boolean);
      return `${id} [p${v.vm_start},p${v.vm_end}) @${v.vm_pgoff}${flags.length ? ` (${flags.join(" ")})` : ""} anon_vma ${v.anon_vma ?? "-"} chain [${v.anon_vma_chain.map(av).join(",")}]`;
    });
    out.push(`mm ${m.id}${m.exited ? " (exited)" : ""}: ${vmas.join("; ") || "no vmas"}`);
  }
  for (const a of Object.values(s.anon_vmas)) {
    if (a.freed) {
      out.push(`anon_vma ${a.id}: freed`);
      continue;
    }
    out.push(`anon_vma ${a.id} (root ${a.root}, ref ${a.external_refcount}): [${a.head.map((c) => s.avcs[c]?.vma ?? "?").join(", ")}]`);
  }
  for (const m of Object.values(s.mms)) {
    for (const [addr, pte] of Object.entries(m.ptes)) {
      if (pte.kind === "swap") {
        out.push(`pte ${m.id}:p${addr} = swap entry ${pte.entry}`);
        continue;
      }
      const pg = s.pages[pte.page];
      const owner = pg ? s.locks[pg.lock]?.owner : null;
      out.push(`pte ${m.id}:p${addr} = ${pte.kind} ${pte.page}${pte.write ? " (write)" : ""}${owner ? ` (${pte.page} locked by ${owner})` : ""}`);
    }
  }
  if (opts.pages) {
    for (const p of Object.values(s.pages)) {
      if (p.freed) continue;
      out.push(`page ${p.id}: mapping ${p.mapping ? p.mapping.anon : "-"}, index ${p.index}, mapcount ${p.mapcount}, count ${p.refcount}${p.swapCache !== null ? `, swap cache ${p.swapCache}` : ""}`);
    }
  }
  return out.join("\n");
}
