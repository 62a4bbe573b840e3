/** A string's 32-bit FNV-1a hash, cached (state hashes and thread hashes meet the same few names at every node). */
const stringHashes = new Map<string, number>();

export function hashString(s: string): number {
  let h = stringHashes.get(s);
  if (h !== undefined) return h;
  h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  h |= 0;
  if (stringHashes.size < 100_000) stringHashes.set(s, h);
  return h;
}
