import { describe, expect, it } from "vitest";
import { compileProject } from "../src/index.js";
import type { CompiledProject } from "../src/index.js";
import { fakeDialect } from "./fake-dialect.js";
import { folders, model, project, props, rawEvents, seed } from "./fixture-project.js";

const compile = (p: ReturnType<typeof project>, targetName?: string): CompiledProject =>
  compileProject(p, { runId: "r1", dialect: fakeDialect(), ...(targetName ? { targetName } : {}) });
const node = (c: CompiledProject, id: string) => {
  const n = c.nodes.find((x) => x.id === id);
  if (!n)
    throw new Error(
      `no node ${id} in ${c.nodes.map((x) => x.id).join(", ")}; ${JSON.stringify(c.diagnostics)}`,
    );
  return n;
};

describe("config precedence", () => {
  const p = (fileConfig: string, yamlConfig: Record<string, unknown>) =>
    project({
      models: [model("staging/deep/m.sql", `${fileConfig}select 1 as x`)],
      modelProperties: [props("m", { config: yamlConfig })],
      config: {
        models: folders(
          { materialized: "table", schema: "root", tags: ["all"] },
          {
            staging: folders(
              { schema: "staging", tags: ["stg"], partitioned_by: ["x"] },
              { deep: folders({ schema: "deep" }) },
            ),
          },
        ),
      },
    });

  it("defaults < folder (deeper wins) < properties YAML < config()", () => {
    const folderOnly = node(compile(p("", {})), "model.m");
    expect(folderOnly.config).toMatchObject({
      materialized: "table",
      schema: "deep",
      partitioned_by: ["x"],
      on_schema_change: "ignore",
      enabled: true,
    });
    expect(folderOnly.tags).toEqual(["all", "stg"]);
    const yaml = node(compile(p("", { schema: "yaml", materialized: "view" })), "model.m");
    expect([yaml.schema, yaml.materialization]).toEqual(["yaml", "view"]);
    const file = node(
      compile(p("{{ config(schema='file', tags=['f']) }}", { schema: "yaml", tags: ["y"] })),
      "model.m",
    );
    expect([file.schema, file.materialization, file.tags]).toEqual([
      "file",
      "table",
      ["all", "stg", "y", "f"],
    ]);
  });

  it("defaults: view in schema default", () => {
    const n = node(compile(project({ models: [model("m.sql", "select 1")] })), "model.m");
    expect([n.materialization, n.schema, n.relation]).toEqual([
      "view",
      "default",
      { schema: "default", name: "m" },
    ]);
    expect(n.statements.map((s) => s.sql)).toEqual(["VIEW [default].[m] AS\nselect 1"]);
  });

  it("disabled models are dropped", () => {
    const c = compile(project({ models: [model("m.sql", "{{ config(enabled=false) }}select 1")] }));
    expect(c.nodes).toEqual([]);
    expect(c.diagnostics).toEqual([]);
  });
});

describe("rendering", () => {
  it("a call whose argument is too long to look for by pattern is still placed and named", () => {
    // V8 refuses a regular expression of ~32 KB: locating var('<100,000 characters>') must not
    // replace the error it places (the undefined var) with its own.
    const name = "x".repeat(100_000);
    const c = compile(project({ models: [model("m.sql", `select {{ var('${name}') }} as x`)] }));
    const [d] = c.diagnostics.filter((x) => x.severity === "error");
    expect(d?.message).toContain(name.slice(0, 20));
    expect(d?.message).not.toMatch(/regular expression/i);
    expect(d).toMatchObject({ code: "UNKNOWN_VAR", at: { file: "m.sql", line: 1, column: 11 } });
  });

  it("ref/source/this/alias resolve to quoted physical relations; athena maps schemas to databases", () => {
    const models = [
      model(
        "silver/events.sql",
        "{{ config(materialized='table', schema='silver', alias='events_t') }}select line from {{ source('raw', 'events') }} -- {{ this }} {{ this.schema }}",
      ),
      model("marts/m.sql", "select * from {{ ref('events') }}"),
    ];
    const local = compile(project({ models, sources: [rawEvents()] }));
    expect(node(local, "model.events").sql).toBe(
      "select line from [raw].[events] -- [silver].[events_t] silver",
    );
    expect(node(local, "model.m").sql).toBe("select * from [silver].[events_t]");
    expect(node(local, "model.events").location).toBe("/proj/.lake/silver/events_t/v_r1");
    const prod = compile(project({ models, sources: [rawEvents()] }), "prod");
    expect(prod.targetName).toBe("prod");
    expect(node(prod, "model.m").sql).toBe("select * from [shop_silver].[events_t]");
    expect(node(prod, "model.events").location).toBe("s3://lake/root/silver/events_t/v_r1");
    expect(node(prod, "source.raw.events").statements.map((s) => s.sql)).toEqual([
      "RAW [raw].[events] FROM 's3://lake/root/raw/events' START '2024/01/01/00'",
    ]);
  });

  it("target.name and target.type (the dialect) let a macro pick the engine's form", () => {
    const models = [
      model(
        "m.sql",
        "{% if target.type == 'duckdb' %}select 1 as lake{% else %}select 1 as other{% endif %} -- {{ target.name }}",
      ),
    ];
    expect(node(compile(project({ models })), "model.m").sql).toBe("select 1 as lake -- local");
    const athena = compileProject(project({ models }), {
      runId: "r1",
      dialect: { ...fakeDialect(), name: "athena" },
      targetName: "prod",
    });
    expect(node(athena, "model.m").sql).toBe("select 1 as other -- prod");
  });

  it("literal() and identifier() go through the dialect's escaping", () => {
    const c = compile(
      project({
        models: [
          model(
            "m.sql",
            "select {{ literal(\"it's\") }} as {{ identifier('we]ird') }}, {{ literal(3) }}, {{ literal(none) }}",
          ),
        ],
      }),
    );
    expect(node(c, "model.m").sql).toBe("select 'it''s' as [we]]ird], 3, NULL");
  });

  it("project macros are callable from every model and can call ref()", () => {
    const c = compile(
      project({
        models: [
          model("a.sql", "select 1 as cents"),
          model("b.sql", "select {{ cents_to_dollars('cents') }} from {{ from_a() }}"),
        ],
        macros: [
          {
            path: "macros/money.sql",
            absPath: "/proj/macros/money.sql",
            text: "{% macro cents_to_dollars(col, scale=2) %}round({{ col }} / 100.0, {{ scale }}){% endmacro %}",
          },
          {
            path: "macros/refs.sql",
            absPath: "/proj/macros/refs.sql",
            text: "{% macro from_a() %}{{ ref('a') }}{% endmacro %}",
          },
        ],
      }),
    );
    expect(c.diagnostics).toEqual([]);
    expect(node(c, "model.b").sql).toBe("select round(cents / 100.0, 2) from [default].[a]");
    expect(node(c, "model.b").dependsOn).toEqual(["model.a"]);
  });

  it("incremental models render twice and plan CTAS first, INSERT after", () => {
    const text = [
      "{{ config(materialized='incremental', schema='silver', partitioned_by=['event_date']) }}",
      "select * from {{ ref('src') }}",
      "{% if is_incremental() %}where ts > (select max(ts) from {{ this }}){% endif %}",
    ].join("\n");
    const c = compile(
      project({ models: [model("inc.sql", text), model("src.sql", "select 1 as ts")] }),
    );
    const n = node(c, "model.inc");
    expect(n.sql).toBe("select * from [default].[src]");
    expect(n.incrementalSql).toBe(
      "select * from [default].[src]\nwhere ts > (select max(ts) from [silver].[inc])",
    );
    expect(n.incrementalStrategy).toBe("append");
    expect(n.statements.map((s) => s.sql)).toEqual([
      "CTAS [silver].[inc] AT '/proj/.lake/silver/inc/v_r1' ID r1 PARTITIONED (event_date) AS\nselect * from [default].[src]",
    ]);
    expect(n.incrementalStatements!.map((s) => s.sql)).toEqual([
      `INSERT [silver].[inc] AT '/proj/.lake/silver/inc/v_r1' ID r1 PARTITIONED (event_date) AS\n${n.incrementalSql}`,
    ]);
  });

  it("refs only inside is_incremental() still count as dependencies", () => {
    const c = compile(
      project({
        models: [
          model(
            "inc.sql",
            "{{ config(materialized='incremental') }}select 1 {% if is_incremental() %}from {{ ref('late') }}{% endif %}",
          ),
          model("late.sql", "select 2"),
        ],
      }),
    );
    expect(node(c, "model.inc").dependsOn).toEqual(["model.late"]);
    expect(c.nodes.map((n) => n.id)).toEqual(["model.late", "model.inc"]);
  });
});

describe("ephemeral models", () => {
  const eph = (name: string, sql: string) =>
    model(`${name}.sql`, `{{ config(materialized='ephemeral') }}${sql}`);

  it("are inlined as CTEs, nested ones first, and never built", () => {
    const c = compile(
      project({
        models: [
          eph("e1", "select 1 as x"),
          eph("e2", "select x from {{ ref('e1') }}"),
          model("m.sql", "select * from {{ ref('e2') }} join {{ ref('e1') }} using (x);"),
        ],
      }),
    );
    expect(node(c, "model.m").sql).toBe(
      "with __sluice_cte__e1 as (\nselect 1 as x\n),\n__sluice_cte__e2 as (\nselect x from __sluice_cte__e1\n)\nselect * from __sluice_cte__e2 join __sluice_cte__e1 using (x)",
    );
    expect(node(c, "model.e1").statements).toEqual([]);
  });

  it("merge into a model's own leading WITH", () => {
    const c = compile(
      project({
        models: [
          eph("e1", "select 1 as x"),
          model("m.sql", "-- note\nWITH a AS (select * from {{ ref('e1') }})\nselect * from a"),
        ],
      }),
    );
    expect(node(c, "model.m").sql).toBe(
      "-- note\nwith __sluice_cte__e1 as (\nselect 1 as x\n),\na AS (select * from __sluice_cte__e1)\nselect * from a",
    );
  });
});

describe("seeds, sources and DAG order", () => {
  it("seeds become typed VALUES tables", () => {
    const c = compile(
      project({
        seeds: [
          seed(
            "countries",
            ["code", "n", "rate", "ok", "day", "name"],
            [
              ["DE", "1", "1.5", "true", "2024-01-02", "Ger'many"],
              ["FR", "", "2", "False", "2024-01-03", "France"],
            ],
          ),
        ],
      }),
    );
    const n = node(c, "seed.countries");
    expect(n.sql).toBe(
      "SELECT * FROM (VALUES\n" +
        "  (CAST('DE' AS varchar), CAST(1 AS bigint), CAST(1.5 AS double), CAST(TRUE AS boolean), CAST('2024-01-02' AS date), CAST('Ger''many' AS varchar)),\n" +
        "  (CAST('FR' AS varchar), CAST(NULL AS bigint), CAST(2 AS double), CAST(FALSE AS boolean), CAST('2024-01-03' AS date), CAST('France' AS varchar))\n" +
        ") AS t([code], [n], [rate], [ok], [day], [name])",
    );
    expect(
      n.statements[0]!.sql.startsWith(
        "CTAS [default].[countries] AT '/proj/.lake/default/countries/v_r1' ID r1 AS\n",
      ),
    ).toBe(true);
  });

  it("orders nodes topologically, ties by id", () => {
    const c = compile(
      project({
        models: [
          model("z.sql", "select 1"),
          model("b.sql", "select * from {{ ref('z') }}, {{ ref('cc') }}"),
          model("a.sql", "select * from {{ ref('b') }}"),
        ],
        seeds: [seed("cc", ["c"], [["x"]])],
        sources: [rawEvents()],
      }),
    );
    expect(c.nodes.map((n) => n.id)).toEqual([
      "model.z",
      "seed.cc",
      "model.b",
      "model.a",
      "source.raw.events",
    ]);
    expect(node(c, "model.b").dependsOn).toEqual(["model.z", "seed.cc"]);
  });

  // Compile speed is a benchmark's job (tests/bench): a timed unit test fails on a busy machine.
  it("compiles a chain of 30 models with a test each", () => {
    const models = Array.from({ length: 30 }, (_, i) =>
      model(
        `m${i}.sql`,
        `{{ config(materialized='table') }}select {{ var('v', 1) }} as id from ${i === 0 ? "{{ source('raw','events') }}" : `{{ ref('m${i - 1}') }}`}`,
      ),
    );
    const p = project({
      models,
      sources: [rawEvents()],
      modelProperties: models.map((m) =>
        props(m.name, {
          columns: [
            {
              name: "id",
              tests: [
                {
                  name: "not_null",
                  args: {},
                  severity: "error",
                  at: { file: "s.yml", line: 1, column: 1 },
                },
              ],
              at: { file: "s.yml", line: 1, column: 1 },
            },
          ],
        }),
      ),
    });
    const c = compile(p);
    expect(c.nodes).toHaveLength(61);
    expect(node(c, "model.m29").dependsOn).toEqual(["model.m28"]);
  });
});
