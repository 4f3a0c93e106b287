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
  it("writes listed values as literals that read back as the same values", () => {
    expect(dialect.listedLiteral("DATE", "2026-11-27")).toBe("DATE '2026-11-27'");
    expect(dialect.listedLiteral("VARCHAR", "it's")).toBe("'it''s'");
    expect(dialect.listedLiteral("BIGINT", "-42")).toBe("-42");
    expect(dialect.listedLiteral("BIGINT", "4e2")).toBeUndefined();
    expect(dialect.listedLiteral("DOUBLE", "0.1")).toBeUndefined();
    expect(dialect.listedValuesQuery("select d from t", 1001)).toBe(
      "SELECT DISTINCT typeof(v) AS t, CAST(v AS VARCHAR) AS s FROM (\nselect d from t\n) AS listed(v) WHERE v IS NOT NULL LIMIT 1001",
    );
  });

  it("reads a lookup's near rows once (a MATERIALIZED CTE), then the whole relation only for keys not found there", () => {
    const near = "SELECT * FROM read_parquet(['/lake/near.parquet'])";
    const sql = dialect.selectKeysNearFirst(
      { schema: "silver", name: "events" },
      "event_id",
      "event_id",
      "SELECT * FROM read_parquet(['/lake/new.parquet'])",
      near,
    );
    expect(sql.split(near)).toHaveLength(2);
    expect(sql).toMatch(/^WITH sluice_near_keys AS MATERIALIZED \(/);
    expect(sql).toContain(
      'UNION ALL SELECT "event_id" FROM "silver"."events" WHERE "event_id" IN (',
    );
    expect(sql).toContain('EXCEPT SELECT "event_id" FROM sluice_near_keys)');
  });

  it("reads every row a run wrote and only the carried rows of their keys", () => {
    expect(dialect.selectRowsOfWrittenKeys("k", "(W)", "(C)")).toBe(
      'SELECT * FROM (W) AS sluice_written\nUNION ALL BY NAME\nSELECT * FROM (C) AS sluice_carried\nWHERE "k" IN (SELECT "k" FROM (W) AS sluice_written_keys)',
    );
    expect(dialect.selectRowsOfWrittenKeys("k", "(W)", undefined)).toBe(
      "SELECT * FROM (W) AS sluice_written",
    );
  });

  it("declares its capabilities", () => {
    expect(dialect.family).toBe("lake");
    expect(dialect.capabilities).toEqual({
      maxPartitionsPerWrite: undefined,
      icebergTables: false,
      modelSql: "trino",
    });
    expect(createDuckdbDialect({ trinoCompat: false }).capabilities.modelSql).toBe("duckdb");
  });

  it("names the type a query column has once written to Parquet: HUGEINT (sum() of integers) is DOUBLE", () => {
    expect(dialect.storedType("HUGEINT")).toBe("DOUBLE");
    expect(dialect.storedType("UHUGEINT")).toBe("DOUBLE");
    // In the case it is given in (the engine reports types in lower case).
    expect(dialect.storedType("hugeint")).toBe("double");
    for (const type of ["BIGINT", "DOUBLE", "DECIMAL(38,2)", "VARCHAR"])
      expect(dialect.storedType(type)).toBe(type);
  });

  it("creates the table-state table, and adds the columns older lakes lack, in its own statements (once per run)", () => {
    expect(dialect.tableStateSetup().map((s) => s.sql)).toEqual([
      "CREATE TABLE IF NOT EXISTS main.sluice_table_state (schema_name VARCHAR, table_name VARCHAR, location VARCHAR, watermark VARCHAR, run_id VARCHAR, raw_hours VARCHAR, uniform_schema BOOLEAN)",
      "ALTER TABLE main.sluice_table_state ADD COLUMN IF NOT EXISTS raw_hours VARCHAR",
      "ALTER TABLE main.sluice_table_state ADD COLUMN IF NOT EXISTS uniform_schema BOOLEAN",
      "ALTER TABLE main.sluice_table_state ADD COLUMN IF NOT EXISTS raw_listed_at BIGINT",
      "ALTER TABLE main.sluice_table_state ADD COLUMN IF NOT EXISTS pending_from VARCHAR",
      "ALTER TABLE main.sluice_table_state ADD COLUMN IF NOT EXISTS inputs VARCHAR",
      "ALTER TABLE main.sluice_table_state ADD COLUMN IF NOT EXISTS schema_id VARCHAR",
      "ALTER TABLE main.sluice_table_state ADD COLUMN IF NOT EXISTS select_record VARCHAR",
      // Created once; a lake from before versions were recorded adopts its published versions.
      "CREATE TABLE IF NOT EXISTS main.sluice_versions AS SELECT schema_name, table_name, " +
        "regexp_extract(location, '[^/]+$') AS version, run_id, 'published' AS status, " +
        "CAST(NULL AS VARCHAR) AS files, CAST(now() AS TIMESTAMP) AS recorded_at " +
        "FROM main.sluice_table_state WHERE location IS NOT NULL",
      // Added later: a version's carry record (an older lake gets the column, NULL).
      "ALTER TABLE main.sluice_versions ADD COLUMN IF NOT EXISTS carried VARCHAR",
    ]);
  });

  it("sends statements in one round trip: each ended by a semicolon, in order", () => {
    const one = dialect.inOneRoundTrip([
      ...dialect.createSchema("silver"),
      ...dialect.tableStateSetup().slice(0, 1),
    ]);
    expect(one.kind).toBe("create_schema");
    expect(one.sql).toBe(
      'CREATE SCHEMA IF NOT EXISTS "silver";\n' +
        "CREATE TABLE IF NOT EXISTS main.sluice_table_state (schema_name VARCHAR, table_name VARCHAR, location VARCHAR, watermark VARCHAR, run_id VARCHAR, raw_hours VARCHAR, uniform_schema BOOLEAN);",
    );
  });

  it("writes a partitioned table as COPY to Parquet, a schema file and a view", () => {
    const statements = dialect.createTableAs(write);
    expect(statements.map((s) => s.kind)).toEqual([
      "create_schema",
      "record_version",
      "copy",
      "copy",
      "create_view",
    ]);
    // The zero-row schema file only matters when the COPY wrote no rows.
    expect(statements.map((s) => s.onlyIfNoRows === true)).toEqual([
      false,
      false,
      false,
      true,
      false,
    ]);
    expect(statements.every((s) => s.grammar === "duckdb")).toBe(true);
    expect(statements.map((s) => s.sql)).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "silver"',
      // Recorded as sluice's before any file of it exists (cleanup removes only recorded versions).
      "INSERT INTO main.sluice_versions (schema_name, table_name, version, run_id, status, files, recorded_at) " +
        "VALUES ('silver', 'events', 'v_1', 'run 1/a', 'writing', NULL, now())",
      "COPY (\nselect id, event_date from x\n) TO '/lake/silver/events/v_1' (FORMAT parquet, COMPRESSION zstd, " +
        "PARTITION_BY (\"event_date\"), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part-run_1_a-{i}', OVERWRITE_OR_IGNORE true)",
      "COPY (SELECT * FROM (\nselect id, event_date from x\n) AS t LIMIT 0) TO '/lake/silver/events/v_1/part-run_1_a-schema.parquet' (FORMAT parquet, COMPRESSION zstd)",
      [
        "BEGIN TRANSACTION;",
        // One write: no unification of files by column name.
        `CREATE OR REPLACE VIEW "silver"."events" AS SELECT * FROM read_parquet('/lake/silver/events/v_1/**/*.parquet', hive_partitioning = false);`,
        `COMMENT ON VIEW "silver"."events" IS 'sluice:table location=/lake/silver/events/v_1';`,
        "DELETE FROM main.sluice_table_state WHERE schema_name = 'silver' AND table_name = 'events';",
        "INSERT INTO main.sluice_table_state (schema_name, table_name, location, watermark, run_id, raw_hours, uniform_schema, raw_listed_at, pending_from) VALUES ('silver', 'events', '/lake/silver/events/v_1', NULL, 'run 1/a', NULL, true, NULL, NULL);",
        // Marked published in the same transaction (files: NULL unless the runner listed them).
        "UPDATE main.sluice_versions SET status = 'replaced' WHERE schema_name = 'silver' AND table_name = 'events' AND status = 'published';",
        "DELETE FROM main.sluice_versions WHERE schema_name = 'silver' AND table_name = 'events' AND version = 'v_1';",
        "INSERT INTO main.sluice_versions (schema_name, table_name, version, run_id, status, files, recorded_at) " +
          "VALUES ('silver', 'events', 'v_1', 'run 1/a', 'published', NULL, now());",
        "COMMIT",
      ].join("\n"),
    ]);
  });

  it("publishes a version with its watermark in one transaction", () => {
    const rawHours = { "2026/11/27/04": "12:9f", "2026/11/27/05": "3:0c" };
    const [publish] = dialect.publishTableVersion(
      { schema: "silver", name: "events" },
      "/lake/silver/events/v_2",
      {
        watermark: "2026/11/27/05",
        runId: "r2",
        rawHours,
        listedAt: 1764237600000,
        pendingFrom: "2026/11/27/02",
      },
    );
    expect(publish!.sql.startsWith("BEGIN TRANSACTION;")).toBe(true);
    expect(publish!.sql.endsWith("COMMIT")).toBe(true);
    expect(publish!.sql).toContain(
      `VALUES ('silver', 'events', '/lake/silver/events/v_2', '2026/11/27/05', 'r2', '${JSON.stringify(rawHours)}', false, 1764237600000, '2026/11/27/02')`,
    );
    // Recorded with its files, to be checked before it is read again.
    const files = { "part-r2.parquet": 120, "dt=2026%2F11%2F27~part-r1.parquet": 7 };
    const events = { schema: "silver", name: "events" };
    const [withFiles] = dialect.publishTableVersion(events, "/lake/silver/events/v_2", {
      runId: "r2",
      files,
    });
    expect(withFiles!.sql).toContain(`'published', '${JSON.stringify(files)}', now());`);
    expect(withFiles!.sql).not.toContain("carried");
    // With what it carried under a carry_where bound, in the same transaction.
    const carried = {
      column: "dt",
      inclusive: false,
      bound: "2026/11/27/05",
      files: { "dt=2026%2F11%2F27~part-r1.parquet": [7, 3] as const },
    };
    const [withCarried] = dialect.publishTableVersion(events, "/lake/silver/events/v_2", {
      runId: "r2",
      files,
      carried,
    });
    expect(withCarried!.sql).toContain(
      `(schema_name, table_name, version, run_id, status, files, recorded_at, carried) VALUES ('silver', 'events', 'v_2', 'r2', 'published', '${JSON.stringify(files)}', now(), '${JSON.stringify(carried)}');\nCOMMIT`,
    );
    // Files that may differ in columns (carried across a schema change) are unified by name.
    expect(publish!.sql).toContain("hive_partitioning = false, union_by_name = true);");
    // A seed records the fingerprint it was loaded from; nothing else writes the column.
    const [seed] = dialect.publishTableVersion(events, "/lake/seeds/codes/v_3", {
      runId: "r3",
      uniformSchema: true,
      inputs: "sha256:ab'c",
    });
    expect(seed!.sql).toContain(
      "raw_listed_at, pending_from, inputs) VALUES ('silver', 'events', '/lake/seeds/codes/v_3', NULL, 'r3', NULL, true, NULL, NULL, 'sha256:ab''c');",
    );
    expect(publish!.sql).not.toContain("inputs");
    // An incremental version records its schema id and, when compared, its select fingerprint.
    const [compared] = dialect.publishTableVersion(events, "/lake/silver/events/v_4", {
      runId: "r4",
      schema: "r2'",
      select: "sha256:s",
    });
    expect(compared!.sql).toContain(
      "raw_listed_at, pending_from, schema_id, select_record) VALUES ('silver', 'events', '/lake/silver/events/v_4', NULL, 'r4', NULL, false, NULL, NULL, 'r2''', 'sha256:s');",
    );
    expect(publish!.sql).not.toContain("schema_id");
  });

  it("merges by rewriting the current version: rows whose key comes again are replaced", () => {
    const statements = dialect.mergeRewrite(
      { ...write, location: "/lake/silver/events/v_2" },
      "/lake/silver/events/v_1",
      ["id"],
    );
    expect(statements.map((s) => s.kind)).toEqual(["copy", "copy"]);
    expect(statements[0]!.sql).toContain(
      "SELECT cur.* FROM read_parquet('/lake/silver/events/v_1/**/*.parquet', hive_partitioning = false, union_by_name = true) AS cur\n" +
        'WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE (n."id") IS NOT DISTINCT FROM (cur."id"))\nUNION ALL BY NAME SELECT * FROM new_rows',
    );
    expect(statements[0]!.sql).toContain("TO '/lake/silver/events/v_2'");
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
    expect(dialect.assertion("select 1 -- c").sql).toBe(
      "SELECT count(*) AS failures FROM (\nselect 1 -- c\n) AS t",
    );
    expect(dialect.limit("select 1;", 5)).toBe("SELECT * FROM (\nselect 1\n) AS t LIMIT 5");
  });

  it("runs model SQL with Trino's integer casts, in tables, views, assertions and limits", () => {
    const sql = "select try(cast(j as bigint)) as n";
    const strict = "__sluice_cast_bigint(j)";
    const table = dialect.createTableAs({ ...write, selectSql: sql }).map((s) => s.sql);
    expect(table.filter((t) => t.includes(`select try(${strict})`)).length).toBeGreaterThan(0);
    const others = [
      ...dialect.createView(write.relation, sql).map((s) => s.sql),
      dialect.assertion(sql).sql,
      dialect.limit(sql, 1),
    ];
    for (const text of others) expect(text).toContain(`select try(${strict}) as n`);
    for (const text of [...table, ...others]) expect(text).not.toMatch(/cast\(j as bigint\)/i);
  });

  it("drops tables and views as views, quoting names", () => {
    expect(dialect.dropTable({ schema: 'a"b', name: "t" })[0]!.sql).toBe(
      'DROP VIEW IF EXISTS "a""b"."t"',
    );
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
    expect(
      sql.some((s) => s.startsWith("CREATE OR REPLACE TEMP MACRO json_extract_scalar(j, p)")),
    ).toBe(true);
  });
});
