import type { Dialect, PartitionColumn, Relation } from "../dialect.js";

/** A partition column whose engine type may be unknown (the lake compares its text). */
export type PartitionColumnRef = Pick<PartitionColumn, "name"> & Partial<PartitionColumn>;

/** Partition values as the catalog's text, one array per partition in column order; null: NULL. */
export type PartitionValueRows = readonly (readonly (string | null)[])[];

/** How a dialect writes a partition value: typed by the column's type where it is known. */
export type PartitionLiteral = (text: string, type: string | undefined) => string;

/**
 * The partition-selecting SELECTs of one dialect (`Dialect.selectPartitions`,
 * `Dialect.selectRowsOfKeys`, `Dialect.selectKeysNearFirst`), from its quoting and its partition literal. One column:
 * `"k" IN (...) OR "k" IS NULL`; several: `("a" = ... AND "b" = ...)` per partition, OR-ed.
 * With `materializeNear` (DuckDB) `selectKeysNearFirst` reads the near rows once, into a
 * `MATERIALIZED` CTE both of its branches read (inlined, they were scanned twice).
 *
 * @example
 * const { selectPartitions } = partitionRowsSql(trinoIdentifier, quoteRelation, typedOrString);
 * selectPartitions({ schema: "s", name: "t" }, [{ name: "d", type: "date" }], [["2026-11-26"]]);
 * // SELECT * FROM "s"."t"\nWHERE "d" IN (DATE '2026-11-26')
 */
export function partitionRowsSql(
  quote: (name: string) => string,
  quoteRelation: (relation: Relation) => string,
  literal: PartitionLiteral,
  options: { materializeNear?: boolean } = {},
): Pick<Dialect, "selectPartitions" | "selectRowsOfKeys" | "selectKeysNearFirst"> {
  const equals = (column: PartitionColumnRef, value: string | null): string =>
    value === null
      ? `${quote(column.name)} IS NULL`
      : `${quote(column.name)} = ${literal(value, column.type)}`;
  const predicate = (
    columns: readonly PartitionColumnRef[],
    values: PartitionValueRows,
  ): string => {
    const column = columns[0];
    if (!column) throw new RangeError("selectPartitions(): no partition columns");
    if (columns.length > 1)
      return values
        .map((row) => `(${columns.map((c, i) => equals(c, row[i] ?? null)).join(" AND ")})`)
        .join("\n   OR ");
    const name = quote(column.name);
    const present = values.map((v) => v[0] ?? null).filter((v): v is string => v !== null);
    return [
      ...(present.length > 0
        ? [`${name} IN (${present.map((v) => literal(v, column.type)).join(", ")})`]
        : []),
      ...(present.length < values.length ? [`${name} IS NULL`] : []),
    ].join(" OR ");
  };
  const where = (columns: readonly PartitionColumnRef[], values: PartitionValueRows) =>
    values.length === 0 ? "FALSE" : predicate(columns, values);
  return {
    selectPartitions: (relation, columns, values, readFrom) =>
      `SELECT * FROM ${readFrom ?? quoteRelation(relation)}\nWHERE ${where(columns, values)}`,
    selectRowsOfKeys(relation, key, columns, values, newRows) {
      const rows = `SELECT * FROM ${quoteRelation(relation)}\nWHERE `;
      if (values.length === 0) return `${rows}FALSE`;
      const k = quote(key);
      return `${rows}(${predicate(columns, values)}) OR ${k} IN (SELECT ${k} FROM (${newRows}) AS sluice_new)`;
    },
    selectKeysNearFirst(relation, column, field, newRows, nearRows) {
      const [c, f] = [quote(column), quote(field)];
      const keys = `SELECT ${c} FROM (${newRows}) AS sluice_new WHERE ${c} IS NOT NULL`;
      const near = `SELECT ${f} FROM (${nearRows}) AS sluice_near WHERE ${f} IN (${keys})`;
      const far = (found: string) =>
        `SELECT ${f} FROM ${quoteRelation(relation)} WHERE ${f} IN (${keys} EXCEPT ${found})`;
      if (!options.materializeNear) return `${near} UNION ALL ${far(near)}`;
      const once = `SELECT ${f} FROM sluice_near_keys`;
      return `WITH sluice_near_keys AS MATERIALIZED (${near}) ${once} UNION ALL ${far(once)}`;
    },
  };
}
