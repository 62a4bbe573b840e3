/** Plotly figures and their display in tslab notebooks. */
export * from "./display";
/** Pure figure builders: data in, plotly figure JSON out. */
export { VERDICT_COLORS, VERDICT_KINDS, PTE_COLORS, LOCK_COLORS, lockColor } from "./common";
export * from "./structure";
export * from "./timeline";
export * from "./stepthrough";
export * from "./matrix";
export * from "./rates";
export * from "./costs";
