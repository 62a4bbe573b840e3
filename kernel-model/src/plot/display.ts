import { createHash, randomBytes } from "crypto";
import { readFileSync } from "fs";

/** A plotly figure as plain JSON: the arguments of `Plotly.newPlot`. */
export interface Figure {
  data: object[];
  layout?: object;
  config?: object;
  /** Animation frames (a slider or play button in the layout selects them by name). */
  frames?: object[];
}

/**
 * The part of tslab's `display` object that {@link showPlot} needs. Typed structurally so that this
 * package never imports tslab: a notebook passes `tslab.display`.
 */
export interface HtmlDisplay {
  html(html: string): void;
}

/** Options of {@link figureHtml}. */
export interface FigureHtmlOptions {
  /** Put all of plotly.js (about 4.8 MB) in a `<script>` before the plot. Default: false. */
  includePlotly?: boolean;
  /** The id of the plot's `<div>`. Default: "plotly-" and a hash of the figure. */
  id?: string;
}

/** Options of {@link showPlot}. */
export interface ShowPlotOptions {
  /** Inline plotly.js again (or not). Default: only in the first plot of the kernel session. */
  includePlotly?: boolean;
}

/** Escapes JavaScript source for an HTML `<script>` element, so `</script` or `<!--` inside it cannot end it early. */
export function escapeScript(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "\\x3C!--");
}

/**
 * JSON that is safe inside a `<script>` element: every `<` becomes `\u003c`, and every non-ASCII character a
 * `\u` escape too, so labels such as "…" survive a page served without a charset.
 */
export function scriptJson(value: unknown): string {
  return (JSON.stringify(value) ?? "null")
    .replace(/</g, "\\u003c")
    .replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

let plotlyCache: string | undefined;

/** The source of the plotly.js bundle (plotly.js-dist-min), read once. */
export function plotlySource(): string {
  plotlyCache ??= readFileSync(require.resolve("plotly.js-dist-min"), "utf8");
  return plotlyCache;
}

/** The version of the plotly.js bundle that figures are drawn with. */
export function plotlyVersion(): string {
  return (JSON.parse(readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8")) as { version: string })
    .version;
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * HTML that draws `figure` with plotly.js when a browser parses it: a `<div>` and a `<script>` calling
 * `Plotly.newPlot`. Works offline if plotly.js is inlined here or earlier in the same page. Pure.
 */
export function figureHtml(figure: Figure, options: FigureHtmlOptions = {}): string {
  const json = (v: unknown) => scriptJson(v ?? {});
  const id = options.id ?? "plotly-" + createHash("sha1").update(json(figure)).digest("hex").slice(0, 12);
  const plotly = options.includePlotly ? `<script>${escapeScript(plotlySource())}</script>\n` : "";
  // If plotly.js is missing (its output was cleared), say so in the page instead of failing silently.
  const draw =
    `(function () {\n` +
    `  var el = document.getElementById(${scriptJson(id)});\n` +
    `  if (!window.Plotly) {\n` +
    `    el.className += " kernel-model-plot-error";\n` +
    `    el.textContent = "plotly.js is not loaded in this page: show this plot with { includePlotly: true }";\n` +
    `    return;\n` +
    `  }\n` +
    (figure.frames
      ? `  window.Plotly.newPlot(el, { data: ${json(figure.data)}, layout: ${json(figure.layout)}, config: ${json(figure.config)}, frames: ${scriptJson(figure.frames)} });\n`
      : `  window.Plotly.newPlot(el, ${json(figure.data)}, ${json(figure.layout)}, ${json(figure.config)});\n`) +
    `})();`;
  return `${plotly}<div id="${escapeAttribute(id)}" class="kernel-model-plot"></div>\n<script>\n${draw}\n</script>\n`;
}

// Kernel-session state: a tslab kernel loads this module once, so plotly.js goes into the first output only.
const session = randomBytes(4).toString("hex");
let plots = 0;
let plotlyShown = false;

/**
 * Shows `figure` in a tslab notebook: `showPlot(tslab.display, figure)`. Emits `text/html` with plotly.js
 * inlined in the first plot of the kernel session, so the notebook and its HTML export work offline.
 * Each plot's `<div>` gets an id unique within the session and across sessions. Returns nothing, so a notebook
 * cell ending in `showPlot(...)` prints nothing.
 */
export function showPlot(display: HtmlDisplay, figure: Figure, options: ShowPlotOptions = {}): void {
  const includePlotly = options.includePlotly ?? !plotlyShown;
  const id = `plotly-${session}-${++plots}`;
  display.html(figureHtml(figure, { id, includePlotly }));
  if (includePlotly) plotlyShown = true;
}
