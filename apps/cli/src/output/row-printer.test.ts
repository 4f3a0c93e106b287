import { describe, expect, it } from "vitest";
import type { Io } from "../command.js";
import { rowsToJson } from "./json.js";
import { rowPrinter } from "./row-printer.js";
import { renderCsv } from "./table.js";

const columns = [
  { name: "id", type: "bigint" },
  { name: "price", type: "decimal(5,2)" },
  { name: "note", type: "varchar" },
];
const rows = Array.from({ length: 7 }, (_, i) => ({
  id: i === 6 ? 9223372036854775807n : i,
  price: i + 0.5,
  note: i === 3 ? 'a "quoted", multi\nline note' : i === 4 ? null : `n${i}`,
}));

/** What `format` prints for `rows` handed over in batches of the given sizes. */
function printed(format: "csv" | "json" | "table", sizes: number[], limit = 1000): string {
  const out: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: () => undefined, isTty: false };
  const printer = rowPrinter(format, io, limit);
  let at = 0;
  printer.add(columns, { rowCount: 0, rows: () => [] });
  for (const size of sizes) {
    const batch = rows.slice(at, at + size);
    at += size;
    printer.add(columns, {
      rowCount: batch.length,
      rows: () => {
        if (format === "table" && at - size >= limit) throw new Error("converted past the limit");
        return batch;
      },
    });
  }
  printer.end(at, 1);
  return out.join("\n");
}

describe("rowPrinter", () => {
  const splits = [[7], [1, 6], [3, 0, 4], [1, 1, 1, 1, 1, 1, 1]];

  it.each(splits)(
    "prints the whole result's CSV and JSON text, however batched (%j)",
    (...sizes) => {
      expect(printed("csv", sizes)).toBe(renderCsv(["id", "price", "note"], rowsAsValues()));
      expect(printed("json", sizes)).toBe(rowsToJson(columns, rows));
    },
  );

  it("prints an empty result as the whole text prints it", () => {
    expect(printed("json", [])).toBe("[]");
    expect(printed("csv", [])).toBe(renderCsv(["id", "price", "note"], []));
  });

  it("the table converts no batch past its limit", () => {
    expect(() => printed("table", [2, 2, 3], 2)).not.toThrow();
    expect(printed("table", [2, 2, 3], 2)).toBe(printed("table", [7], 2));
  });
});

/** The rows as renderCsv takes them, DECIMAL at its scale (as `exactRows` gives it). */
function rowsAsValues(): unknown[][] {
  return rows.map((r) => [r.id, (r.price as number).toFixed(2), r.note]);
}
