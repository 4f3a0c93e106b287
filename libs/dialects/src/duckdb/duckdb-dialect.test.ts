import { describe, expect, it } from "vitest";
import { createDuckdbDialect } from "./duckdb-dialect.js";
import { trinoCompatStatements } from "./trino-compat.js";

const dialect = createDuckdbDialect();
const write = {
  relation: { schema: "silver", name: "events" },
  selectSql: "select id, event_date from x;",
  partitionedBy: ["event_date"],
  location: "/lake/silver/events/v_1/",
  writeId: "run 1/a",
};

describe("duckdb dialect SQL text", () => {
  it("declares its capabilities", () => {
    expect(dialect.capabilities).toEqual({
      supportsCreateOrReplaceTable: true,
      supportsMerge: false,
      publishesTablesAsViews: true,
    });
  });

  it("writes a partitioned table as COPY to Parquet, a schema file and a view", () => {
    const statements = dialect.createTableAs(write);
    expect(statements.map((s) => s.kind)).toEqual(["create_schema", "copy", "copy", "create_view", "create_view"]);
    expect(statements.every((s) => s.grammar === "duckdb")).toBe(true);
    expect(statements.map((s) => s.sql)).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "silver"',
      "COPY (\nselect id, event_date from x\n) TO '/lake/silver/events/v_1' (FORMAT parquet, COMPRESSION zstd, " +
        "PARTITION_BY (\"event_date\"), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part-run_1_a-{i}', OVERWRITE_OR_IGNORE true)",
      "COPY (SELECT * FROM (\nselect id, event_date from x\n) AS t LIMIT 0) TO '/lake/silver/events/v_1/part-run_1_a-schema.parquet' (FORMAT parquet, COMPRESSION zstd)",
      `CREATE OR REPLACE VIEW "silver"."events" AS SELECT * FROM read_parquet('/lake/silver/events/v_1/**/*.parquet', hive_partitioning = false)`,
      `COMMENT ON VIEW "silver"."events" IS 'sluice:table location=/lake/silver/events/v_1'`,
    ]);
  });

  it("appends an unpartitioned write as one uniquely named file, without touching the view", () => {
    expect(dialect.insertInto({ ...write, partitionedBy: [], location: "/lake/o'k" })).toEqual([
      {
        kind: "copy",
        grammar: "duckdb",
        sql: "COPY (\nselect id, event_date from x\n) TO '/lake/o''k/part-run_1_a.parquet' (FORMAT parquet, COMPRESSION zstd)",
      },
    ]);
  });

  it("wraps assertions and limits so trailing comments and semicolons are harmless", () => {
    expect(dialect.assertion("select 1 -- c").sql).toBe("SELECT count(*) AS failures FROM (\nselect 1 -- c\n) AS t");
    expect(dialect.limit("select 1;", 5)).toBe("SELECT * FROM (\nselect 1\n) AS t LIMIT 5");
  });

  it("drops tables and views as views, quoting names", () => {
    expect(dialect.dropTable({ schema: 'a"b', name: "t" })[0]!.sql).toBe('DROP VIEW IF EXISTS "a""b"."t"');
    expect(dialect.dropView({ schema: "s", name: "v" })[0]).toEqual({ kind: "drop_view", sql: 'DROP VIEW IF EXISTS "s"."v"', grammar: "duckdb" });
  });

  it("literal handles every supported JS type and rejects others", () => {
    expect(dialect.literal("it's")).toBe("'it''s'");
    expect(dialect.literal("a\0b")).toBe("('a' || chr(0) || 'b')");
    expect(dialect.literal(-3)).toBe("-3");
    expect(dialect.literal(0.5)).toBe("CAST('0.5' AS DOUBLE)");
    expect(dialect.literal(10n)).toBe("10");
    expect(dialect.literal(null)).toBe("NULL");
    expect(dialect.literal(new Date(0))).toBe("TIMESTAMP '1970-01-01 00:00:00.000'");
    expect(() => dialect.literal({})).toThrow(TypeError);
  });

  it("installs the compat layer as temp macros and session settings", () => {
    const sql = trinoCompatStatements().map((s) => s.sql);
    expect(sql).toContain("SET integer_division = true");
    expect(sql.some((s) => s.startsWith("CREATE OR REPLACE TEMP MACRO json_extract_scalar(j, p)"))).toBe(true);
  });
});
