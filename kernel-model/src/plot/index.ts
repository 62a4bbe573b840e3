/** Plotly figures and their display in tslab notebooks. */
export * from "./display";
