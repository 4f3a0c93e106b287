import { createAthenaDialect } from "@sluice/dialects";
import { describe, expect, it } from "vitest";
import type { CatalogState, NodePlan, PlanInput } from "../src/plan/node-plan.js";
import { planNode } from "../src/plan/plan-node.js";
import {
  schemaAfter,
  schemaIdOf,
  selectInputs,
  selectRecord,
  SCHEMA_PARAMETER,
  SELECT_PARAMETER,
} from "../src/plan/select-record.js";
import type { CompiledNode } from "../src/types.js";

const dialect = createAthenaDialect();

const events: CompiledNode = {
  id: "model.events",
  kind: "model",
  name: "events",
  path: "silver/events.sql",
  schema: "silver",
  relation: { schema: "db_silver", name: "events" },
  materialization: "incremental",
  incrementalStrategy: "insert_overwrite",
  partitionedBy: ["event_date"],
  config: { on_schema_change: "append_new_columns" },
  tags: [],
  columns: [],
  dependsOn: [],
  sql: 'select id, event_date from "db_staging"."stg"',
  incrementalSql: 'select id, event_date from "db_staging"."stg" where dt > \'x\'',
  statements: [],
  location: "s3://lake/silver/events/v_r2",
};

const INPUTS = "sha256:inputs";
const published = (over: Partial<CatalogState> = {}): CatalogState => ({
  exists: true,
  kind: "table",
  location: "s3://lake/silver/events/v_r1",
  columns: [
    { name: "id", type: "bigint" },
    { name: "event_date", type: "date" },
  ],
  watermark: "2026/11/28/05",
  ...over,
});

const plan = (state: CatalogState, over: Partial<PlanInput> = {}): NodePlan =>
  planNode(events, dialect, { fullRefresh: false, writeId: "r2", state, ...over });

const roles = (p: NodePlan): string[] =>
  p.steps.map((s) => (s.kind === "sql" ? (s.role ?? s.statement.kind) : s.op));

/** The parameters the plan's publish records. */
const recorded = (p: NodePlan): Readonly<Record<string, string>> => {
  const publish = p.steps.find((s) => s.kind === "catalog" && "parameters" in s);
  return publish?.kind === "catalog" && "parameters" in publish ? publish.parameters : {};
};

describe("on_schema_change on a catalog engine: probe only when the SELECT's inputs changed", () => {
  const matching = published({ schema: "r1", select: selectRecord(INPUTS, "r1") });

  it("no probe when the table recorded the fingerprint the SELECT's inputs and its schema have now", () => {
    const p = plan(matching, { selectInputs: INPUTS });
    expect(roles(p)[1]).toBe("write_version");
    expect(roles(p)).not.toContain("probe_columns");
    expect(recorded(p)).toMatchObject({
      [SCHEMA_PARAMETER]: "r1",
      [SELECT_PARAMETER]: selectRecord(INPUTS, "r1"),
    });
    expect(p.notes.join("\n")).toContain("no probe");
  });

  it("probes when the model or what it reads changed, the table's schema changed, or nothing is recorded", () => {
    for (const p of [
      plan(matching, { selectInputs: "sha256:other" }),
      plan({ ...matching, schema: "r9" }, { selectInputs: INPUTS }),
      plan(published(), { selectInputs: INPUTS }),
      plan(matching),
    ])
      expect(roles(p)[1]).toBe("probe_columns");
  });

  it("a probe that finds the same columns records them as the table's for the next build", () => {
    const p = plan(published({ schema: "r1" }), {
      selectInputs: INPUTS,
      incoming: [
        { name: "id", type: "bigint" },
        { name: "event_date", type: "date" },
      ],
    });
    expect(roles(p)).not.toContain("alter_table");
    expect(recorded(p)[SELECT_PARAMETER]).toBe(selectRecord(INPUTS, "r1"));
    // The next build, with the same inputs, plans no probe.
    expect(
      roles(plan({ ...matching, select: recorded(p)[SELECT_PARAMETER] }, { selectInputs: INPUTS })),
    ).not.toContain("probe_columns");
  });

  it("a new column: ALTER, then the write records this write as the table's schema", () => {
    const p = plan(published({ schema: "r1" }), {
      selectInputs: INPUTS,
      incoming: [
        { name: "id", type: "bigint" },
        { name: "coupon", type: "varchar" },
        { name: "event_date", type: "date" },
      ],
    });
    expect(roles(p)).toEqual([
      "drop_staging_tables",
      "probe_columns",
      "alter_table",
      "write_version",
      "publish_partitions",
      "drop_table",
    ]);
    expect(recorded(p)).toMatchObject({
      [SCHEMA_PARAMETER]: "r2",
      [SELECT_PARAMETER]: selectRecord(INPUTS, "r2"),
    });
    expect(schemaAfter(p, published({ schema: "r1" }))).toBe("r2");
  });

  it("a column the SELECT lost: written with NULLs, and not recorded as the table's (probed again)", () => {
    const p = plan(published({ schema: "r1" }), {
      selectInputs: INPUTS,
      incoming: [{ name: "event_date", type: "date" }],
    });
    expect(recorded(p)).toMatchObject({ [SCHEMA_PARAMETER]: "r1", [SELECT_PARAMETER]: "" });
  });

  it("on_schema_change='fail' with a new column fails, recording nothing", () => {
    const node = { ...events, config: { on_schema_change: "fail" as const } };
    const p = planNode(node, dialect, {
      fullRefresh: false,
      writeId: "r2",
      state: published({ schema: "r1" }),
      selectInputs: INPUTS,
      incoming: [
        { name: "id", type: "bigint" },
        { name: "coupon", type: "varchar" },
        { name: "event_date", type: "date" },
      ],
    });
    expect(p.error).toContain("added: coupon varchar");
  });

  it("a new version records its schema, and for an incremental model the SELECT's record", () => {
    const p = plan({ exists: false }, { selectInputs: INPUTS });
    expect(p.action).toBe("new version");
    expect(recorded(p)).toMatchObject({
      [SCHEMA_PARAMETER]: "r2",
      [SELECT_PARAMETER]: selectRecord(INPUTS, "r2"),
    });
    const table = planNode({ ...events, materialization: "table" }, dialect, {
      fullRefresh: false,
      writeId: "r2",
      state: { exists: false },
      selectInputs: INPUTS,
    });
    expect(recorded(table)).toEqual({ [SCHEMA_PARAMETER]: "r2" });
  });

  it("on_schema_change='ignore' never probes and records only the schema", () => {
    const node = { ...events, config: {} };
    const p = planNode(node, dialect, {
      fullRefresh: false,
      writeId: "r2",
      state: published(),
      selectInputs: INPUTS,
    });
    expect(roles(p)).not.toContain("probe_columns");
    expect(recorded(p)).toEqual(
      expect.not.objectContaining({ [SELECT_PARAMETER]: expect.anything() }),
    );
    expect(recorded(p)[SCHEMA_PARAMETER]).toBe("r2");
  });
});

describe("selectInputs", () => {
  const inputs = {
    tables: [{ schema: "db_staging", name: "stg" }],
    rawLocations: [],
    rawTables: [],
    views: [],
    opaque: [],
  };
  const base = selectInputs(events, inputs, { "db_staging.stg": "r1" });

  it("changes with the model's SQL, a table's schema id, a view's SQL and a raw table's DDL", () => {
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(selectInputs(events, inputs, { "db_staging.stg": "r1" })).toBe(base);
    for (const other of [
      selectInputs({ ...events, incrementalSql: "select 1" }, inputs, { "db_staging.stg": "r1" }),
      selectInputs(events, inputs, { "db_staging.stg": "r2" }),
      selectInputs(events, { ...inputs, views: ["select *"] }, { "db_staging.stg": "r1" }),
      selectInputs(events, { ...inputs, rawTables: ["CREATE EXTERNAL TABLE ..."] }, {}),
    ])
      expect(other).not.toBe(base);
  });

  it("is unknown when the model reads a source whose columns may change unseen", () => {
    expect(selectInputs(events, { ...inputs, opaque: ["source.ext.orders"] }, {})).toBeUndefined();
  });

  it("a table with no schema id stands for its version (any new version is a change)", () => {
    expect(schemaIdOf({ sluice_schema: "r3", sluice_version: "r4" })).toBe("r3");
    expect(schemaIdOf({ sluice_version: "r4" })).toBe("version:r4");
    expect(schemaIdOf(undefined)).toBe("");
    expect(schemaAfter({ steps: [] }, { exists: true, version: "r4" })).toBe("version:r4");
  });
});
