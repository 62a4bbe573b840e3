import * as vm from "vm";
import * as Display from "../../src/plot/display";

/** A fresh copy of the module, as a new tslab kernel session would load it. */
function freshSession(): typeof Display {
  let mod: typeof Display | undefined;
  jest.isolateModules(() => {
    mod = require("../../src/plot/display");
  });
  return mod!;
}

/** A stand-in for tslab.display that records what a notebook would show. */
function recorder() {
  const shown: string[] = [];
  return { shown, display: { html: (s: string) => void shown.push(s) } };
}

/** The bodies of the <script> elements, the way an HTML parser splits them (ends at the first `</script`). */
function scripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script/gi)].map((m) => m[1]!);
}

/** Runs the plot's drawing script against a fake page; returns what reached Plotly.newPlot. */
function draw(script: string, withPlotly = true) {
  const calls: unknown[][] = [];
  const el = { className: "", textContent: "" };
  const window: Record<string, unknown> = {};
  if (withPlotly) window.Plotly = { newPlot: (...args: unknown[]) => void calls.push(args) };
  vm.runInNewContext(script, { window, document: { getElementById: () => el } });
  return { calls, el };
}

const hostile = "</script><script>alert(1)</script> <!-- </SCRIPT x";
const figure = {
  data: [{ type: "scatter", x: [1, 2, 3], y: [2, 4, 8], name: hostile }],
  layout: { title: { text: "<b>rmap</b> " + hostile } },
};

describe("escapeScript", () => {
  test("leaves no way to end the script element early, and keeps the JavaScript's meaning", () => {
    const src = `var a = "</script>", b = "<!-- x", c = '</SCRIPT >'; /</script>/.test(a);`;
    const out = Display.escapeScript(src);
    expect(out).not.toMatch(/<\/script/i);
    expect(out).not.toContain("<!--");
    const ctx: Record<string, unknown> = {};
    vm.runInNewContext(out + "; this.r = [a, b, c];", ctx);
    expect(ctx.r).toEqual(["</script>", "<!-- x", "</SCRIPT >"]);
  });

  test("the escaped plotly.js bundle still parses", () => {
    const out = Display.escapeScript(Display.plotlySource());
    expect(out).not.toMatch(/<\/script/i);
    expect(out).not.toContain("<!--");
    expect(() => new vm.Script(out)).not.toThrow();
  });
});

describe("figureHtml", () => {
  test("the figure survives hostile strings: one script element, and Plotly gets the exact data", () => {
    const html = Display.figureHtml(figure, { id: "p1" });
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    const { calls } = draw(scripts(html)[0]!);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slice(1)).toEqual([figure.data, figure.layout, {}]);
  });

  test("plotly.js is inlined only when asked", () => {
    const source = Display.plotlySource();
    expect(source.length).toBeGreaterThan(1_000_000);
    const without = Display.figureHtml(figure);
    const withIt = Display.figureHtml(figure, { includePlotly: true });
    expect(without.length).toBeLessThan(10_000);
    expect(scripts(withIt)).toHaveLength(2);
    expect(scripts(withIt)[0]).toBe(Display.escapeScript(source));
  });

  test("default id depends on the figure; a given id is used and attribute-escaped", () => {
    const a = Display.figureHtml(figure);
    const b = Display.figureHtml({ data: [{ y: [1] }] });
    const id = (h: string) => /<div id="([^"]*)"/.exec(h)![1];
    expect(id(a)).toMatch(/^plotly-[0-9a-f]{12}$/);
    expect(id(a)).not.toBe(id(b));
    expect(id(Display.figureHtml(figure))).toBe(id(a));
    expect(id(Display.figureHtml(figure, { id: 'x"><y' }))).toBe("x&quot;&gt;&lt;y");
  });

  test("a figure with frames is drawn with the one-object form, so the frames reach Plotly", () => {
    const animated = { ...figure, frames: [{ name: "0", data: [{ y: [1] }] }, { name: "1", data: [{ y: [2] }] }] };
    const { calls } = draw(scripts(Display.figureHtml(animated))[0]!);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slice(1)).toEqual([{ data: figure.data, layout: figure.layout, config: {}, frames: animated.frames }]);
  });

  test("non-ASCII text is escaped in the script and arrives intact", () => {
    const f = { data: [{ y: [1], name: "vma1: p32 ✗ … → 𝔭" }] };
    const html = Display.figureHtml(f);
    expect(scripts(html)[0]).toMatch(/^[\x00-\x7e]*$/);
    const { calls } = draw(scripts(html)[0]!);
    expect(calls[0]![1]).toEqual(f.data);
  });

  test("without plotly.js in the page the plot says so instead of failing silently", () => {
    const { calls, el } = draw(scripts(Display.figureHtml(figure))[0]!, false);
    expect(calls).toHaveLength(0);
    expect(el.className).toContain("kernel-model-plot-error");
    expect(el.textContent).toContain("plotly.js is not loaded");
  });
});

describe("showPlot", () => {
  test("inlines plotly.js once per kernel session, and again in a new session", () => {
    const s1 = freshSession();
    const r = recorder();
    s1.showPlot(r.display, figure);
    s1.showPlot(r.display, figure);
    s1.showPlot(r.display, figure);
    expect(r.shown.map((h) => scripts(h).length)).toEqual([2, 1, 1]);

    const r2 = recorder();
    freshSession().showPlot(r2.display, figure);
    expect(scripts(r2.shown[0]!)).toHaveLength(2);
  });

  test("includePlotly overrides the session default either way", () => {
    const s = freshSession();
    const r = recorder();
    s.showPlot(r.display, figure, { includePlotly: false });
    s.showPlot(r.display, figure);
    s.showPlot(r.display, figure, { includePlotly: true });
    expect(r.shown.map((h) => scripts(h).length)).toEqual([1, 2, 2]);
  });

  test("plot ids are unique within a session and across sessions, and the script draws that div", () => {
    const r = recorder();
    const s1 = freshSession();
    const s2 = freshSession();
    s1.showPlot(r.display, figure);
    s1.showPlot(r.display, figure);
    s2.showPlot(r.display, figure);
    const ids = r.shown.map((html) => /<div id="([^"]*)"/.exec(html)![1]!);
    expect(new Set(ids).size).toBe(3);
    ids.forEach((id, i) => expect(scripts(r.shown[i]!).at(-1)).toContain(`getElementById(${JSON.stringify(id)})`));
  });

  test("a display that throws does not count as having shown plotly.js", () => {
    const s = freshSession();
    expect(() => s.showPlot({ html: () => { throw new Error("no kernel"); } }, figure)).toThrow("no kernel");
    const r = recorder();
    s.showPlot(r.display, figure);
    expect(scripts(r.shown[0]!)).toHaveLength(2);
  });
});

test("plotlyVersion reads the bundle's package version", () => {
  expect(Display.plotlyVersion()).toMatch(/^\d+\.\d+\.\d+/);
});
