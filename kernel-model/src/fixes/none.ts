import type { Fix } from "./fix";

/** No fix: the kernel version as it was released. */
export const none: Fix = {
  id: "none",
  code: "-",
  title: "no fix: the kernel version as released",
  origin: { who: "-", date: "-", ref: "-" },
  fate: "-",
  closes: [],
  apply: (p) => p,
};
