import type { PartitionValues } from "@sluice/compiler/plan";
import type { CatalogDialect, Relation } from "@sluice/dialects";
import type { QueryResult } from "@sluice/engines";

/** Run `SELECT DISTINCT <partition columns>` on `relation` (one query). */
export async function distinctPartitions(
  dialect: CatalogDialect,
  execute: (sql: string) => Promise<QueryResult>,
  relation: Relation,
  partitionedBy: readonly string[],
): Promise<PartitionValues> {
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
