import { describe, expect, it } from "vitest";
import { inputSources, inputsFingerprint } from "../src/plan/inputs.js";
import type { CompiledNode } from "../src/types.js";

const node = (id: string, over: Partial<CompiledNode> = {}): CompiledNode => ({
  id,
  kind: "model",
  name: id.split(".").at(-1)!,
  path: `${id}.sql`,
  schema: "silver",
  relation: { schema: "db_silver", name: id.split(".").at(-1)! },
  materialization: "table",
  partitionedBy: [],
  config: {},
  tags: [],
  columns: [],
  dependsOn: [],
  sql: "select 1",
  statements: [],
  ...over,
});

const raw = node("source.raw.events", {
  kind: "source",
  materialization: "source",
  location: "s3://lake/raw/events/",
});
const stg = node("model.stg", { materialization: "incremental", dependsOn: [raw.id] });
const view = node("model.v", {
  materialization: "view",
  sql: "select * from stg",
  dependsOn: [stg.id],
});
const plain = node("source.ext.orders", { kind: "source", materialization: "source" });
const mart = node("model.mart", {
  dependsOn: [view.id, "model.seed"],
  location: "s3://lake/m/v_r1/",
});
const seed = node("model.seed", { materialization: "seed", sql: "values (1)" });
const all = [raw, stg, view, plain, mart, seed];

describe("inputSources", () => {
  it("reads through views to the tables and raw zones beneath; other sources are opaque", () => {
    expect(inputSources(mart, all)).toEqual({
      tables: [stg.relation, seed.relation],
      rawLocations: [],
      rawTables: [],
      views: ["select * from stg"],
      opaque: [],
    });
    expect(inputSources(stg, all).rawLocations).toEqual(["s3://lake/raw/events/"]);
    const reader = node("model.r", { dependsOn: [plain.id] });
    expect(inputSources(reader, [...all, reader]).opaque).toEqual([plain.id]);
  });
});

describe("inputsFingerprint", () => {
  const tables = { "db_silver.stg": "r1_2" };
  const base = inputsFingerprint(mart, ["select * from stg"], { tables });

  it("is the same for the same definition and inputs, whatever the run's location", () => {
    const elsewhere = { ...mart, location: "s3://lake/m/v_r2/" };
    expect(inputsFingerprint(elsewhere, ["select * from stg"], { tables })).toBe(base);
  });

  it("changes with the SQL, a view read through, a table's version or a raw hour's files", () => {
    const variants = [
      inputsFingerprint({ ...mart, sql: "select 2" }, ["select * from stg"], { tables }),
      inputsFingerprint(mart, ["select 1 from stg"], { tables }),
      inputsFingerprint(mart, ["select * from stg"], { tables: { "db_silver.stg": "r2_2" } }),
      inputsFingerprint(mart, ["select * from stg"], {
        tables,
        rawHours: { "2026/11/27/05": "2:ab" },
      }),
    ];
    expect(new Set([base, ...variants]).size).toBe(5);
    const hours = (signature: string) =>
      inputsFingerprint(stg, [], { tables: {}, rawHours: { "2026/11/27/05": signature } });
    expect(hours("2:ab")).not.toBe(hours("3:cd"));
  });
});
