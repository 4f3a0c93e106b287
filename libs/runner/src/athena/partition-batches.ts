import type { Dialect, PartitionColumn, Relation } from "@sluice/dialects";
import type { QueryResult } from "@sluice/engines";

/** Distinct partition values of a relation, as catalog text, with the columns' types. */
export interface PartitionValues {
  columns: PartitionColumn[];
  values: (string | null)[][];
}

/** Run `SELECT DISTINCT <partition columns>` on `relation` (one query). */
export async function distinctPartitions(
  dialect: Dialect,
  execute: (sql: string) => Promise<QueryResult>,
  relation: Relation,
  partitionedBy: readonly string[],
): Promise<PartitionValues> {
  if (!dialect.selectDistinct) throw new Error(`dialect ${dialect.name} cannot list partitions`);
  const result = await execute(dialect.selectDistinct(relation, partitionedBy));
  const columns = partitionedBy.map((name) => ({
    name,
    type: result.columns.find((c) => c.name === name)?.type ?? "varchar",
  }));
  const values = result.rows.map((row) => columns.map((c) => asCatalogText(row[c.name], c.type)));
  return { columns, values };
}

/** A converted engine value back to the text the catalog stores for a partition. */
function asCatalogText(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return type.startsWith("timestamp") ? text.replace("T", " ").replace(/Z$/, "") : text;
}

/** Split values into batches of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Whether an engine error is Athena's limit on partitions written by one query. */
export function isTooManyPartitions(message: string): boolean {
  return /TOO_MANY_OPEN_PARTITIONS/.test(message);
}
