/**
 * Source-DPOR race analysis (Abdulla et al., POPL 2014, Algorithm 1; see exhaustive.ts): after each run,
 * every race between two events of different threads not ordered through a third is reversed by adding a
 * thread that starts the reversed order to the backtrack set of the node before the first event.
 */
import type { Footprint } from "./footprint";
import type { Frame } from "./search";

export class Races {
  /**
   * Per location, the indices of the events of the current run (up to `analysed`) that write it and
   * that read it, ascending. Kept across runs: a new run shares its prefix with the previous one, so only
   * its new events are added (and the old run's events past the branch point taken out, by `unindex`).
   */
  private readonly writesAt: (number[] | undefined)[] = [];
  private readonly readsAt: (number[] | undefined)[] = [];
  private analysed = 0;
  private mark = new Int32Array(0);
  private stamp = 0;

  /** A new pass: nothing indexed. */
  clear(): void {
    this.analysed = 0;
    this.writesAt.length = 0;
    this.readsAt.length = 0;
  }

  /**
   * Source-DPOR race analysis of the current run: for every race (i, j) with j new in this run, make sure
   * some thread that can start the reversed order is in the backtrack set of node i.
   *
   * Locks: a step j that waits for lock L cannot be moved before a step of a thread that holds L there
   * (it would be blocked), so such a race is reversed where the holder took L instead.
   */
  analyse(ev: Frame[], from: number, threads: number): void {
    let n = 0;
    while (n < ev.length && (ev[n] as Frame).chosen !== "" && (ev[n] as Frame).fp !== null) n++;
    if (n === 0) return;
    if (this.analysed !== from) throw new Error(`explorer: race analysis out of step (${this.analysed} events indexed, run diverges at ${from})`);
    const hb: Uint32Array[] = [];
    for (let k = 0; k < from; k++) hb.push((ev[k] as Frame).hb as Uint32Array);
    // Each thread's latest event before `from`.
    const lastOf = new Map<string, number>();
    for (let k = from - 1; k >= 0 && lastOf.size < threads; k--) {
      const t = (ev[k] as Frame).chosen;
      if (!lastOf.has(t)) lastOf.set(t, k);
    }
    const wl = this.writesAt;
    const rl = this.readsAt;
    const deps: number[] = [];
    if (this.mark.length < n) this.mark = new Int32Array(2 * n);
    const mark = this.mark;
    for (let j = from; j < n; j++) {
      const ej = ev[j] as Frame;
      const fj = ej.fp as Footprint;
      deps.length = 0;
      const stamp = ++this.stamp;
      const dep = (i: number | undefined) => {
        if (i !== undefined && mark[i] !== stamp && (ev[i] as Frame).chosen !== ej.chosen) {
          mark[i] = stamp;
          deps.push(i);
        }
      };
      // Only the last write of a location and the reads since can race with a new access to it.
      for (const l of fj.reads) dep(last(wl[l]));
      for (const l of fj.writes) {
        const w = last(wl[l]);
        dep(w);
        const r = rl[l];
        if (r) for (let k = r.length - 1; k >= 0 && (w === undefined || (r[k] as number) > w); k--) dep(r[k]);
      }
      // A step that ended the run is dependent with every other thread's latest step.
      if (fj.halts === true) for (const [t, i] of lastOf) if (t !== ej.chosen) dep(i);
      const lp = lastOf.get(ej.chosen);
      const preds = lp === undefined ? deps.slice() : [lp, ...deps];
      const mine = new Uint32Array((j + 31) >>> 5);
      for (const q of preds) {
        const hq = hb[q] as Uint32Array;
        for (let w = 0; w < hq.length; w++) mine[w] = (mine[w] as number) | (hq[w] as number);
        mine[q >>> 5] = (mine[q >>> 5] as number) | (1 << (q & 31));
      }
      hb.push(mine);
      ej.hb = mine;
      lastOf.set(ej.chosen, j);
      for (const l of fj.reads) (rl[l] ??= []).push(j);
      for (const l of fj.writes) (wl[l] ??= []).push(j);
      this.analysed = j + 1;
      // i races with j when no other predecessor of j comes after i in happens-before.
      for (const i of preds) {
        if (i === lp) continue;
        let through = false;
        for (const q of preds) {
          if (q !== i && has(hb[q] as Uint32Array, i)) {
            through = true;
            break;
          }
        }
        if (!through) reverse(ev, hb, i, j);
      }
    }
  }

  /** Take events k.. out of the per-location access lists (before their frames change). */
  unindex(ev: readonly Frame[], k: number): void {
    if (this.analysed <= k) return;
    for (let d = this.analysed - 1; d >= k; d--) {
      const fp = (ev[d] as Frame).fp as Footprint;
      for (const l of fp.reads) (this.readsAt[l] as number[]).pop();
      for (const l of fp.writes) (this.writesAt[l] as number[]).pop();
    }
    this.analysed = k;
  }
}

/**
 * Race (i, j): make sure a thread that can start the reversed order is in the backtrack set of node i
 * (or, when that thread is blocked there, of the latest earlier node where it can run).
 */
function reverse(ev: Frame[], hb: Uint32Array[], i: number, j: number): void {
  const locks = (ev[j] as Frame).waits;
  const tj = (ev[j] as Frame).chosen;
  // j cannot run (whole) while another thread holds a lock one of its steps waits for: go back to where
  // the holder took it.
  for (let guard = 0; guard < ev.length && locks.length > 0; guard++) {
    let moved = false;
    for (const lock of locks) {
      const holder = holderAt(ev, lock, i, tj);
      if (holder === null) continue;
      let a = i - 1;
      while (a >= 0 && !((ev[a] as Frame).chosen === holder && (ev[a] as Frame).locks?.get(lock) === true)) a--;
      if (a < 0) continue;
      i = a;
      moved = true;
    }
    if (!moved) break;
  }
  const node = ev[i] as Frame;
  // v = the events after i that do not happen after i, then j; its initials can start the reversal.
  const v: number[] = [];
  for (let k = i + 1; k < j; k++) if (!has(hb[k] as Uint32Array, i)) v.push(k);
  v.push(j);
  const initials: string[] = [];
  for (let a = 0; a < v.length; a++) {
    const k = v[a] as number;
    const t = (ev[k] as Frame).chosen;
    if (initials.includes(t)) continue;
    let first = true;
    for (let b = 0; b < a && first; b++) if (has(hb[k] as Uint32Array, v[b] as number)) first = false;
    if (first) initials.push(t);
  }
  const covered = (f: Frame, t: string) => f.chosen === t || f.done.has(t) || f.todo.includes(t) || f.sleep.has(t);
  if (initials.some((t) => covered(node, t))) return;
  const pick = initials.includes(tj) ? tj : (initials[0] as string);
  if (node.runnable.includes(pick)) {
    node.todo.push(pick);
    return;
  }
  // Blocked here (a lock another thread holds): add it where it last could run with this same step.
  const since = lastOfThread(ev, pick, i);
  for (let m = i - 1; m > since; m--) {
    const f = ev[m] as Frame;
    if (f.runnable.includes(pick)) {
      if (!covered(f, pick)) f.todo.push(pick);
      return;
    }
  }
  for (const t of node.runnable) if (!covered(node, t)) node.todo.push(t);
}

function last(a: readonly number[] | undefined): number | undefined {
  return a === undefined ? undefined : a[a.length - 1];
}

function has(bits: Uint32Array, i: number): boolean {
  const w = bits[i >>> 5];
  return w !== undefined && ((w >>> (i & 31)) & 1) === 1;
}

/** A thread other than `not` that holds `lock` before event i (from the recorded lock effects), or null. */
function holderAt(ev: readonly Frame[], lock: string, i: number, not: string): string | null {
  const holders = new Set<string>();
  for (let k = 0; k < i; k++) {
    const e = ev[k] as Frame;
    const held = e.locks?.get(lock);
    if (held === true) holders.add(e.chosen);
    else if (held === false) holders.delete(e.chosen);
  }
  for (const h of holders) if (h !== not) return h;
  return null;
}

/** Index of the last event of thread t before event i, or -1. */
function lastOfThread(ev: readonly Frame[], t: string, i: number): number {
  for (let k = i - 1; k >= 0; k--) if ((ev[k] as Frame).chosen === t) return k;
  return -1;
}
