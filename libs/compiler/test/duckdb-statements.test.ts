import { describe, expect, it } from "vitest";
import { createAthenaDialect, createDuckdbDialect } from "@sluice/dialects";
import { compileProject, planStatements } from "../src/index.js";
import { model, project, rawEvents, seed } from "./fixture-project.js";

describe("statements with the DuckDB dialect", () => {
  const dialect = createDuckdbDialect();
  const c = compileProject(
    project({
      models: [
        model("staging/stg.sql", "select line, dt from {{ source('raw', 'events') }}"),
        model(
          "silver/inc.sql",
          "{{ config(materialized='incremental', schema='silver') }}select * from {{ ref('stg') }}{% if is_incremental() %} where dt > (select max(dt) from {{ this }}){% endif %}",
        ),
        model(
          "marts/lit.sql",
          "{{ config(materialized='table', schema='marts') }}select {{ literal(\"it's\") }} as {{ identifier('a\"b') }} from {{ ref('cc') }}",
        ),
      ],
      seeds: [seed("cc", ["code"], [["DE"]])],
      sources: [rawEvents()],
    }),
    { runId: "run1", dialect },
  );
  const byId = new Map(c.nodes.map((n) => [n.id, n]));

  it("compiles in DAG order with the dialect's quoting", () => {
    expect(c.diagnostics).toEqual([]);
    expect(c.dialect).toBe("duckdb");
    expect(c.nodes.map((n) => n.id)).toEqual([
      "seed.cc",
      "model.lit",
      "source.raw.events",
      "model.stg",
      "model.inc",
    ]);
    expect(byId.get("model.lit")!.sql).toBe(
      `select ${dialect.literal("it's")} as ${dialect.quoteIdentifier('a"b')} from ${dialect.quoteRelation({ schema: "default", name: "cc" })}`,
    );
  });

  it("plans view, table, seed, raw source and incremental statements through the dialect", () => {
    const stg = byId.get("model.stg")!;
    expect(stg.statements).toEqual(dialect.createView({ schema: "default", name: "stg" }, stg.sql));
    const inc = byId.get("model.inc")!;
    const write = { relation: inc.relation, partitionedBy: [], writeId: "run1" };
    expect(inc.location).toBe("/proj/.lake/silver/inc/v_run1");
    expect(inc.statements).toEqual(
      dialect.createTableAs({ ...write, selectSql: inc.sql, location: inc.location! }),
    );
    expect(inc.incrementalStatements).toEqual(
      dialect.insertInto({ ...write, selectSql: inc.incrementalSql!, location: inc.location! }),
    );
    expect(
      planStatements(inc, dialect, {
        exists: true,
        location: "/old/v_0",
        fullRefresh: false,
        writeId: "run2",
      }),
    ).toEqual(
      dialect.insertInto({
        ...write,
        writeId: "run2",
        selectSql: inc.incrementalSql!,
        location: "/old/v_0",
      }),
    );
    expect(
      planStatements(inc, dialect, {
        exists: true,
        location: "/old/v_0",
        fullRefresh: true,
        writeId: "run2",
      }),
    ).toEqual(
      dialect.createTableAs({
        ...write,
        writeId: "run2",
        selectSql: inc.sql,
        location: inc.location!,
      }),
    );
    const src = byId.get("source.raw.events")!;
    expect(src.statements).toEqual(
      dialect.rawSource({
        relation: { schema: "raw", name: "events" },
        location: "/proj/.lake/raw/events",
        projectionStart: "2024/01/01/00",
      }),
    );
    expect(planStatements(src, dialect, { exists: false, fullRefresh: false, writeId: "x" })).toBe(
      src.statements,
    );
    const cc = byId.get("seed.cc")!;
    expect(cc.statements).toEqual(
      dialect.createTableAs({
        relation: cc.relation,
        partitionedBy: [],
        writeId: "run1",
        selectSql: cc.sql,
        location: "/proj/.lake/default/cc/v_run1",
      }),
    );
  });

  it("ref_window() and source_window(): markers the runner binds on the lake (source_window in full SQL too), plain relations elsewhere", () => {
    const windowed = (d: typeof dialect | ReturnType<typeof createAthenaDialect>) =>
      compileProject(
        project({
          models: [
            model("staging/stg.sql", "select line, dt from {{ source('raw', 'events') }}"),
            model(
              "silver/win.sql",
              "{{ config(materialized='incremental', schema='silver') }}select * from {{ ref_window('stg', 'dt') }} s, {{ source_window('raw', 'events') }}{% if is_incremental() %} where s.dt >= sluice_incremental_from(){% endif %}",
            ),
          ],
          sources: [rawEvents()],
        }),
        { runId: "run1", dialect: d },
      ).nodes.find((n) => n.id === "model.win")!;
    const lake = windowed(dialect);
    expect(lake.dependsOn).toContain("model.stg");
    // The raw zone is read by the lake engine from its bytes in full builds too.
    expect(lake.sql).toBe(`select * from "default"."stg" s, sluice_raw_window("raw"."events")`);
    expect(lake.incrementalSql).toBe(
      `select * from sluice_ref_window("default"."stg", 'dt') s, sluice_raw_window("raw"."events") where s.dt >= sluice_incremental_from()`,
    );
    const athena = windowed(createAthenaDialect());
    expect(athena.incrementalSql).not.toMatch(/sluice_(ref|raw)_window/);
  });
});
