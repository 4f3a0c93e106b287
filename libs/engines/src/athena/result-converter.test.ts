import { expect, it } from "vitest";
import { toColumns, toRows } from "./result-converter.js";

it("converts Athena's strings by column type, ignoring precision arguments", () => {
  const columns = toColumns([
    { Name: "n", Type: "integer" },
    { Name: "d", Type: "decimal(10,2)" },
    { Name: "r", Type: "real" },
    { Name: "tz", Type: "timestamp(3) with time zone" },
    { Name: "day", Type: "date" },
    { Name: "arr", Type: "array(varchar)" },
  ]);
  const rows = toRows(columns, [
    { Data: [{ VarCharValue: "-7" }, { VarCharValue: "1234.50" }, { VarCharValue: "NaN" }, { VarCharValue: "2024-01-02 03:04:05.000 UTC" }, { VarCharValue: "2024-01-02" }, { VarCharValue: "[a, b]" }] },
    { Data: [{}, {}, {}, {}, {}, {}] },
  ]);
  expect(rows).toEqual([
    { n: -7, d: 1234.5, r: NaN, tz: "2024-01-02T03:04:05.000Z", day: "2024-01-02", arr: "[a, b]" },
    { n: null, d: null, r: null, tz: null, day: null, arr: null },
  ]);
});
