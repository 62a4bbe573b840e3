// Opens book pages in headless Debian Chromium (playwright-core) and checks that every plot really rendered.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CHROMIUM, ROOT } from "../setup.mjs";

const require = createRequire(join(ROOT, "package.json"));
const { chromium } = require("playwright-core");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Launches Chromium with a fresh profile; returns {check(page path, {minPlots}), close()}. */
export async function openBrowser() {
  const profile = mkdtempSync(join(tmpdir(), "anonvma-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  const plotly = JSON.parse(readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8")).version;

  /** Throws unless the page has at least minPlots plots, all drawn with traces, and no error output. */
  async function check(file, { minPlots = 0 } = {}) {
    const page = await ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(pathToFileURL(file).href, { waitUntil: "load", timeout: 60000 });
      // Plotly draws while the page loads, but may finish later; give it time, then judge what is there.
      await page
        .waitForFunction(
          (min) => {
            const divs = [...document.querySelectorAll(".kernel-model-plot")];
            return divs.length >= min && divs.every((d) => d.querySelector("svg.main-svg") || d.classList.contains("kernel-model-plot-error"));
          },
          minPlots,
          { timeout: 20000 },
        )
        .catch(() => {});
      const p = await page.evaluate(() => {
        const divs = [...document.querySelectorAll(".kernel-model-plot")];
        return {
          plots: divs.length,
          // Scatter, bar and line traces draw paths; a heat map draws its cells as one bitmap <image> in g.hm.
          drawn: divs.filter(
            (d) =>
              [...d.querySelectorAll("svg.main-svg g.trace path")].some((p) => (p.getAttribute("d") || "").length > 10) ||
              [...d.querySelectorAll("svg.main-svg g.hm image")].some((i) => (i.getAttribute("href") || i.getAttribute("xlink:href") || "").length > 100),
          ).length,
          traces: document.querySelectorAll("svg.main-svg g.trace").length,
          version: window.Plotly ? window.Plotly.version : null,
          stderr: document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"], .kernel-model-plot-error').length,
        };
      });
      const problems = [...errors.map((e) => `page error: ${e}`)];
      if (p.plots < minPlots) problems.push(`${p.plots} plots, expected at least ${minPlots}`);
      if (p.drawn < p.plots) problems.push(`only ${p.drawn} of ${p.plots} plots have drawn traces`);
      if (p.plots && p.version !== plotly) problems.push(`window.Plotly.version is ${p.version}, expected ${plotly}`);
      if (p.stderr) problems.push(`${p.stderr} error outputs on the page`);
      if (problems.length) throw new Error(problems.join("; "));
      return p;
    } finally {
      await page.close();
    }
  }

  return { check, close: async () => (await ctx.close(), rmSync(profile, { recursive: true, force: true })) };
}
