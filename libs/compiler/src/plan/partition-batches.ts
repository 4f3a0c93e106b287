import type { CatalogDialect, PartitionColumn, Relation } from "@sluice/dialects";

/** Distinct partition values of a relation, as catalog text, with the columns' types. */
export interface PartitionValues {
  columns: PartitionColumn[];
  values: (string | null)[][];
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

/** One SELECT per batch of at most `maxPartitionsPerWrite` partitions (no predicate when one batch holds them all). */
export function batchSelects(
  dialect: CatalogDialect,
  source: Relation,
  partitions: PartitionValues,
): string[] {
  const limit = dialect.capabilities.maxPartitionsPerWrite ?? Number.POSITIVE_INFINITY;
  const groups = batches(partitions.values, limit);
  if (groups.length <= 1) return [dialect.selectAll(source)];
  return groups.map((group) => dialect.selectPartitions(source, partitions.columns, group));
}
