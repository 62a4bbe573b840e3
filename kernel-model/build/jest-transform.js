/**
 * The unit tests' transform: ts-jest, then build/resumable.js on the kernel-path modules, so that the
 * tests run the same code as dist/ (npm run build does the same pass over tsc's output).
 */
"use strict";
const path = require("node:path");
const tsJest = require("ts-jest").default;
const { transform, applies, VERSION } = require("./resumable");

const SRC = path.join(__dirname, "..", "src");

module.exports = {
  createTransformer(config) {
    const inner = tsJest.createTransformer(config);
    const kernelPath = (file) => {
      const rel = path.relative(SRC, file).split(path.sep).join("/");
      return !rel.startsWith("..") && applies(rel);
    };
    return {
      canInstrument: false,
      getCacheKey(src, file, options) {
        return `${inner.getCacheKey(src, file, options)}:${kernelPath(file) ? VERSION : ""}`;
      },
      process(src, file, options) {
        const r = inner.process(src, file, options);
        if (!kernelPath(file)) return r;
        const code = typeof r === "string" ? r : r.code;
        const out = transform(code.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"), file);
        return { code: out ?? code };
      },
    };
  },
};
