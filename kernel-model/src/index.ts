/** kernel-model: a step-level model of the 2010 anon_vma / page-migration race. */
export const VERSION = "0.1.0";
export * from "./plot";
