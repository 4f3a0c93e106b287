import type { DuckDBDataChunk, DuckDBResultReader } from "@duckdb/node-api";
import type { ColumnInfo } from "../engine.js";
import { rowObject, uniqueColumns } from "../result-columns.js";
import { plainValueConverter } from "./duckdb-values.js";

/** What a result (read whole or chunk by chunk) tells of its columns. */
interface ResultShape {
  columnNames(): string[];
  columnType(index: number): { toString(): string };
}

/** A result's columns: type names lower case, repeated names made unique (see uniqueColumns). */
export function resultColumns(result: ResultShape): ColumnInfo[] {
  return uniqueColumns(
    result
      .columnNames()
      .map((name, i) => ({ name, type: result.columnType(i).toString().toLowerCase() })),
  );
}

/** Rows (of a chunk, or a read result) as plain JS values keyed by `columns`' names. */
export function rowsOf(
  source: Pick<DuckDBDataChunk | DuckDBResultReader, "convertRows">,
  columns: readonly ColumnInfo[],
): Record<string, unknown>[] {
  return source.convertRows(plainValueConverter).map((values) => rowObject(columns, values));
}

/** A read result's columns (see resultColumns) and its rows keyed by them. */
export function readerRows(reader: DuckDBResultReader): {
  columns: ColumnInfo[];
  rows: Record<string, unknown>[];
} {
  const columns = resultColumns(reader);
  return { columns, rows: rowsOf(reader, columns) };
}
