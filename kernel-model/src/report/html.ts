/**
 * `kernel-model report`: one self-contained HTML page for a design review. The matrix per kernel, the
 * costs per fix, and for every failing cell its minimised counterexample as a thread timeline (drawn when
 * opened, so the page stays quick). plotly.js is inlined once: the page works offline.
 */
import { prepareScenario, runPrepared } from "../api";
import { shrink } from "../explore";
import { costBarsFigure } from "../plot/costs";
import { escapeScript, plotlySource, scriptJson, type Figure } from "../plot/display";
import { outcomeMatrixFigure } from "../plot/matrix";
import { timelineFigure } from "../plot/timeline";
import { VERSION } from "../version";
import type { MatrixCell } from "./matrix";

export interface ReportOptions {
  /**
   * Runs the minimiser may spend per counterexample. Default 2,500: enough to show S1-S4's minimal (S1:
   * 2,033); S5 and S9 take up to 24,100 each, too many for a page of 131 failing cells.
   */
  shrinkBudget?: number;
  /** A line describing how the matrix was computed (options), shown in the page. */
  method?: string;
  onProgress?: (done: number, total: number) => void;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

let figures = 0;
function eager(fig: Figure): string {
  const id = `fig${++figures}`;
  return `<div id="${id}" class="kernel-model-plot"></div><script>Plotly.newPlot(${scriptJson(id)}, ${scriptJson(fig.data)}, ${scriptJson(fig.layout ?? {})}, ${scriptJson(fig.config ?? {})});</script>\n`;
}
function lazy(fig: Figure): string {
  const id = `fig${++figures}`;
  return `<div id="${id}" class="lazy-plot"></div><script type="application/json" id="${id}-json">${scriptJson(fig)}</script>\n`;
}

/** The HTML page for these matrix cells. */
export function reportHtml(cells: readonly MatrixCell[], o: ReportOptions = {}): string {
  figures = 0;
  const kernels = [...new Set(cells.map((c) => c.kernel))];
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const fixes = [...new Set(cells.map((c) => c.fix))];
  const parts: string[] = [];
  for (const kernel of kernels) {
    const here = cells.filter((c) => c.kernel === kernel);
    parts.push(`<h2>Kernel ${esc(kernel)}</h2>\n`);
    parts.push(eager(outcomeMatrixFigure(
      here.map((c) => ({
        row: c.scenario, col: c.fix, verdict: c.verdict, ...(c.invariant ? { invariant: c.invariant } : {}),
        detail: `${c.exhausted ? "every interleaving" : c.verdict === "bound-reached" ? `no failure in ${c.schedules} schedules (bound)` : `found after ${c.schedules} schedules`}; PCT ${c.pct.hits}/${c.pct.runs}${c.message ? `; ${c.message}` : ""}`,
      })),
      { title: `Scenario x fix on ${kernel}: exhaustive search (grey: the bound cut it)`, rowTitle: "scenario", colTitle: "fix", rows: scenarios, cols: fixes },
    )));
    for (const id of scenarios) {
      const row = here.filter((c) => c.scenario === id);
      if (id !== "S1" && id !== "S3") continue; // the fast paths that differ between fixes
      parts.push(eager(costBarsFigure(row.map((c) => ({ name: c.fix, counters: { ...c.scripted.cost, migrationEntriesCreated: 0, migrationEntriesRemoved: 0 } })), { title: `What one scripted run of ${id} costs on ${kernel}` })));
    }
  }
  const failing = cells.filter((c) => c.schedule !== undefined && c.verdict !== "clean" && c.verdict !== "bound-reached");
  parts.push(`<h2>Counterexamples (${failing.length})</h2>\n<p>Each is minimised (fewest preemptions, then fewest steps) and replays with the command shown. Open one to draw its timeline.</p>\n`);
  failing.forEach((c, i) => {
    const p = prepareScenario(c.scenario, { kernel: c.kernel, fix: c.fix });
    const min = shrink(p, c.schedule as string, { budget: o.shrinkBudget ?? 2500 });
    const run = runPrepared(p, { schedule: min.schedule, strict: true });
    const cmd = `npx kernel-model run ${c.scenario} --kernel ${c.kernel}${c.fix !== "none" ? ` --fix ${c.fix}` : ""} --schedule '${min.schedule}'`;
    parts.push(`<details><summary><b>${esc(c.scenario)} on ${esc(c.kernel)} + ${esc(c.fix)}</b>: ${esc(run.verdict.kind)} ${esc(run.verdict.invariant ?? "")} — ${esc(run.verdict.message ?? "")} (${min.preemptions} preemptions, ${min.steps} steps${min.minimal ? "" : ", budget ran out before minimality was shown: raise --minimise-budget"})</summary>\n<pre>${esc(cmd)}</pre>\n${lazy(timelineFigure(run, { title: `${c.scenario} on ${c.kernel} + ${c.fix}` }))}</details>\n`);
    o.onProgress?.(i + 1, failing.length);
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>anonvma-lab: candidate fixes compared</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}details{margin:.4rem 0}pre{background:#f5f5f5;padding:.4rem;overflow-x:auto}</style>
<script>${escapeScript(plotlySource())}</script></head>
<body>
<h1>Candidate fixes for the 2010 anon_vma / migration race, compared</h1>
<p>kernel-model ${esc(VERSION)}. ${esc(o.method ?? "")} Verdicts: clean (every interleaving covered), bug, livelock, deadlock, use-after-free, bound-reached (the search budget cut it: not a proof).</p>
${parts.join("")}
<script>
document.querySelectorAll("details").forEach(function (d) {
  d.addEventListener("toggle", function () {
    var el = d.querySelector(".lazy-plot");
    if (!d.open || !el || el.dataset.drawn) return;
    var fig = JSON.parse(document.getElementById(el.id + "-json").textContent);
    Plotly.newPlot(el, fig.data, fig.layout || {}, fig.config || {});
    el.dataset.drawn = "1";
  });
});
</script>
</body></html>
`;
}
