import { describe, expect, it } from "vitest";
import { toColumns, toRows } from "./result-converter.js";
import { trinoType } from "./glue-types.js";

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
    {
      Data: [
        { VarCharValue: "-7" },
        { VarCharValue: "1234.50" },
        { VarCharValue: "NaN" },
        { VarCharValue: "2024-01-02 03:04:05.000 UTC" },
        { VarCharValue: "2024-01-02" },
        { VarCharValue: "[a, b]" },
      ],
    },
    { Data: [{}, {}, {}, {}, {}, {}] },
  ]);
  expect(rows).toEqual([
    { n: -7, d: 1234.5, r: NaN, tz: "2024-01-02T03:04:05.000Z", day: "2024-01-02", arr: "[a, b]" },
    { n: null, d: null, r: null, tz: null, day: null, arr: null },
  ]);
});

describe("trinoType", () => {
  it("names Glue (Hive) types the way Trino does", () => {
    expect(
      [
        "string",
        "INT",
        "float",
        "bigint",
        "decimal(10,2)",
        "varchar(20)",
        "array<string>",
        "map<string,int>",
        "struct<city:string,tags:array<int>>",
      ].map(trinoType),
    ).toEqual([
      "varchar",
      "integer",
      "real",
      "bigint",
      "decimal(10,2)",
      "varchar(20)",
      "array(varchar)",
      "map(varchar, integer)",
      "row(city varchar, tags array(integer))",
    ]);
  });
});

it("keeps a decimal's precision and scale, given apart by Athena", () => {
  expect(
    toColumns([
      { Name: "price", Type: "decimal", Precision: 10, Scale: 2 },
      { Name: "n", Type: "varchar", Precision: 2147483647 },
    ]),
  ).toEqual([
    { name: "price", type: "decimal(10,2)" },
    { name: "n", type: "varchar" },
  ]);
});

it("keeps both values of two columns of one name (a join's select *)", () => {
  // Athena returns such a result; keyed by name, the second value replaced the first.
  const columns = toColumns([
    { Name: "id", Type: "integer" },
    { Name: "id", Type: "varchar" },
  ]);
  expect(columns).toEqual([
    { name: "id", type: "integer" },
    { name: "id:1", type: "varchar", sourceName: "id" },
  ]);
  expect(toRows(columns, [{ Data: [{ VarCharValue: "1" }, { VarCharValue: "x" }] }])).toEqual([
    { id: 1, "id:1": "x" },
  ]);
});
