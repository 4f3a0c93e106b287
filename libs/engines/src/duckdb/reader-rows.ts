import type { DuckDBResultReader } from "@duckdb/node-api";
import type { ColumnInfo } from "../engine.js";
import { rowObject, uniqueColumns } from "../result-columns.js";
import { plainValueConverter } from "./duckdb-values.js";

/**
 * A read result's columns (type names lower case, repeated names made unique: see
 * uniqueColumns) and its rows as plain JS values keyed by them.
 */
export function readerRows(reader: DuckDBResultReader): {
  columns: ColumnInfo[];
  rows: Record<string, unknown>[];
} {
  const columns = uniqueColumns(
    reader
      .columnNames()
      .map((name, i) => ({ name, type: reader.columnType(i).toString().toLowerCase() })),
  );
  const rows = reader.convertRows(plainValueConverter).map((values) => rowObject(columns, values));
  return { columns, rows };
}
