import { duckdbStringLiteral } from "./duckdb-escape.js";

/**
 * A COPY of the rows of table-version Parquet files into one new file `target`: every row, or
 * those `where` (DuckDB SQL) holds for. Files are unified by column name. What carry_where's
 * copy of kept rows and the lake's day packs write.
 *
 * @example copyFileRowsSql(["/lake/t/v_1/a.parquet"], "/lake/t/v_2/b.parquet", "x > 1")
 * // COPY (SELECT * FROM read_parquet(['/lake/t/v_1/a.parquet'], hive_partitioning = false, union_by_name = true) WHERE x > 1) TO '/lake/t/v_2/b.parquet' (FORMAT parquet, COMPRESSION zstd)
 */
export function copyFileRowsSql(files: readonly string[], target: string, where?: string): string {
  return (
    `COPY (SELECT * FROM read_parquet([${files.map(duckdbStringLiteral).join(", ")}], hive_partitioning = false, union_by_name = true)` +
    `${where === undefined ? "" : ` WHERE ${where}`}) TO ${duckdbStringLiteral(target)} (FORMAT parquet, COMPRESSION zstd)`
  );
}
