/**
 * npm run build: tsc, then build/resumable.js over its output. tsc emits even when it reports type
 * errors; the kernel paths are compiled to machines all the same (so dist/ is never left half-built), and
 * the build still fails.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const { chmodSync, existsSync } = require("node:fs");
const path = require("node:path");

const here = path.join(__dirname, "..");
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(here, "tsconfig.json")], { stdio: "inherit" });
const pass = spawnSync(process.execPath, [path.join(__dirname, "resumable.js"), path.join(here, "dist")], { stdio: "inherit" });
// The bin (npx kernel-model): npm makes it executable only when it links it, and on a fresh clone
// `npm ci` runs before dist/ exists, so tsc's 0644 file would stay ("kernel-model: Permission denied").
const bin = path.join(here, "dist", "cli", "main.js");
if (existsSync(bin)) chmodSync(bin, 0o755);
process.exit(tsc.status !== 0 ? tsc.status ?? 1 : pass.status ?? 1);
