import type { ColumnInfo, RowBatch } from "@sluice/engines";
import type { Io } from "../command.js";
import { exactNumber, exactRows, jsonText } from "./json.js";
import { renderCsv, renderCsvRows, renderTable } from "./table.js";
import { counted, duration } from "./words.js";

/**
 * Prints a query's rows batch by batch (see `Engine.executeInBatches`), making the very text the
 * whole result prints at once: CSV (the header, then each batch's lines), JSON (an array,
 * each row indented as `JSON.stringify(rows, null, 2)` indents it), or a table of the first
 * `limit` rows with the count of all (rows past the limit are counted, never converted).
 */
export interface RowPrinter {
  add(columns: readonly ColumnInfo[], batch: RowBatch): void;
  /** After the last batch: what closes the output (the JSON array, the table and its count). */
  end(rowCount: number, elapsedMs: number): void;
  /** Rows printed so far (a stopped query says how many went out). */
  readonly printed: number;
}

/** A {@link RowPrinter} for `format`. */
export function rowPrinter(format: "table" | "json" | "csv", io: Io, limit: number): RowPrinter {
  if (format === "csv") return csvPrinter(io);
  if (format === "json") return jsonPrinter(io);
  return tablePrinter(io, limit);
}

function csvPrinter(io: Io): RowPrinter {
  let headers: string[] | undefined;
  let printed = 0;
  return {
    add(columns, batch) {
      if (headers === undefined) {
        headers = columns.map((c) => c.name);
        io.out(renderCsv(headers, []));
      }
      if (batch.rowCount === 0) return;
      const rows = batch.rows();
      io.out(renderCsvRows(exactRows(columns, rows).map((r) => headers!.map((h) => r[h]))));
      printed += rows.length;
    },
    end() {},
    get printed() {
      return printed;
    },
  };
}

function jsonPrinter(io: Io): RowPrinter {
  // The last row's text waits for the next: it takes a comma unless it closes the array.
  let pending: string | undefined;
  let printed = 0;
  return {
    add(columns, batch) {
      if (batch.rowCount === 0) return;
      const lines: string[] = [];
      for (const row of exactRows(columns, batch.rows())) {
        if (pending === undefined && printed === 0) lines.push("[");
        else lines.push(`${pending},`);
        pending = jsonText(row).replace(/^/gm, "  ");
        printed += 1;
      }
      if (lines.length > 0) io.out(lines.join("\n"));
    },
    end() {
      io.out(pending === undefined ? "[]" : `${pending}\n]`);
    },
    // The pending row has not gone out yet.
    get printed() {
      return pending === undefined ? 0 : printed - 1;
    },
  };
}

function tablePrinter(io: Io, limit: number): RowPrinter {
  const shown: Record<string, unknown>[] = [];
  let columns: readonly ColumnInfo[] = [];
  return {
    add(cols, batch) {
      columns = cols;
      if (shown.length >= limit || batch.rowCount === 0) return;
      for (const row of batch.rows()) {
        if (shown.length >= limit) break;
        shown.push(row);
      }
    },
    end(rowCount, elapsedMs) {
      const headers = columns.map((c) => c.name);
      io.out(
        renderTable(
          headers,
          exactRows(columns, shown).map((r) => headers.map((h) => exactNumber(r[h]))),
        ),
      );
      const cut = shown.length < rowCount ? `, ${shown.length.toLocaleString("en-US")} shown` : "";
      io.err(`(${counted(rowCount, "row")}${cut}, ${duration(elapsedMs)})`);
    },
    get printed() {
      return 0;
    },
  };
}
