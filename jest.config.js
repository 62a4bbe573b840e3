/** Unit tests of kernel-model, type-checked by ts-jest. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/kernel-model/test"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/kernel-model/tsconfig.test.json" }] },
};
