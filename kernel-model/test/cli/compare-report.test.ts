/** compare and report: the matrix of issue 6 on the command line, and the design-review page. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { prepareScenario, runPrepared } from "../../src/api";
import { main } from "../../src/cli/main";

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const subset = ["--scenarios", "S1,s4,S8", "--kernels", "2.6.34", "--fixes", "none,root-anon-vma-lock,skip-temp-stacks,zap-waits"];

describe("compare", () => {
  test("--json: one cell per scenario x kernel x fix, verdicts from the search with their bound status", () => {
    const r = cli("compare", ...subset, "--quiet", "--json");
    expect(r.code).toBe(0);
    const { cells } = JSON.parse(r.out) as { cells: Array<Record<string, unknown>> };
    expect(cells).toHaveLength(3 * 4);
    const at = (s: string, f: string) => cells.find((c) => c.scenario === s && c.fix === f) as Record<string, unknown>;
    expect(at("S1", "none")).toMatchObject({ verdict: "bug", invariant: "I1", exhausted: false });
    expect(at("S4", "skip-temp-stacks")).toMatchObject({ verdict: "clean", exhausted: true });
    expect(at("S4", "root-anon-vma-lock")).toMatchObject({ verdict: "bug" });
    expect(at("S8", "none")).toMatchObject({ verdict: "use-after-free", invariant: "I6" });
    // A search the budget cut is reported as such, never as clean.
    const small = JSON.parse(cli("compare", "--scenarios", "S1", "--kernels", "2.6.36", "--fixes", "none", "--max-schedules", "5", "--quiet", "--json").out) as { cells: Array<Record<string, unknown>> };
    expect(small.cells[0]).toMatchObject({ verdict: "bound-reached", exhausted: false });
    for (const c of cells) expect((c.pct as { runs: number }).runs).toBe(20);
  });
  test("by default every cell is searched to the end: S5 and S6 on 2.6.36 are proven clean, not bound-reached", () => {
    const r = cli("compare", "--scenarios", "S5,S6", "--kernels", "2.6.36", "--fixes", "none", "--quiet", "--json");
    const { method, cells } = JSON.parse(r.out) as { method: string; cells: Array<Record<string, unknown>> };
    expect(method).toMatch(/at most 10,000 schedules/);
    for (const c of cells) expect(c).toMatchObject({ verdict: "clean", exhausted: true });
    expect(cells.map((c) => c.schedules as number).some((n) => n > 100)).toBe(true);
  }, 60_000);
  test("text output and progress", () => {
    const r = cli("compare", ...subset);
    expect(r.out).toMatch(/S4 2\.6\.34\s+BUG I1 \d+%\s+BUG I1 \d+%\s+ok 0%/);
    expect(r.err).toMatch(/compare: 12\/12 cells/);
  });
  test("bad input names the accepted values and exits 2", () => {
    expect(cli("compare", "--fixes", "none,bogus").err).toMatch(/unknown fix "bogus" in --fixes; expected one of none, root-anon-vma-lock/);
    expect(cli("compare", "--kernels", "2.6.40").code).toBe(2);
    expect(cli("report").err).toBe("kernel-model: report needs --out FILE.html\n");
  });
});

describe("report", () => {
  test("a self-contained page: matrix, costs, and a replayable minimised counterexample per failing cell", () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "km-report-")), "r.html");
    const r = cli("report", "--out", out, ...subset, "--quiet");
    expect(r.code).toBe(0);
    const html = fs.readFileSync(out, "utf8");
    expect(html).not.toMatch(/<script[^>]+src=/); // nothing fetched: works offline
    expect(html).toContain("Plotly.newPlot");
    const summaries = [...html.matchAll(/<summary><b>(\S+) on (\S+) \+ (\S+)<\/b>/g)];
    expect(summaries.map((m) => `${m[1]}+${m[3]}`).sort()).toEqual(
      ["S1+none", "S1+skip-temp-stacks", "S1+zap-waits", "S4+none", "S4+root-anon-vma-lock", "S4+zap-waits", "S8+none", "S8+root-anon-vma-lock", "S8+skip-temp-stacks", "S8+zap-waits"].sort(),
    );
    // Every command in the page replays to a failure.
    const commands = [...html.matchAll(/npx kernel-model run (\S+) --kernel (\S+)(?: --fix (\S+))? --schedule '([^']+)'/g)];
    expect(commands).toHaveLength(summaries.length);
    for (const m of commands) {
      const [id, kernel, fix, schedule] = [m[1], m[2], m[3], m[4]];
      const run = runPrepared(prepareScenario(id as string, { kernel: kernel as string, fix: fix ?? "none" }), { schedule: schedule as string, strict: true, trace: false });
      expect(run.verdict.kind).not.toBe("clean");
    }
  });
});
