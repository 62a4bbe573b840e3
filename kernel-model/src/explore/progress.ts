/**
 * Progress of long explorations: schedules so far, distinct states and states per second.
 *
 * Two outlets: the `onProgress` callback (a notebook updates a display with it) and, when asked for,
 * stderr: on a TTY one line rewritten in place with `\r`, otherwise a plain line every few seconds (so
 * logs stay readable). Nothing is printed for explorations shorter than the first interval.
 */
import type { ExploreProgress } from "./types";

export interface ProgressOptions {
  /** Called now and then (every `progressIntervalMs`) with progress, and once at the end. */
  onProgress?: (p: ExploreProgress) => void;
  /** Print progress on stderr. Default false (the command line turns it on). */
  stderrProgress?: boolean;
  /** Milliseconds between callbacks. Default 250 (stderr: 200 on a TTY, 5000 otherwise). */
  progressIntervalMs?: number;
}

export class Progress {
  private readonly t0 = Date.now();
  private nextCallback: number;
  private nextLine: number;
  private readonly tty: boolean;
  private printed = false;
  private readonly lineEvery: number;
  private readonly callbackEvery: number;

  constructor(
    private readonly o: ProgressOptions,
    /** What is reported: the search itself, or the minimisation of its counterexample (shrink.ts). */
    private readonly phase: "search" | "minimise" = "search",
  ) {
    this.tty = o.stderrProgress === true && process.stderr.isTTY === true;
    this.callbackEvery = o.progressIntervalMs ?? 250;
    this.lineEvery = o.progressIntervalMs ?? (this.tty ? 200 : 5000);
    this.nextCallback = this.t0 + this.callbackEvery;
    this.nextLine = this.t0 + this.lineEvery;
  }

  /** Cheap enough to call after every run. */
  tick(schedules: number, states: number): void {
    if (this.o.onProgress === undefined && this.o.stderrProgress !== true) return;
    const now = Date.now();
    if (this.o.onProgress && now >= this.nextCallback) {
      this.nextCallback = now + this.callbackEvery;
      this.o.onProgress(this.snapshot(schedules, states, now, false));
    }
    if (this.o.stderrProgress && now >= this.nextLine) {
      this.nextLine = now + this.lineEvery;
      this.print(this.snapshot(schedules, states, now, false));
    }
  }

  /** The final report: one last callback, and the stderr line closed. */
  done(schedules: number, states: number): void {
    const now = Date.now();
    const p = this.snapshot(schedules, states, now, true);
    this.o.onProgress?.(p);
    if (this.printed) {
      if (this.tty) process.stderr.write(`\r${format(p)}\x1b[K\n`);
      else process.stderr.write(`${format(p)}\n`);
    }
  }

  private snapshot(schedules: number, states: number, now: number, done: boolean): ExploreProgress {
    const elapsedMs = now - this.t0;
    const sec = Math.max(elapsedMs, 1) / 1000;
    return { schedules, states, elapsedMs, statesPerSecond: Math.round(states / sec), schedulesPerSecond: Math.round(schedules / sec), done, phase: this.phase };
  }

  private print(p: ExploreProgress): void {
    this.printed = true;
    if (this.tty) process.stderr.write(`\r${format(p)}\x1b[K`);
    else process.stderr.write(`${format(p)}\n`);
  }
}

/** "explore: 12,345 schedules, 67,890 states (45,000 states/s), 1.5 s", or "minimise: 4,348 schedules (5,400/s), 0.8 s". */
export function format(p: ExploreProgress): string {
  const n = (x: number) => x.toLocaleString("en-US");
  // The minimiser's bounded searches each count states afresh: its line shows runs only.
  if (p.phase === "minimise") return `minimise: ${n(p.schedules)} schedules (${n(p.schedulesPerSecond ?? 0)}/s), ${(p.elapsedMs / 1000).toFixed(1)} s${p.done ? " done" : ""}`;
  return `explore: ${n(p.schedules)} schedules, ${n(p.states)} states (${n(p.statesPerSecond ?? 0)} states/s), ${(p.elapsedMs / 1000).toFixed(1)} s${p.done ? " done" : ""}`;
}
