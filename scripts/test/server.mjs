// Tests of `npm start`: the server lists the tslab kernelspec as the default, and Ctrl-C stops it and its kernels.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../setup.mjs";

const freePort = () =>
  new Promise((done) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
  });

/** Pids of processes whose command line contains `needle`. */
function pidsWith(needle) {
  const pids = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle)) pids.push(Number(pid));
    } catch {}
  }
  return pids;
}

function until(pred, ms, what) {
  const end = Date.now() + ms;
  return new Promise((done, fail) => {
    const tick = async () => {
      if (await pred()) return done();
      if (Date.now() > end) return fail(new Error(`timed out after ${ms / 1000} s waiting for ${what}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

/**
 * Starts `npm start` in its own process group (as a terminal would), checks its REST API, then sends SIGINT to
 * the group like Ctrl-C. Resolves to [{name, started, error}].
 */
export async function checkServer() {
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const config = mkdtempSync(join(tmpdir(), "anonvma-jupyter-config-"));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const child = spawn(npm, ["start"], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PORT: String(port), JUPYTER_TOKEN: token, JUPYTER_CONFIG_DIR: config },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  let exit = null;
  const exited = new Promise((done) => child.on("exit", (code, signal) => done((exit = { code, signal }))));
  child.on("error", (e) => ((log += e.message), (exit ??= { code: e.code })));
  const early = () => exit && new Error(`npm start exited early (${exit.code ?? exit.signal})`);
  const base = `http://127.0.0.1:${port}`;
  const auth = { headers: { Authorization: `token ${token}` } };
  const results = [];
  const step = async (name, fn) => {
    const started = Date.now();
    try {
      await fn();
      results.push({ name, started, error: null });
    } catch (e) {
      results.push({ name, started, error: `${e.message}\n--- npm start output ---\n${log.slice(-3000)}` });
    }
  };
  let kernelId = null;

  await step("npm start serves the tslab kernelspec as the default (GET /api/kernelspecs)", async () => {
    await until(() => exit || log.includes(`${base}/tree?token=${token}`), 120000, "the URL with the token on stdout");
    if (early()) throw early();
    const anon = await fetch(`${base}/api/kernelspecs`);
    if (anon.status !== 403) throw new Error(`without the token: HTTP ${anon.status}, expected 403`);
    const specs = await (await fetch(`${base}/api/kernelspecs`, auth)).json();
    const tslab = specs.kernelspecs?.tslab?.spec;
    if (specs.default !== "tslab") throw new Error(`default kernel is ${specs.default}`);
    if (tslab?.argv?.[1] !== join(ROOT, "node_modules", "tslab", "bin", "tslab"))
      throw new Error(`tslab spec argv is ${JSON.stringify(tslab?.argv)}`);
    const res = await fetch(`${base}/api/kernels`, { ...auth, method: "POST", body: JSON.stringify({ name: "tslab" }) });
    kernelId = (await res.json()).id;
    if (!kernelId) throw new Error(`POST /api/kernels: HTTP ${res.status}`);
  });

  await step("Ctrl-C stops npm start, the server and its kernels", async () => {
    if (early()) throw early();
    if (kernelId) await until(() => pidsWith(`kernel-${kernelId}.json`).length > 0, 10000, "the kernel process");
    process.kill(-child.pid, "SIGINT");
    const timeout = new Promise((r) => setTimeout(() => r(null), 30000));
    if (!(await Promise.race([exited, timeout]))) throw new Error("npm start still running 30 s after SIGINT");
    const left = kernelId ? pidsWith(`kernel-${kernelId}.json`) : [];
    if (left.length) throw new Error(`kernel processes left: ${left.join(", ")}`);
    const still = await fetch(`${base}/api`).then(() => true, () => false);
    if (still) throw new Error("the server still answers");
  });

  try {
    process.kill(-child.pid, "SIGKILL"); // only if something above failed and left it running
  } catch {}
  rmSync(config, { recursive: true, force: true });
  return results;
}
