import type { NodeResult } from "../types.js";

/** Athena's price: $5 per TB (2^40 bytes) billed. */
export const USD_PER_TB = 5;
const TB = 1024 ** 4;

/** Dollars for billed bytes (the engine applies the per-query rounding and 10 MB minimum). */
export function costUsd(billedBytes: number): number {
  return (billedBytes / TB) * USD_PER_TB;
}

/** Run totals, present only when some node reported billed bytes (Athena targets). */
export function costTotals(
  results: readonly NodeResult[],
): { bytesScanned: number; billedBytes: number; costUsd: number } | undefined {
  const billed = results.filter((r) => r.billedBytes !== undefined);
  if (billed.length === 0) return undefined;
  const billedBytes = billed.reduce((s, r) => s + (r.billedBytes ?? 0), 0);
  return {
    bytesScanned: results.reduce((s, r) => s + (r.bytesScanned ?? 0), 0),
    billedBytes,
    costUsd: costUsd(billedBytes),
  };
}
