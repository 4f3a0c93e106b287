import { createDuckdbDialect } from "@sluice/dialects";
import type { DuckdbTarget, MacroFile, ProjectConfig } from "@sluice/project";
import { describe, expect, it } from "vitest";
import { compileProject, renderWithWarehouse } from "../src/index.js";
import { model, project, props, seed, testSpec } from "./fixture-project.js";

const lake: DuckdbTarget = {
  engine: "duckdb",
  lake: "dev.lake",
  threads: 2,
  schema: "main",
  sql_dialect: "duckdb",
};
const dbtConfig: Partial<ProjectConfig> = {
  targets: { dev: lake },
  "default-target": "dev",
  "sql-dialect": "duckdb",
  dbt: { profile: "shop", profilesFile: "/proj/profiles.yml", packages: [] },
};
const macro = (path: string, text: string): MacroFile => ({ path, absPath: `/proj/${path}`, text });

/** Compile a dbt project of these parts (on dbt's config, with `config` over it). */
const compileDbt = (parts: Parameters<typeof project>[0] = {}) =>
  compileProject(project({ ...parts, config: { ...dbtConfig, ...parts.config } }), {
    runId: "r1",
    dialect: createDuckdbDialect({ trinoCompat: false }),
  });

/** Compile one dbt model; its SQL, or the diagnostics. */
function compileOne(sql: string, macros: MacroFile[] = []) {
  const compiled = compileProject(
    project({ models: [model("m.sql", sql)], macros, config: dbtConfig }),
    { runId: "r1", dialect: createDuckdbDialect({ trinoCompat: false }) },
  );
  const node = compiled.nodes.find((n) => n.id === "model.m");
  return { sql: node?.sql.trim(), diagnostics: compiled.diagnostics };
}

describe("dbt's Jinja context", () => {
  it("target.* and this.* describe the profile's output and the model's relation", () => {
    const { sql } = compileOne(
      "select '{{ target.name }}' a, '{{ target.schema }}' b, '{{ target.type }}' c, {{ target.threads }} d, " +
        "'{{ this.schema }}.{{ this.identifier }}' e, '{{ execute }}' f",
    );
    expect(sql).toBe("select 'dev' a, 'main' b, 'duckdb' c, 2 d, 'main.m' e, 'True' f");
  });

  it("namespace() with set ns.x, do list.append, loop.last and Python methods", () => {
    const { sql, diagnostics } = compileOne(`{%- set ns = namespace(total=0) -%}
{%- set cols = [] -%}
{%- for c in ['A', ' b '] -%}
{%- set ns.total = ns.total + 1 -%}
{%- do cols.append(c.strip().lower()) -%}
{%- endfor -%}
{%- set d = {'k': 'v'} -%}
select {{ ns.total }} n{% for c in cols %}, '{{ c }}' {{ c }}{% if loop.last %} -- last{% endif %}{% endfor %}
, '{{ 'x,y'.split(',') | join('|') }}' s, '{{ '{}_{}'.format('a', 'b') }}' f{% for k, v in d.items() %}, '{{ v.upper() }}' {{ k }}{% endfor %}`);
    expect(diagnostics).toEqual([]);
    expect(sql).toBe("select 2 n, 'a' a, 'b' b -- last\n, 'x|y' s, 'a_b' f, 'V' k");
  });

  it("model.*, graph.nodes and the none test", () => {
    const { sql, diagnostics } = compileOne(
      "select '{{ model.unique_id }}' u, '{{ model.original_file_path }}' p, " +
        "{{ graph.nodes.values() | length }} n{% if var('missing', none) is none %}, 1 x{% endif %}",
    );
    expect(diagnostics).toEqual([]);
    expect(sql).toBe("select 'model.shop.m' u, 'm.sql' p, 1 n, 1 x");
  });

  it("return() makes a macro's call evaluate to the value, not its text", () => {
    const { sql, diagnostics } = compileOne(
      "select {{ 'a' if flag() else 'b' }} x, {{ cols() | length }} n, {{ cols()[1] }} y",
      [
        macro(
          "macros/r.sql",
          "{% macro flag() %}\n  {{ return(false) }}\n{% endmacro %}" +
            "{% macro cols() %}{% set c = ['p'] %}{% do c.append('q') %}{{ return(c) }}ignored{% endmacro %}",
        ),
      ],
    );
    expect(diagnostics).toEqual([]);
    expect(sql).toBe("select b x, 2 n, q y");
  });

  it("filters tojson, as_bool, as_number; modules.re", () => {
    const { sql } = compileOne(
      "select '{{ {'a': 1} | tojson }}' j, {{ 'True' | as_bool }} b, {{ '4' | as_number + 1 }} n, " +
        "'{{ modules.re.sub('[0-9]', '#', 'a1b2') }}' r",
    );
    expect(sql).toBe(`select '{"a":1}' j, True b, 5 n, 'a#b#' r`);
  });

  it("print and log go to the log, exceptions.warn is a warning at the call and the model still compiles; as_native, adapter.quote, api.Relation, modules.datetime", () => {
    const logged: string[] = [];
    const compiled = compileProject(
      project({
        models: [
          model(
            "m.sql",
            "{% do print('p1') %}{% do log('l1', info=true) %}{% do log('quiet') %}select\n" +
              "{{ exceptions.warn('careful') }}{{ ('[1, 2]' | as_native) | length }} n, " +
              "{{ adapter.quote('id') }} q, '{{ api.Relation.create(schema='s', identifier='t') }}' r, " +
              "'{{ modules.datetime.datetime.now() }}' t",
          ),
        ],
        config: dbtConfig,
      }),
      {
        runId: "r1",
        dialect: createDuckdbDialect({ trinoCompat: false }),
        log: (m: string) => logged.push(m),
      },
    );
    const sql = compiled.nodes.find((n) => n.id === "model.m")?.sql.trim();
    expect(sql).toMatch(
      /^select\n2 n, "id" q, '"s"\."t"' r, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?' t$/,
    );
    expect([...new Set(logged)]).toEqual(["p1", "l1"]);
    // What dbt prints on the console is shown at its call, and kept with the compile; a log()
    // without info=True is dbt's debug log: not shown.
    expect(
      compiled.diagnostics.map((d) => [d.severity, d.code, d.at?.line, d.at?.column, d.message]),
    ).toEqual([
      ["warn", "TEMPLATE_LOG", 1, 7, "p1"],
      ["warn", "TEMPLATE_LOG", 1, 27, "l1"],
      ["warn", "TEMPLATE_SYNTAX", 2, 15, "careful"],
    ]);
  });

  it("run_started_at and modules.datetime read the invocation's clock, as Python's datetime prints and counts", () => {
    const asked: string[] = [];
    const at = (sql: string, started = "2026-03-01T05:06:07.250Z") => {
      const compiled = compileProject(
        project({ models: [model("m.sql", sql)], config: dbtConfig }),
        {
          runId: "r1",
          dialect: createDuckdbDialect({ trinoCompat: false }),
          flag: (name) => {
            asked.push(name);
            return name === "RUN_STARTED_AT" ? started : undefined;
          },
        },
      );
      const node = compiled.nodes.find((n) => n.id === "model.m");
      return node?.sql.trim() ?? compiled.diagnostics.map((d) => d.message).join("; ");
    };
    // A template that does not read the clock does not ask for it (its compile stays reusable).
    expect(at("select 1 as x")).toBe("select 1 as x");
    expect(asked).not.toContain("RUN_STARTED_AT");
    expect(
      at("{{ run_started_at }}|{{ run_started_at.isoformat() }}|{{ run_started_at.year }}"),
    ).toBe("2026-03-01 05:06:07.250000+00:00|2026-03-01T05:06:07.250000+00:00|2026");
    expect(asked).toContain("RUN_STARTED_AT");
    // Python omits a zero fraction; strftime's directives; an unknown one is an error.
    expect(at("{{ run_started_at }}", "2026-03-01T00:00:00.000Z")).toBe(
      "2026-03-01 00:00:00+00:00",
    );
    expect(at("{{ run_started_at.strftime('%Y%m%d %H:%M:%S.%f %a %b %j %I%p %z %%') }}")).toBe(
      "20260301 05:06:07.250000 Sun Mar 060 05AM +0000 %",
    );
    expect(at("{{ run_started_at.strftime('%Q') }}")).toMatch(/unsupported directive '%Q'/);
    // Arithmetic with timedelta, as dbt projects write their lookback windows.
    expect(
      at(
        "{{ (run_started_at - modules.datetime.timedelta(days=1, hours=6)).strftime('%Y-%m-%d %H') }}|" +
          "{{ run_started_at.date() - modules.datetime.date(2026, 1, 1) }}|" +
          "{{ modules.datetime.timedelta(seconds=-1) }}|" +
          "{{ (run_started_at + modules.datetime.timedelta(minutes=90)).hour }}",
      ),
    ).toBe("2026-02-27 23|59 days, 0:00:00|-1 day, 23:59:59|6");
    // now() and today(): the same clock, naive (no offset); the constructors.
    expect(
      at(
        "{{ modules.datetime.datetime.now() }}|{{ modules.datetime.date.today() }}|" +
          "{{ modules.datetime.datetime(2026, 2, 28, 23).isoformat() }}|" +
          "{{ modules.datetime.date.fromisoformat('2026-12-07').weekday() }}",
      ),
    ).toBe("2026-03-01 05:06:07.250000|2026-03-01|2026-02-28T23:00:00|0");
    // Time zones as pytz gives them: the local date of a run, the offset and its name.
    expect(
      at(
        "{{ run_started_at.astimezone(modules.pytz.timezone('America/New_York')) }}|" +
          "{{ run_started_at.astimezone(modules.pytz.timezone('Europe/Berlin')).strftime('%Y-%m-%d %H:%M %z %Z') }}|" +
          "{{ run_started_at.astimezone(modules.pytz.timezone('Asia/Kolkata')).strftime('%H:%M %z %Z') }}|" +
          "{{ modules.pytz.timezone('Europe/Berlin').localize(modules.datetime.datetime(2026, 7, 1, 12)).isoformat() }}",
      ),
    ).toBe(
      "2026-03-01 00:06:07.250000-05:00|2026-03-01 06:06 +0100 CET|10:36 +0530 IST|2026-07-01T12:00:00+02:00",
    );
    expect(at("{{ run_started_at.astimezone(modules.pytz.timezone('Mars/Olympus')) }}")).toMatch(
      /UnknownTimeZoneError: 'Mars\/Olympus'/,
    );
  });

  it("cross-database macros in Trino for an Athena-profile project", () => {
    const compiled = compileProject(
      project({
        models: [
          model(
            "m.sql",
            "select {{ dbt.dateadd('day', 1, 'd') }} x, {{ dbt.concat(['a', 'b']) }} z, {{ dbt.hash('c') }} h",
          ),
        ],
        config: {
          ...dbtConfig,
          targets: { dev: { ...lake, sql_dialect: "trino" } },
          "sql-dialect": "trino",
        },
      }),
      { runId: "r1", dialect: createDuckdbDialect({ trinoCompat: true }) },
    );
    expect(compiled.nodes.find((n) => n.id === "model.m")?.sql.trim()).toBe(
      "select date_add('day', 1, d) x, concat(a, b) z, lower(to_hex(md5(to_utf8(cast(c as varchar))))) h",
    );
  });

  it("adapter.dispatch finds default__ macros; cross-database macros speak the project's dialect", () => {
    const { sql } = compileOne(
      "select {{ adapter.dispatch('cents')('amount') }} c, {{ dbt.dateadd('day', 1, 'd') }} x, " +
        "{{ dbt.safe_cast('v', dbt.type_int()) }} y, {{ dbt.concat(['a', 'b']) }} z",
      [macro("macros/cents.sql", "{% macro default__cents(col) %}({{ col }} / 100){% endmacro %}")],
    );
    expect(sql).toBe(
      "select (amount / 100) c, (d + (interval (1) day)) x, try_cast(v as integer) y, a || b z",
    );
  });

  it("a project macro generate_schema_name names schemas", () => {
    const compiled = compileProject(
      project({
        models: [model("m.sql", "{{ config(schema='marts') }}select 1 x")],
        macros: [
          macro(
            "macros/schema.sql",
            "{% macro generate_schema_name(custom_schema_name, node) %}{{ custom_schema_name | default('plain', true) }}_only{% endmacro %}",
          ),
        ],
        config: dbtConfig,
      }),
      { runId: "r1", dialect: createDuckdbDialect({ trinoCompat: false }) },
    );
    expect(compiled.nodes.find((n) => n.id === "model.m")?.relation).toEqual({
      schema: "marts_only",
      name: "m",
    });
  });

  it("a model that reads the warehouse renders at run time; a description doing so is an error at the call", () => {
    const compiled = compileProject(
      project({
        models: [model("m.sql", "{% set r = run_query('select 1') %}\nselect 1")],
        modelProperties: [
          {
            name: "m",
            description: "{{ run_query('select 2') }}",
            config: {},
            columns: [],
            tests: [],
            at: { file: "schema.yml", line: 3, column: 5 },
          },
        ],
        config: dbtConfig,
      }),
      { runId: "r1", dialect: createDuckdbDialect({ trinoCompat: false }) },
    );
    const m = compiled.nodes.find((n) => n.id === "model.m");
    // Offline its SQL is marked as not what will run, with the query it needs; no statements.
    expect(m?.renderAtRun).toBe(true);
    expect(m?.sql).toMatch(
      /^-- rendered at run time: .*\n.*first query: select 1\n[\s\S]*NOT the SQL/,
    );
    expect([m?.sql.trim().split("\n").at(-1), m?.statements]).toEqual(["select 1", []]);
    expect(compiled.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        "TEMPLATE_SYNTAX",
        "run_query() reads the warehouse, which only a model's SQL can do (rendered at run time)",
      ],
    ]);
  });

  it("renderWithWarehouse sends each query once, the next only after the result it is built from", async () => {
    const sql =
      "{% if execute %}{% set t = run_query('select max(id) as m from x') %}" +
      "{% set u = run_query('select ' ~ t[0][0] ~ ' + 1 as n') %}" +
      "select {{ u.columns[0].values()[0] }} as n, '{{ u.column_names | join(',') }}' as c{% endif %}";
    const p = project({ models: [model("m.sql", sql)], config: dbtConfig });
    const options = { runId: "r1", dialect: createDuckdbDialect({ trinoCompat: false }) };
    const offline = compileProject(p, options).nodes.find((n) => n.id === "model.m")!;
    const sent: string[] = [];
    const node = await renderWithWarehouse(p, options, offline, async (q) => {
      sent.push(q);
      const n = q.startsWith("select max") ? 41 : Number(/select (\d+)/.exec(q)![1]) + 1;
      return { columns: [{ name: q.startsWith("select max") ? "m" : "n" }], rows: [{ m: n, n }] };
    });
    expect(sent).toEqual(["select max(id) as m from x", "select 41 + 1 as n"]);
    expect(Array.isArray(node) ? node : node.sql.trim()).toBe("select 42 as n, 'n' as c");
  });

  it("renderWithWarehouse returns the model's render errors once it has every result", async () => {
    const p = project({
      models: [
        model(
          "m.sql",
          "{% set t = run_query('select 1') %}\n{% if execute %}{{ t.nope.x }}{% endif %}",
        ),
      ],
      config: dbtConfig,
    });
    const options = { runId: "r1", dialect: createDuckdbDialect({ trinoCompat: false }) };
    const offline = compileProject(p, options).nodes.find((n) => n.id === "model.m")!;
    const out = await renderWithWarehouse(p, options, offline, async () => ({
      columns: [],
      rows: [],
    }));
    expect(Array.isArray(out) && out.map((d) => [d.at?.file, d.at?.line, d.code])).toEqual([
      ["m.sql", 2, "TEMPLATE_SYNTAX"],
    ]);
  });

  it("errors at their call", () => {
    // raise_compiler_error stops the parse already, as in dbt.
    const raised = compileOne(
      "select 1\n{{ exceptions.raise_compiler_error('no rows for ' ~ this.name) }}",
    );
    expect(raised.diagnostics.map((d) => [d.at?.line, d.at?.column, d.message])).toEqual([
      [2, 15, "no rows for m"],
    ]);
  });

  it("invocation_id (the run's id), project_name, set(), zip() and local_md5()", () => {
    const { sql, diagnostics } = compileOne(
      "select '{{ invocation_id }}' i, '{{ project_name }}' p, {{ set([3, 1, 3]) | length }} s, " +
        "{{ zip([1, 2, 3], ['a', 'b']) | list | length }} z, '{{ zip([1], ['a'])[0][1] }}' za, " +
        "'{{ local_md5('sluice') }}' m",
    );
    expect(diagnostics).toEqual([]);
    // md5("sluice"), by `printf sluice | md5sum`.
    expect(sql).toBe(
      "select 'r1' i, 'shop' p, 2 s, 2 z, 'a' za, '56c4228bc58d4cdf3ff01c3fc6e84189' m",
    );
  });

  it("ref('project', 'model') reads this project's model; another project's or a version is said at the call", () => {
    const two = compileOne("select * from {{ ref('shop', 'a') }}");
    expect(two.diagnostics.map((d) => d.message)).toEqual(["ref('a'): no model or seed named 'a'"]);
    const other = compileOne("select 1 x\nfrom {{ ref('dbt_utils', 'a') }}");
    expect(other.diagnostics.map((d) => [d.severity, d.at?.line, d.at?.column, d.message])).toEqual(
      [
        [
          "error",
          2,
          9,
          "ref('dbt_utils', 'a'): 'dbt_utils' is not this project ('shop'): sluice builds this project's models only, not a package's or another project's",
        ],
      ],
    );
    const compiled = compileDbt({
      models: [
        model("a.sql", "select 1 x"),
        model("m.sql", "select * from {{ ref('shop', 'a', v=2) }}"),
      ],
    });
    const node = compiled.nodes.find((n) => n.id === "model.m")!;
    expect(node.dependsOn).toEqual(["model.a"]);
    expect(node.sql.trim()).toBe('select * from "main"."a"');
    expect(compiled.diagnostics.map((d) => [d.severity, d.message])).toEqual([
      [
        "warn",
        "ref(): model versions are not supported: the model is read as it is, not version 2",
      ],
    ]);
  });

  it("pre_hook and post_hook are rendered with this; a hook's error names the hook", () => {
    const compiled = compileDbt({
      models: [
        model(
          "m.sql",
          "{{ config(materialized='table', pre_hook='delete from log where t = {{ literal(this.name) }}', " +
            "post_hook=['analyze {{ this }}', \"insert into log select '{{ this }}', {{ var('k', 7) }}\"]) }}select 1 x",
        ),
        model("bad.sql", "{{ config(post_hook=['select 1', 'select {{ nope }}']) }}select 1 x"),
      ],
    });
    const node = compiled.nodes.find((n) => n.id === "model.m")!;
    expect(node.config.pre_hook).toEqual(["delete from log where t = 'm'"]);
    expect(node.config.post_hook).toEqual([
      'analyze "main"."m"',
      `insert into log select '"main"."m"', 7`,
    ]);
    expect(compiled.diagnostics.map((d) => `${d.at?.file}: ${d.message}`)).toEqual([
      "bad.sql: post_hook 2: {{ nope }} is undefined",
    ]);
  });

  it("seeds: config under the project name and its folders, hooks rendered; model keys warned", () => {
    const compiled = compileDbt({
      models: [model("m.sql", "select * from {{ ref('codes') }}")],
      seeds: [
        seed("codes", ["c"], [["a"]]),
        { ...seed("deep", ["c"], [["b"]]), path: "seeds/lookups/deep.csv" },
      ],
      config: {
        seeds: {
          config: {},
          children: {
            shop: {
              config: { schema: "seedy", post_hook: ["analyze {{ this }}"], enabled: false },
              at: { file: "dbt_project.yml", line: 9, column: 3 },
              children: { lookups: { config: { schema: "lookup" }, children: {} } },
            },
          },
        },
      },
    });
    const node = (id: string) => compiled.nodes.find((n) => n.id === id)!;
    expect(node("seed.codes").relation).toEqual({ schema: "main_seedy", name: "codes" });
    expect(node("seed.codes").config.post_hook).toEqual(['analyze "main_seedy"."codes"']);
    expect(node("seed.deep").relation).toEqual({ schema: "main_lookup", name: "deep" });
    expect(compiled.diagnostics.map((d) => [d.code, d.at?.line, d.message])).toEqual([
      [
        "SEED_CONFIG_IGNORED",
        9,
        "'+enabled' under seeds.shop is not applied to seeds: a seed takes schema, tags, pre_hook and post_hook from its folders",
      ],
    ]);
  });

  it("seeds: entries of properties give a seed its description and tests; a misspelt one is warned", () => {
    const compiled = compileDbt({
      seeds: [seed("codes", ["c"], [["a"]])],
      seedProperties: [
        props("codes", {
          description: "ISO codes",
          columns: [
            {
              name: "c",
              description: "the code",
              tests: [testSpec("unique", {})],
              at: { file: "schema.yml", line: 5, column: 9 },
            },
          ],
        }),
        props("cdes"),
      ],
    });
    const codes = compiled.nodes.find((n) => n.id === "seed.codes")!;
    expect([codes.description, codes.columns]).toEqual([
      "ISO codes",
      [{ name: "c", description: "the code" }],
    ]);
    const test = compiled.nodes.find((n) => n.kind === "test")!;
    expect([test.name, test.dependsOn]).toEqual(["unique_codes_c", ["seed.codes"]]);
    expect(compiled.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      [
        "PROPERTIES_UNUSED",
        "seeds: entry 'cdes' names no seed: its columns and tests are ignored",
        "did you mean 'codes'?",
      ],
    ]);
  });

  it("a source table's identifier names it in the catalog; source() still uses its name", () => {
    const compiled = compileDbt({
      models: [model("m.sql", "select * from {{ source('shop', 'orders') }}")],
      sources: [
        {
          sourceName: "shop",
          name: "orders",
          schema: "shop",
          identifier: "orders_v2",
          columns: [],
          tests: [],
          at: { file: "sources.yml", line: 4, column: 7 },
        },
      ],
    });
    expect(compiled.diagnostics).toEqual([]);
    const node = compiled.nodes.find((n) => n.id === "model.m")!;
    expect(node.sql.trim()).toBe('select * from "shop"."orders_v2"');
    expect(node.dependsOn).toEqual(["source.shop.orders"]);
  });

  it("a macro file's {% materialization %} block is skipped with a warning; a model using it is an error", () => {
    const materialization =
      "{% macro keep() %}1{% endmacro %}\n" +
      "{%- materialization my_custom, adapter='duckdb' -%}\n" +
      "  {% call statement('main') %}create table {{ this }} as ({{ sql }}){% endcall %}\n" +
      "  {{ return({'relations': [this]}) }}\n" +
      "{%- endmaterialization -%}\n";
    const compiled = compileDbt({
      models: [
        model("m.sql", "select {{ keep() }} x"),
        model("custom.sql", "{{ config(materialized='my_custom') }}select 1 x"),
      ],
      macros: [macro("macros/mat.sql", materialization)],
    });
    expect(compiled.nodes.find((n) => n.id === "model.m")?.sql.trim()).toBe("select 1 x");
    expect(compiled.diagnostics.map((d) => [d.severity, d.at?.file, d.at?.line, d.code])).toEqual([
      ["warn", "macros/mat.sql", 2, "TEMPLATE_SYNTAX"],
      ["error", "custom.sql", 1, "CONFIG_VALUE_INVALID"],
    ]);
  });

  it("an undefined output names its expression, and what to write for dbt members sluice lacks", () => {
    const said = (sql: string) =>
      compileOne(sql).diagnostics.map((d) => [d.at?.line, d.at?.column, d.message, d.hint]);
    expect(said("select\n  {{ selected_resources }} t")).toEqual([
      [
        2,
        3,
        "{{ selected_resources }} is undefined",
        "sluice does not provide dbt's selected_resources: select with --select on the command line",
      ],
    ]);
    expect(said("select {{- refs -}} t")[0]?.slice(2)).toEqual([
      "{{ refs }} is undefined",
      "did you mean 'ref'?",
    ]);
    expect(said("select {{ target.nope }} t")[0]?.[2]).toBe("{{ target.nope }} is undefined");
  });

  it("execute is false while parsing (run_query is none there) and true while compiling", () => {
    const compiled = compileProject(
      project({
        models: [
          model("a.sql", "select 1 as id"),
          model(
            "m.sql",
            "{% if not execute %}{{ config(materialized='table') }}{% endif %}" +
              "{% set r = run_query('select 1') if not execute else none %}" +
              "select {{ 'compiled' if execute else 'parsed' }} as phase, {{ r is none }} as none_at_parse",
          ),
          model("late.sql", "{% if execute %}select * from {{ ref('a') }}{% endif %}"),
          model(
            "hinted.sql",
            "-- depends_on: {{ ref('a') }}\n{% if execute %}select * from {{ ref('a') }}{% endif %}",
          ),
        ],
        config: dbtConfig,
      }),
      { runId: "r1", dialect: createDuckdbDialect({ trinoCompat: false }) },
    );
    const node = (id: string) => compiled.nodes.find((n) => n.id === id);
    // config() seen only by the parse render (dbt reads config at parse)
    expect(node("model.m")?.materialization).toBe("table");
    expect(node("model.m")?.sql.trim()).toBe("select compiled as phase, True as none_at_parse");
    expect(node("model.hinted")?.dependsOn).toEqual(["model.a"]);
    expect(
      compiled.diagnostics.map(
        (d) => `${d.at?.file}:${d.at?.line}:${d.at?.column} ${d.message}\n${d.hint}`,
      ),
    ).toEqual([
      "late.sql:1:34 ref('a') is only reached while executing (inside {% if execute %}): the dependency cannot be inferred, so the model could run before 'a'\n" +
        "add this line at the top of the model (as dbt asks): -- depends_on: {{ ref('a') }}",
    ]);
  });

  it("doc() of an unknown block is an error with the closest name", () => {
    const compiled = compileProject(
      project({
        models: [model("m.sql", "select 1 x")],
        modelProperties: [
          {
            name: "m",
            description: "{{ doc('orders_satus') }}",
            config: {},
            columns: [],
            tests: [],
            at: { file: "schema.yml", line: 3, column: 5 },
          },
        ],
        docs: [
          { name: "orders_status", text: "Status.", at: { file: "d.md", line: 1, column: 1 } },
        ],
        config: dbtConfig,
      }),
      { runId: "r1", dialect: createDuckdbDialect({ trinoCompat: false }) },
    );
    expect(compiled.diagnostics).toMatchObject([
      {
        code: "TEMPLATE_SYNTAX",
        message: "doc('orders_satus'): no docs block of that name",
        hint: "did you mean 'orders_status'?",
        at: { file: "schema.yml", line: 3, column: 5 },
      },
    ]);
  });
});
