/**
 * A candidate fix from the 2010 thread (kernel-history.md §6, §7) as a policy over the model code: a
 * small object that says who proposed it, where, what became of it, and which policy fields it changes.
 * The verdicts come from running the model with that policy, never from `closes`.
 */
import type { KernelPolicy } from "../kernels";

export interface FixOrigin {
  /** Who proposed or wrote it. */
  who: string;
  /** When it was posted or committed (2010). */
  date: string;
  /** The Message-ID of the posting or the mainline commit. */
  ref: string;
}

export interface Fix {
  /** Id used on the command line and in the manifest, e.g. "root-anon-vma-lock". */
  id: string;
  /** The number in the reference's table of candidates (§6), e.g. "1f"; "-" for `none`. */
  code: string;
  title: string;
  origin: FixOrigin;
  /** What became of it (merged, rejected, dropped...). */
  fate: string;
  /** The races it was claimed to close (documentation only: tests check the model's verdicts). */
  closes: string[];
  /** What it costs beyond steps and locks that the counters show (memory per object, fast paths). */
  cost?: string;
  /** The policy of a kernel with this fix applied. */
  apply(policy: KernelPolicy): KernelPolicy;
}
