import { describe, expect, it } from "vitest";
import { compileProject, selectNodes } from "../src/index.js";
import type { CompiledProject } from "../src/index.js";
import { fakeDialect } from "./fake-dialect.js";
import { model, project, props, rawEvents, seed, testSpec } from "./fixture-project.js";

const compile = (p: ReturnType<typeof project>): CompiledProject =>
  compileProject(p, { runId: "r1", dialect: fakeDialect() });
const col = (name: string, tests: ReturnType<typeof testSpec>[]) => ({
  name,
  tests,
  at: { file: "schema.yml", line: 1, column: 1 },
});

describe("generic and singular tests", () => {
  const base = () =>
    project({
      models: [
        model("orders.sql", "select 1 as id, 2 as customer_id, 'new' as status"),
        model("customers.sql", "select 2 as id"),
      ],
      sources: [{ ...rawEvents(), columns: [col("line", [testSpec("not_null")])] }],
      modelProperties: [
        props("orders", {
          columns: [
            col("id", [testSpec("not_null"), testSpec("unique")]),
            col("status", [
              testSpec("accepted_values", { values: ["new", "it's"] }),
              testSpec("accepted_values", { values: [1, 2], quote: false }),
            ]),
            col("customer_id", [
              testSpec("relationships", { to: "ref('customers')", field: "id" }),
            ]),
          ],
        }),
      ],
      singularTests: [
        {
          path: "tests/no_neg.sql",
          absPath: "/proj/tests/no_neg.sql",
          name: "no_neg",
          text: "select * from {{ ref('customers') }} join {{ ref('orders') }} using (id) where id < {{ var('min', 0) }}",
        },
      ],
    });

  it("a singular test's config(new_data='partitions') scopes it to the partitions a run writes; another value is an error at config(", () => {
    const withConfig = (text: string) => {
      const p = base();
      p.singularTests = [{ ...p.singularTests[0]!, text }];
      return compile(p);
    };
    const scoped = withConfig(
      "{{ config(new_data='partitions') }}\nselect * from {{ ref('orders') }} where id < 0",
    );
    expect(scoped.diagnostics).toEqual([]);
    expect(scoped.nodes.find((n) => n.id === "test.no_neg")?.newData).toEqual({
      kind: "partitions",
    });
    expect(compile(base()).nodes.find((n) => n.id === "test.no_neg")?.newData).toBeUndefined();
    const bad = withConfig(
      "select 1 as x\n{{ config(new_data='rows') }}\nfrom {{ ref('orders') }} where id < 0",
    );
    expect(bad.diagnostics).toMatchObject([
      {
        code: "TEST_INVALID",
        severity: "error",
        message: `new_data: expected 'partitions', got "rows"`,
        at: { file: "tests/no_neg.sql", line: 2, column: 11 },
      },
    ]);
    expect(bad.nodes.find((n) => n.id === "test.no_neg")).toBeUndefined();
  });

  it("a singular test's config: severity, warn_if/error_if, limit, tags, enabled as dbt applies them; where and unknown keys warned at the key", () => {
    const withConfig = (config: string) => {
      const p = base();
      p.singularTests = [
        {
          ...p.singularTests[0]!,
          text: `select * from {{ ref('orders') }}\n{{ config(${config}) }}`,
        },
      ];
      const c = compile(p);
      return { node: c.nodes.find((n) => n.id === "test.no_neg"), diagnostics: c.diagnostics };
    };
    const applied = withConfig(
      "severity='WARN', warn_if='>1', error_if='>5', limit=3, tags=['nightly'], meta={'o': 1}",
    );
    expect(applied.diagnostics).toEqual([]);
    expect(applied.node).toMatchObject({
      severity: "warn",
      thresholds: { warn_if: ">1", error_if: ">5" },
      tags: ["nightly"],
    });
    expect(applied.node?.sql).toMatch(/limit 3/i);
    expect(withConfig("enabled=false").node).toBeUndefined();
    const warned = withConfig("where='id > 0', sevrity='warn'");
    expect(warned.node?.severity).toBe("error");
    expect(
      warned.diagnostics.map((d) => [d.severity, d.message, d.at?.line, d.at?.column, d.hint]),
    ).toEqual([
      [
        "warn",
        "config 'where' of a singular test is not applied",
        2,
        11,
        "dbt ignores where for singular (one-off) tests too: filter in the test's SQL",
      ],
      [
        "warn",
        "config 'sevrity' is not a test config: it is ignored",
        2,
        27,
        "did you mean 'severity'?",
      ],
    ]);
    const bad = withConfig("severity='fatal', limit='ten'");
    expect(bad.node).toBeUndefined();
    expect(bad.diagnostics.map((d) => [d.severity, d.message, d.at?.column])).toEqual([
      ["error", `severity: expected 'warn' or 'error', got "fatal"`, 11],
      ["error", "limit must be a whole number of rows, got 'ten'", 29],
    ]);
  });

  it("compile to failing-rows SELECTs wrapped in the dialect's assertion", () => {
    const c = compile(base());
    expect(c.diagnostics).toEqual([]);
    const tests = Object.fromEntries(
      c.nodes.filter((n) => n.kind === "test").map((n) => [n.id, n]),
    );
    expect(Object.keys(tests).sort()).toEqual([
      "test.accepted_values_orders_status",
      "test.accepted_values_orders_status_2",
      "test.no_neg",
      "test.not_null_orders_id",
      "test.relationships_orders_customer_id",
      "test.source_not_null_raw_events_line",
      "test.unique_orders_id",
    ]);
    expect(tests["test.not_null_orders_id"]!.sql).toBe(
      "select *\nfrom [default].[orders]\nwhere [id] is null",
    );
    expect(tests["test.not_null_orders_id"]!.statements[0]!.sql).toBe(
      "ASSERT (\nselect *\nfrom [default].[orders]\nwhere [id] is null\n)",
    );
    expect(tests["test.unique_orders_id"]!.sql).toBe(
      "select [id] as unique_field, count(*) as n_records\nfrom [default].[orders]\nwhere [id] is not null\ngroup by [id]\nhaving count(*) > 1",
    );
    expect(tests["test.accepted_values_orders_status"]!.sql).toContain(
      "where [status] not in ('new', 'it''s')",
    );
    expect(tests["test.accepted_values_orders_status_2"]!.sql).toContain(
      "where [status] not in (1, 2)",
    );
    const rel = tests["test.relationships_orders_customer_id"]!;
    expect(rel.sql).toBe(
      "with child as (\n  select [customer_id] as from_field from [default].[orders] where [customer_id] is not null\n),\n" +
        "parent as (\n  select [id] as to_field from [default].[customers]\n" +
        "  where [id] in (select from_field from child)\n)\n" +
        "select from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null",
    );
    expect([rel.attachedTo, rel.dependsOn, rel.severity]).toEqual([
      "model.orders",
      ["model.orders", "model.customers"],
      "error",
    ]);
    expect(tests["test.source_not_null_raw_events_line"]!.sql).toBe(
      "select *\nfrom [raw].[events]\nwhere [line] is null",
    );
    const singular = tests["test.no_neg"]!;
    expect(singular.sql).toBe(
      "select * from [default].[customers] join [default].[orders] using (id) where id < 0",
    );
    expect([singular.attachedTo, singular.dependsOn]).toEqual([
      "model.customers",
      ["model.customers", "model.orders"],
    ]);
    // Tests come after what they test.
    const order = c.nodes.map((n) => n.id);
    expect(order.indexOf("test.relationships_orders_customer_id")).toBeGreaterThan(
      order.indexOf("model.orders"),
    );
  });

  it("unknown generic test names and bad relationships are diagnostics at the YAML node", () => {
    const p = project({
      models: [model("orders.sql", "select 1 as id")],
      modelProperties: [
        props("orders", {
          columns: [
            col("id", [
              testSpec("not_nul", {}, 12),
              testSpec("relationships", { to: "ref('order')", field: "id" }, 13),
            ]),
          ],
        }),
      ],
    });
    const c = compile(p);
    expect(c.diagnostics.map((d) => [d.code, d.at, d.hint])).toEqual([
      ["TEST_INVALID", { file: "schema.yml", line: 12, column: 11 }, "did you mean 'not_null'?"],
      ["UNKNOWN_REF", { file: "schema.yml", line: 13, column: 11 }, "did you mean 'orders'?"],
    ]);
  });
});

describe("selectNodes", () => {
  // raw.events -> stg -> fct -> mart ; seed.cc -> fct ; tests on stg and fct (+ relationships fct -> cc)
  const c = compile(
    project({
      models: [
        model(
          "staging/stg.sql",
          "{{ config(tags=['daily']) }}select line from {{ source('raw','events') }}",
        ),
        model(
          "silver/fct.sql",
          "{{ config(tags=['daily', 'core']) }}select * from {{ ref('stg') }}, {{ ref('cc') }}",
        ),
        model("marts/mart.sql", "select * from {{ ref('fct') }}"),
        model("marts/other.sql", "select 1"),
      ],
      seeds: [seed("cc", ["code"], [["DE"]])],
      sources: [rawEvents()],
      modelProperties: [
        props("stg", { columns: [col("line", [testSpec("not_null")])] }),
        props("fct", {
          columns: [col("code", [testSpec("relationships", { to: "ref('cc')", field: "code" })])],
        }),
      ],
    }),
  );
  const sel = (select?: string[], exclude?: string[]) =>
    selectNodes(c, { ...(select ? { select } : {}), ...(exclude ? { exclude } : {}) });

  it("selects everything by default, in topological order", () => {
    expect(sel().ids).toEqual(c.nodes.map((n) => n.id));
  });

  it("names, tags, paths and sources", () => {
    expect(sel(["mart"]).ids).toEqual(["model.mart"]);
    expect(sel(["tag:core"]).ids).toEqual(["model.fct"]);
    expect(sel(["path:marts"]).ids).toEqual(["model.other", "model.mart"]);
    expect(sel(["source:raw.events"]).ids).toEqual(["source.raw.events"]);
    expect(sel(["source:raw"]).ids).toEqual(["source.raw.events"]);
  });

  it("graph operators with depth, and indirect test selection", () => {
    expect(sel(["+fct"]).ids).toEqual([
      "seed.cc",
      "source.raw.events",
      "model.stg",
      "model.fct",
      "test.not_null_stg_line",
      "test.relationships_fct_code",
    ]);
    expect(sel(["1+fct"]).ids).toEqual([
      "seed.cc",
      "model.stg",
      "model.fct",
      "test.not_null_stg_line",
      "test.relationships_fct_code",
    ]);
    expect(sel(["stg+"]).ids).toEqual([
      "model.stg",
      "model.fct",
      "model.mart",
      "test.not_null_stg_line",
    ]);
    expect(sel(["stg+1"]).ids).toEqual(["model.stg", "model.fct", "test.not_null_stg_line"]);
    expect(sel(["+stg+"]).ids).toEqual([
      "source.raw.events",
      "model.stg",
      "model.fct",
      "model.mart",
      "test.not_null_stg_line",
    ]);
  });

  it("comma intersects, spaces and repeated flags unite, exclude removes", () => {
    expect(sel(["tag:daily,path:silver"]).ids).toEqual(["model.fct"]);
    expect(sel(["mart other"]).ids).toEqual(["model.other", "model.mart"]);
    expect(sel(["mart", "other"]).ids).toEqual(["model.other", "model.mart"]);
    expect(sel(["tag:daily"], ["fct"]).ids).toEqual(["model.stg", "test.not_null_stg_line"]);
    expect(sel(undefined, ["stg+"]).ids).toEqual(["model.other", "seed.cc", "source.raw.events"]);
  });

  it("reports selectors that match nothing or do not parse", () => {
    const r = sel(["nothing", "mart", "bogus:x", "a@b"]);
    expect(r.ids).toEqual(["model.mart"]);
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ["SELECTOR_INVALID", "error"],
      ["SELECTOR_INVALID", "error"],
      ["SELECTOR_NO_MATCH", "warn"],
    ]);
    expect(r.diagnostics[0]!.message).toContain("unknown selector method 'bogus:'");
  });
});
