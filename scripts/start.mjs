// npm start: set up, build kernel-model, then serve notebooks/ with the classic Jupyter Notebook on 127.0.0.1,
// with tslab as the default kernel. Port: $PORT, else 8888 if free, else any free port. Ctrl-C stops it.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";
import { PYTHON, ROOT, build, jupyterEnv, setup } from "./setup.mjs";

function portFree(port) {
  return new Promise((done) => {
    const srv = createServer();
    srv.once("error", () => done(null));
    srv.listen(port, "127.0.0.1", () => srv.close(() => done(srv.address()?.port ?? port)));
  });
}

async function choosePort() {
  if (process.env.PORT) return Number(process.env.PORT); // asked for: let jupyter fail loudly if it is taken
  return (await portFree(8888)) ?? (await new Promise((done) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
  }));
}

async function waitUntilUp(url, child) {
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

try {
  setup();
} catch (e) {
  console.error(`start: ${e.message}`);
  process.exit(1);
}
try {
  build();
} catch (e) {
  // tsc still emitted dist/; a server is more use than none while fixing type errors.
  console.error(`start: WARNING: ${e.message}; serving anyway with what tsc emitted`);
}

const port = await choosePort();
const token = process.env.JUPYTER_TOKEN || randomBytes(24).toString("hex");
const args = [
  "-m", "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--NotebookApp.port_retries=0",
  `--notebook-dir=${join(ROOT, "notebooks")}`, "--MultiKernelManager.default_kernel_name=tslab",
];
if (process.getuid?.() === 0) args.push("--allow-root");

// stdin is not a terminal, so jupyter treats SIGINT as "stop now" instead of asking to confirm; on stop it
// shuts its kernels down itself. Its log goes to our stderr, our URL to stdout.
const child = spawn(PYTHON, args, { env: jupyterEnv({ JUPYTER_TOKEN: token }), stdio: ["ignore", "inherit", "inherit"] });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping Jupyter and its kernels ...");
  child.kill("SIGTERM");
  setTimeout(() => child.kill("SIGKILL"), 15000).unref();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
child.on("exit", (code, signal) => {
  if (stopping) console.log("stopped");
  else console.error(`start: jupyter exited (${code ?? signal})`);
  process.exit(stopping ? 0 : code || 1);
});

const base = `http://127.0.0.1:${port}`;
if (await waitUntilUp(`${base}/api`, child)) {
  console.log(`\nJupyter Notebook serves notebooks/ with the TypeScript (tslab) kernel:\n\n    ${base}/tree?token=${token}\n`);
  console.log("Ctrl-C stops the server and its kernels.");
}
