/**
 * Checks for exercise notebooks. A check never throws: tslab aborts the cells that follow an error, and
 * the autograder (scripts/grade.mjs) reads the `CHECK name: PASS|FAIL` lines a notebook prints.
 */

/** The error an unsolved exercise stub throws. */
export const NOT_IMPLEMENTED = "not implemented";

/** Run one named check; prints `CHECK name: PASS` or `CHECK name: FAIL <reason>` on stdout and returns whether it passed. */
export function check(name: string, fn: () => void): boolean {
  try {
    fn();
    console.log(`CHECK ${name}: PASS`);
    return true;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.log(`CHECK ${name}: FAIL ${msg.split("\n")[0]}`);
    return false;
  }
}

/** Throw unless `actual` deep-equals `expected` (JSON comparison), naming what was compared. */
export function assertEqual<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) throw new Error(`${what}: expected ${b}, got ${a}`);
}

/** Throw with `message` unless `cond`. */
export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}
