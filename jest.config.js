/** Unit tests of kernel-model, type-checked by ts-jest; kernel paths compiled to machines as in dist/ (build/resumable.js). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/kernel-model/test"],
  transform: { "^.+\\.ts$": ["<rootDir>/kernel-model/build/jest-transform.js", { tsconfig: "<rootDir>/kernel-model/tsconfig.test.json" }] },
};
