// Set-up that every command runs first: Debian packages (Jupyter; Chromium for the tests), npm packages, the
// repo-local tslab kernelspec. Uses only Node built-ins, because it runs before node_modules exists (fresh clone).
// Idempotent and fast when nothing is missing. `node scripts/setup.mjs` runs all of it.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const JUPYTER_PATH = join(ROOT, ".jupyter-path");
/** Debian's jupyter modules live in the system Python; a pyenv `python3` on PATH has none of them. */
export const PYTHON = process.env.ANONVMA_PYTHON || "/usr/bin/python3";
export const CHROMIUM = process.env.ANONVMA_CHROMIUM || "/usr/bin/chromium";

const JUPYTER_PACKAGES = ["jupyter-nbconvert", "python3-nbclient", "jupyter-client", "jupyter-notebook"];
const LOCK_STAMP = join(ROOT, "node_modules", ".anonvma-lock-sha1");

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: ROOT, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status ?? r.signal}`);
}

function missingDebianPackages(wanted) {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Package} ${Status}\\n", ...wanted], { encoding: "utf8" });
  if (r.error) return null; // no dpkg: not Debian
  const installed = new Set(
    r.stdout.split("\n").filter((l) => l.endsWith(" install ok installed")).map((l) => l.split(" ")[0]),
  );
  return wanted.filter((p) => !installed.has(p));
}

function ensureSystemPackages(browser, spin = false) {
  const missing = missingDebianPackages([...JUPYTER_PACKAGES, ...(browser ? ["chromium"] : []), ...(spin ? ["spin"] : [])]);
  if (missing === null) {
    // Not Debian: accept any installation that works, else say what is needed.
    const py = spawnSync(PYTHON, ["-c", "import nbclient, nbconvert, notebook"], { stdio: "ignore" });
    if (py.status === 0 && (!browser || existsSync(CHROMIUM))) return;
    throw new Error(
      `need Jupyter (nbclient, nbconvert, classic notebook 6) importable by ${PYTHON}` +
        (browser ? ` and Chromium at ${CHROMIUM}` : "") +
        `.\n  Install them, or set ANONVMA_PYTHON / ANONVMA_CHROMIUM to where they are.`,
    );
  }
  if (missing.length === 0) return;
  const cmd = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (!canInstall) throw new Error(`missing Debian packages. Run:\n  sudo apt-get update && sudo ${cmd}`);
  log(`installing ${missing.join(" ")} (about a minute, once)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update", "-qq"], { env });
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
}

function lockHash() {
  return createHash("sha1").update(readFileSync(join(ROOT, "package-lock.json"))).digest("hex");
}

/** `npm ci` only when node_modules is missing or was installed from another package-lock.json. */
function ensureNodeModules() {
  const want = lockHash();
  const have = existsSync(LOCK_STAMP) ? readFileSync(LOCK_STAMP, "utf8").trim() : "";
  if (existsSync(join(ROOT, "node_modules", "tslab"))) {
    if (have === want) return;
    // Installed by hand (npm install) after the last lockfile change: npm's own record is newer, trust it.
    const npmRecord = join(ROOT, "node_modules", ".package-lock.json");
    if (!have && existsSync(npmRecord) && statSync(npmRecord).mtimeMs >= statSync(join(ROOT, "package-lock.json")).mtimeMs) {
      writeFileSync(LOCK_STAMP, want + "\n");
      return;
    }
  }
  log("npm ci (node_modules missing or older than package-lock.json)");
  run(process.platform === "win32" ? "npm.cmd" : "npm", ["ci", "--no-audit", "--no-fund"]);
  writeFileSync(LOCK_STAMP, want + "\n");
}

/** The tslab kernelspec with absolute paths, so the kernel does not depend on PATH (`tslab install` does). */
function ensureKernelspec() {
  const spec = {
    argv: [process.execPath, join(ROOT, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (tslab)",
    language: "typescript",
  };
  const file = join(JUPYTER_PATH, "kernels", "tslab", "kernel.json");
  const text = JSON.stringify(spec, null, 2) + "\n";
  if (existsSync(file) && readFileSync(file, "utf8") === text) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  log(`wrote ${file}`);
}

/** Environment for every jupyter process: our kernelspec first, runtime files inside the repo. */
export function jupyterEnv(extra = {}) {
  return {
    ...process.env,
    JUPYTER_PATH: [JUPYTER_PATH, process.env.JUPYTER_PATH].filter(Boolean).join(":"),
    JUPYTER_RUNTIME_DIR: join(ROOT, ".jupyter-runtime"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    ...extra,
  };
}

/** Everything a command needs; `browser` adds Chromium (only the tests need it), `spin` the SPIN model checker (the benchmark). */
export function setup({ browser = false, spin = false } = {}) {
  ensureSystemPackages(browser, spin);
  ensureNodeModules();
  ensureKernelspec();
}

/** Builds kernel-model (dist/), through the package's own build script. */
export function build() {
  run(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "-s", "build"]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    // `--bench`: what npm run bench needs (SPIN); otherwise everything npm test needs.
    setup(process.argv.includes("--bench") ? { spin: true } : { browser: true });
    log("ok");
  } catch (e) {
    log(`FAILED: ${e.message}`);
    process.exit(1);
  }
}
