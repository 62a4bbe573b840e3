/**
 * The registry of candidate fixes (kernel-history.md §6, §7). A fix applies on top of a kernel version
 * (by default 2.6.34, the first kernel with anon_vma_chain).
 */
import { kernelPolicy, type KernelPolicy, UsageError } from "../kernels";
import { countedMigrationPtes } from "./counted-migration-ptes";
import { execTempVma } from "./exec-temp-vma";
import type { Fix } from "./fix";
import { lazyCleanupFault } from "./lazy-cleanup-fault";
import { lazyCleanupMovePtes } from "./lazy-cleanup-move-ptes";
import { migrateMmapSem } from "./migrate-mmap-sem";
import { nestedAnonVmaLocks } from "./nested-anon-vma-locks";
import { none } from "./none";
import { rootAnonVmaLock } from "./root-anon-vma-lock";
import { rootOrderedNested } from "./root-ordered-nested";
import { skipTempStacks } from "./skip-temp-stacks";
import { takeAllLocks } from "./take-all-locks";
import { trylockRetry } from "./trylock-retry";
import { vmaAdjustLock } from "./vma-adjust-lock";
import { zapWaits } from "./zap-waits";

export type { Fix, FixOrigin } from "./fix";

/** Every modelled fix by id, `none` first. */
export const FIXES: Readonly<Record<string, Fix>> = Object.fromEntries(
  [
    none, rootAnonVmaLock, skipTempStacks, vmaAdjustLock, migrateMmapSem, zapWaits, lazyCleanupFault, countedMigrationPtes,
    trylockRetry, nestedAnonVmaLocks, takeAllLocks, rootOrderedNested, lazyCleanupMovePtes, execTempVma,
  ].map((f) => [f.id, f]),
);

export const FIX_IDS: readonly string[] = Object.keys(FIXES);

/** A fix by id; throws UsageError naming the accepted ids. */
export function getFix(id: string): Fix {
  const f = FIXES[id];
  if (!f) throw new UsageError(`unknown fix "${id}"; expected one of ${FIX_IDS.join(", ")}`);
  return f;
}

/** The policy of kernel `version` with fix `fixId` applied; throws UsageError for an unknown version or fix. */
export function fixPolicy(version: string, fixId: string): KernelPolicy {
  const fix = getFix(fixId);
  const base = kernelPolicy(version);
  if (fix.id === "none") return base;
  const p = fix.apply({ ...base });
  return { ...p, summary: `${base.summary}; with fix ${fix.id} (${fix.code}): ${fix.title}` };
}
