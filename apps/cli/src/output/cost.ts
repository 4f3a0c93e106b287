import type { NodeResult, RunResults } from "@sluice/runner";

/** `1.2 GB`, `10.0 MB`, `512 B` (binary units, as Athena bills). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Dollars with enough digits for sub-cent query costs: `$0.000048`, `$1.25`. */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  return usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`;
}

/** Whether the run's target reports bytes (Athena): only then the summary shows cost columns. */
export function reportsCost(results: RunResults): boolean {
  return results.results.some((r) => r.billedBytes !== undefined);
}

/** The two cost cells of one summary row. */
export function costCells(r: NodeResult): [string, string] {
  return [
    r.bytesScanned === undefined ? "" : formatBytes(r.bytesScanned),
    r.costUsd === undefined ? "" : formatUsd(r.costUsd),
  ];
}

/** `Scanned 1.2 GB, billed 1.3 GB: $0.0063 at $5/TB (10 MB minimum per query).` */
export function costLine(results: RunResults): string | undefined {
  const cost = results.cost;
  if (cost === undefined) return undefined;
  return `Scanned ${formatBytes(cost.bytesScanned)}, billed ${formatBytes(cost.billedBytes)}: ${formatUsd(cost.costUsd)} at $5/TB (10 MB minimum per query).`;
}
