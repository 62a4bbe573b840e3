/** kernel-model: a step-level model of the 2010 anon_vma / page-migration race. */
export { VERSION } from "./version";
export * from "./plot";
export * from "./api";
export { KERNEL_VERSIONS, kernelPolicy, UsageError, type KernelPolicy, type KernelVersion } from "./kernels";
export * from "./scenarios/spec";
export { BUILTIN, builtinScenario, S1 as s1Family, type S1Params } from "./scenarios/builtin";
export { ScenarioError, parseScenario, validateScenario, loadScenarioFile, SCENARIO_SCHEMA_PATH } from "./scenarios/json";
export type { BuildOptions, Prepared } from "./scenarios/build";
export { type Chooser, type ChoiceContext, type RunOptions, type RunResult, type Verdict, type VerdictKind, continueLast } from "./sim/scheduler";
export { formatSchedule, parseSchedule } from "./sim/schedule";
export { formatTrace, type TraceEntry } from "./sim/trace";
export { DEFAULT_MODEL_OPTIONS, type ModelOptions } from "./sim/kernel";
export type * from "./mm/types";
export { FIXES, FIX_IDS, fixPolicy, getFix, type Fix, type FixOrigin } from "./fixes";
export { describeState } from "./sim/describe";
export { check, assert, assertEqual, NOT_IMPLEMENTED } from "./grading";
export { compareFixes, formatCompare, seededChooser, type CompareCell, type CompareOptions, type RunCost } from "./fixes/compare";
export {
  explore, exhaustive, exploreRandom, explorePct, randomChooser, pctChooser, shrink, measure, replayExact, hashState,
  isFailure, countPreemptions, formatProgress, EXPLORE_MODES,
  type ExploreMode, type ExploreOptions, type ExploreProgress, type ExploreResult, type ExhaustiveOptions, type ExhaustiveResult,
  type Outcome, type Bound, type SamplingOptions, type SamplingResult, type PctOptions, type Shrunk, type ShrinkOptions,
} from "./explore";
export { main as cliMain, CLI_FIXES } from "./cli/main";
