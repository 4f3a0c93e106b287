import { describe, expect, it } from "vitest";
import { compileProject, selectNodes } from "../src/index.js";
import type { CompiledNode, CompiledProject } from "../src/index.js";
import { fakeDialect } from "./fake-dialect.js";
import { model, project, props, rawEvents, seed, testSpec } from "./fixture-project.js";

// dbt's node selection (docs.getdbt.com/reference/node-selection) on a dbt-shaped project:
// model-paths [models], so models/marts/finance/revenue.sql has fqn shop.marts.finance.revenue.
//
// raw.events → stg_events → events → order_items → revenue ← country_codes (seed)
//                        ↘ rejected_events   events → funnel
// raw.payments → stg_payments → payments_daily
const col = (name: string, tests: ReturnType<typeof testSpec>[]) => ({
  name,
  tests,
  at: { file: "models/x.yml", line: 1, column: 1 },
});
const yml = (folder: string) => `models/${folder}/${folder.split("/").pop()}.yml`;

function fixture(): CompiledProject {
  const c = compileProject(
    project({
      config: { "model-paths": ["models"], "test-paths": ["tests"] },
      models: [
        model(
          "models/staging/stg_events.sql",
          "{{ config(materialized='view', tags=['staging']) }}select line from {{ source('raw','events') }}",
        ),
        model(
          "models/staging/stg_payments.sql",
          "{{ config(materialized='view', tags=['staging']) }}select line from {{ source('raw','payments') }}",
        ),
        model(
          "models/silver/events.sql",
          "{{ config(materialized='incremental', tags=['silver']) }}select * from {{ ref('stg_events') }}",
        ),
        model(
          "models/silver/rejected_events.sql",
          "{{ config(materialized='table', tags=['silver']) }}select * from {{ ref('stg_events') }}",
        ),
        model(
          "models/silver/order_items.sql",
          "{{ config(materialized='incremental', tags=['silver', 'orders']) }}select * from {{ ref('events') }}",
        ),
        model(
          "models/marts/funnel.sql",
          "{{ config(materialized='table') }}select * from {{ ref('events') }}",
        ),
        model(
          "models/marts/finance/revenue.sql",
          "{{ config(materialized='table', schema='finance') }}select * from {{ ref('order_items') }}, {{ ref('country_codes') }}",
        ),
        model(
          "models/marts/finance/payments_daily.sql",
          "{{ config(materialized='view') }}select * from {{ ref('stg_payments') }}",
        ),
      ],
      seeds: [seed("country_codes", ["code"], [["DE"]])],
      sources: [rawEvents(), { ...rawEvents(), name: "payments", external: undefined }],
      modelProperties: [
        props("events", { columns: [col("line", [testSpec("not_null", {}, 3, yml("silver"))])] }),
        props("order_items", {
          columns: [col("line", [testSpec("unique", {}, 4, yml("silver"))])],
        }),
        props("revenue", {
          columns: [
            col("code", [
              testSpec(
                "relationships",
                { to: "ref('country_codes')", field: "code" },
                5,
                yml("marts/finance"),
              ),
            ]),
          ],
        }),
      ],
      singularTests: [
        {
          path: "tests/assert_revenue.sql",
          absPath: "/proj/tests/assert_revenue.sql",
          name: "assert_revenue",
          text: "select * from {{ ref('revenue') }} where 1 = 0",
        },
      ],
    }),
    { runId: "r1", dialect: fakeDialect() },
  );
  expect(c.diagnostics).toEqual([]);
  // A DQDL rule node, as the CLI appends them (libs/runner dqTestNodes).
  const events = c.nodes.find((n) => n.id === "model.events")!;
  const dq: CompiledNode = {
    ...events,
    id: "test.dq_events_rule_1",
    kind: "test",
    name: "dq_events_rule_1",
    path: "rules/events.dqdl",
    materialization: "test",
    tags: ["dq"],
    config: {},
    dependsOn: ["model.events"],
    attachedTo: "model.events",
    assertion: {
      kind: "dq_rule",
      ruleType: "RowCount",
      ruleText: "RowCount > 0",
      ruleName: "Rule_1",
    },
  };
  c.nodes.push(dq);
  return c;
}

const c = fixture();
const roots = ["models", "seeds", "tests", "rules"];
const sel = (select?: string[], exclude?: string[]) =>
  selectNodes(c, {
    ...(select ? { select } : {}),
    ...(exclude ? { exclude } : {}),
    resourcePaths: roots,
  });
/** Selected ids, sorted, without the `kind.` prefix for models. */
const ids = (select?: string[], exclude?: string[]) =>
  sel(select, exclude)
    .ids.map((id) => id.replace(/^model\./, ""))
    .sort();
const codes = (r: ReturnType<typeof sel>) =>
  r.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}${d.hint ? ` (${d.hint})` : ""}`);

const financeTests = ["test.assert_revenue", "test.relationships_revenue_code"];

describe("bare words: a name, else a folder, else a file", () => {
  it("a model, seed, source or test name", () => {
    expect(ids(["funnel"])).toEqual(["funnel"]);
    expect(ids(["country_codes"])).toEqual(["seed.country_codes"]);
    expect(ids(["raw.events"])).toEqual(["source.raw.events"]);
    expect(ids(["assert_revenue"])).toEqual(["test.assert_revenue"]);
  });

  it("a folder, relative to the model path or to the project dir, with its subfolders", () => {
    const marts = ["funnel", "payments_daily", "revenue", ...financeTests];
    expect(ids(["marts"])).toEqual(marts);
    expect(ids(["models/marts"])).toEqual(marts);
    expect(ids(["marts/"])).toEqual(marts);
    expect(ids(["marts/finance"])).toEqual(["payments_daily", "revenue", ...financeTests]);
  });

  it("a file name or a path to a file", () => {
    expect(ids(["funnel.sql"])).toEqual(["funnel"]);
    expect(ids(["marts/finance/revenue.sql"])).toEqual(["revenue", "test.assert_revenue"]);
    expect(ids(["models/marts/funnel.sql"])).toEqual(["funnel"]);
    // A YAML file holds tests: selecting it selects them.
    expect(ids(["silver.yml"])).toEqual([
      "test.not_null_events_line",
      "test.unique_order_items_line",
    ]);
  });

  it("a name wins over a folder of the same name", () => {
    const withFolderNamedEvents = selectNodes(c, { select: ["events"], resourcePaths: roots }).ids;
    expect(withFolderNamedEvents).toEqual([
      "model.events",
      "test.not_null_events_line",
      "test.dq_events_rule_1",
    ]);
  });

  it("a dotted fqn, with or without the project name", () => {
    expect(ids(["marts.finance"])).toEqual(["payments_daily", "revenue", ...financeTests]);
    expect(ids(["fqn:shop.marts.funnel"])).toEqual(["funnel"]);
    expect(ids(["fqn:marts.finance.*"])).toEqual(["payments_daily", "revenue", ...financeTests]);
  });
});

describe("methods", () => {
  it("tag:", () => {
    expect(ids(["tag:orders"])).toEqual(["order_items", "test.unique_order_items_line"]);
    expect(ids(["tag:dq"])).toEqual(["test.dq_events_rule_1"]);
  });

  it("path: is relative to the project dir (dbt), a folder or a file", () => {
    expect(ids(["path:models/silver"])).toEqual([
      "events",
      "order_items",
      "rejected_events",
      "test.dq_events_rule_1",
      "test.not_null_events_line",
      "test.unique_order_items_line",
    ]);
    expect(ids(["path:models/marts/funnel.sql"])).toEqual(["funnel"]);
    expect(ids(["path:rules"])).toEqual(["test.dq_events_rule_1"]);
  });

  it("file:", () => {
    expect(ids(["file:revenue.sql"])).toEqual(["revenue", "test.assert_revenue"]);
    expect(ids(["file:events.dqdl"])).toEqual(["test.dq_events_rule_1"]);
  });

  it("source: a source or one of its tables", () => {
    expect(ids(["source:raw"])).toEqual(["source.raw.events", "source.raw.payments"]);
    expect(ids(["source:raw.payments"])).toEqual(["source.raw.payments"]);
    expect(ids(["source:raw.*"])).toEqual(["source.raw.events", "source.raw.payments"]);
    expect(ids(["source:raw+"])).toContain("payments_daily");
  });

  it("resource_type:", () => {
    expect(ids(["resource_type:seed"])).toEqual(["seed.country_codes"]);
    expect(ids(["resource_type:source"])).toEqual(["source.raw.events", "source.raw.payments"]);
    expect(ids(["resource_type:test"])).toEqual([
      "test.assert_revenue",
      "test.dq_events_rule_1",
      "test.not_null_events_line",
      "test.relationships_revenue_code",
      "test.unique_order_items_line",
    ]);
    expect(ids(["resource_type:model"])).toHaveLength(8 + 4); // + the tests that read only models
  });

  it("test_type: generic (YAML), singular (SQL file), dq (DQDL rule)", () => {
    expect(ids(["test_type:generic"])).toEqual([
      "test.not_null_events_line",
      "test.relationships_revenue_code",
      "test.unique_order_items_line",
    ]);
    expect(ids(["test_type:singular"])).toEqual(["test.assert_revenue"]);
    expect(ids(["test_type:dq"])).toEqual(["test.dq_events_rule_1"]);
  });

  it("config.<key>: materialized, schema, tags and any other key", () => {
    expect(ids(["config.materialized:incremental"])).toEqual([
      "events",
      "order_items",
      "test.dq_events_rule_1",
      "test.not_null_events_line",
      "test.unique_order_items_line",
    ]);
    expect(ids(["config.materialized:seed"])).toEqual(["seed.country_codes"]);
    expect(ids(["config.schema:finance"])).toEqual(["revenue", "test.assert_revenue"]);
    expect(ids(["config.tags:orders"])).toEqual(["order_items", "test.unique_order_items_line"]);
    expect(ids(["config.enabled:true"])).toContain("funnel");
  });

  it("wildcards in names and paths", () => {
    expect(ids(["stg_*"])).toEqual(["stg_events", "stg_payments"]);
    expect(ids(["*_events"])).toEqual(["rejected_events", "stg_events"]);
    expect(ids(["stg_event?"])).toEqual(["stg_events"]);
    expect(ids(["path:models/marts/*"])).toEqual([
      "funnel",
      "payments_daily",
      "revenue",
      ...financeTests,
    ]);
    expect(ids(["path:models/*/finance"])).toEqual(["payments_daily", "revenue", ...financeTests]);
    expect(ids(["path:models/marts/*.sql"])).toEqual(["funnel"]);
    expect(ids(["marts/f*"])).toEqual(["funnel", "payments_daily", "revenue", ...financeTests]);
  });

  it("brackets as Python's fnmatch reads them: a class, a lone [ itself, never an error", () => {
    expect(ids(["stg_event[st]"])).toEqual(["stg_events"]);
    expect(ids(["stg_[!e]*"])).toEqual(["stg_payments"]);
    // A class's leading ^ is a ^ (fnmatch), not a negation.
    expect(ids(["[^r]ejected_events"])).toEqual(["rejected_events"]);
    // A [ with no ] after it, and a class a regex refuses: the pattern's own text, no throw.
    for (const selector of ["stg_[", "path:models/[", "[z-a]*", "fqn:shop.[", "tag:[1"])
      expect(() => ids([selector]), selector).not.toThrow();
    expect(ids(["stg_["])).toEqual([]);
    expect(ids(["[z-a]*"])).toEqual([]);
  });
});

describe("graph operators", () => {
  it("+name, name+, n+name, name+n", () => {
    expect(ids(["+order_items"])).toEqual([
      "events",
      "order_items",
      "source.raw.events",
      "stg_events",
      "test.dq_events_rule_1",
      "test.not_null_events_line",
      "test.unique_order_items_line",
    ]);
    expect(ids(["1+order_items"])).toEqual([
      "events",
      "order_items",
      "test.dq_events_rule_1",
      "test.not_null_events_line",
      "test.unique_order_items_line",
    ]);
    expect(ids(["events+"])).toEqual([
      "events",
      "funnel",
      "order_items",
      "revenue",
      "test.assert_revenue",
      "test.dq_events_rule_1",
      "test.not_null_events_line",
      "test.unique_order_items_line",
    ]);
    expect(ids(["events+1"])).toEqual([
      "events",
      "funnel",
      "order_items",
      "test.dq_events_rule_1",
      "test.not_null_events_line",
      "test.unique_order_items_line",
    ]);
    expect(ids(["2+revenue+"])).toEqual(
      [
        "events",
        "order_items",
        "revenue",
        "seed.country_codes",
        ...financeTests,
        "test.dq_events_rule_1",
        "test.not_null_events_line",
        "test.unique_order_items_line",
      ].sort(),
    );
  });

  it("@name: the node, its descendants and all their ancestors", () => {
    // order_items → revenue, and revenue also reads country_codes, which @ brings in.
    expect(ids(["@order_items"])).toEqual(
      [
        "events",
        "order_items",
        "revenue",
        "seed.country_codes",
        "source.raw.events",
        "stg_events",
        ...financeTests,
        "test.dq_events_rule_1",
        "test.not_null_events_line",
        "test.unique_order_items_line",
      ].sort(),
    );
    expect(ids(["@order_items"])).not.toContain("funnel");
  });

  it("operators apply to any method: +tag:, path:+, @source:", () => {
    expect(ids(["+tag:orders"])).toContain("stg_events");
    expect(ids(["path:models/staging+"])).toContain("revenue");
    expect(ids(["@source:raw.payments"])).toEqual([
      "payments_daily",
      "source.raw.payments",
      "stg_payments",
    ]);
  });

  it("+test reaches what the test reads", () => {
    expect(ids(["+relationships_revenue_code"])).toContain("seed.country_codes");
  });
});

describe("set operators and exclusion", () => {
  it("spaces (in one value or across flags) unite, commas intersect", () => {
    expect(ids(["funnel revenue"])).toEqual(["funnel", "revenue", "test.assert_revenue"]);
    expect(ids(["funnel", "revenue"])).toEqual(["funnel", "revenue", "test.assert_revenue"]);
    expect(ids(["tag:silver,config.materialized:incremental"])).toEqual([
      "events",
      "order_items",
      "test.dq_events_rule_1",
      "test.not_null_events_line",
      "test.unique_order_items_line",
    ]);
    expect(ids(["+revenue,tag:silver"])).toEqual([
      "events",
      "order_items",
      "test.dq_events_rule_1",
      "test.not_null_events_line",
      "test.unique_order_items_line",
    ]);
    expect(ids(["marts,config.materialized:view"])).toEqual(["payments_daily"]);
  });

  it("--exclude takes the same syntax; excluding a node excludes its tests", () => {
    expect(ids(["marts"], ["funnel"])).toEqual(["payments_daily", "revenue", ...financeTests]);
    expect(ids(["marts"], ["revenue"])).toEqual(["funnel", "payments_daily"]);
    expect(ids(["silver"], ["test_type:dq resource_type:test"])).toEqual([
      "events",
      "order_items",
      "rejected_events",
    ]);
    expect(ids(["tag:silver"], ["events+"])).toEqual(["rejected_events"]);
    // @stg_events reaches revenue, whose ancestors include the seed.
    expect(ids(undefined, ["@stg_events", "source:raw"])).toEqual([
      "payments_daily",
      "stg_payments",
    ]);
  });

  it("tests come along only when everything they test is selected (and in build, after it)", () => {
    expect(ids(["revenue"])).toEqual(["revenue", "test.assert_revenue"]);
    expect(ids(["revenue country_codes"])).toEqual([
      "revenue",
      "seed.country_codes",
      ...financeTests,
    ]);
    const order = sel(["+revenue"]).ids;
    expect(order.indexOf("test.relationships_revenue_code")).toBeGreaterThan(
      order.indexOf("model.revenue"),
    );
  });
});

describe("what a selection says when it selects nothing, or does not parse", () => {
  it("nothing to do: one warning for the whole selection, with a did-you-mean", () => {
    const r = sel(["funel"]);
    expect(r.ids).toEqual([]);
    expect(codes(r)).toEqual([
      "warn SELECTOR_NO_MATCH: nothing to do: --select funel matched no node (did you mean 'funnel'?)",
    ]);
    expect(codes(sel(["tag:silvr"]))).toEqual([
      "warn SELECTOR_NO_MATCH: nothing to do: --select tag:silvr matched no node (did you mean 'silver'?)",
    ]);
    expect(codes(sel(["nomatch"]))).toEqual([
      "warn SELECTOR_NO_MATCH: nothing to do: --select nomatch matched no node",
    ]);
    expect(codes(sel(["funnel"], ["marts"]))).toEqual([
      "warn SELECTOR_NO_MATCH: nothing to do: --select funnel --exclude marts left no node",
    ]);
    expect(codes(sel(["stg_events,tag:silver"]))).toEqual([
      "warn SELECTOR_NO_MATCH: nothing to do: --select stg_events,tag:silver matched no node",
    ]);
  });

  it("a union member that matches nothing is a warning of its own", () => {
    const r = sel(["funnel", "fnnel"], ["nothing_here"]);
    expect(r.ids).toEqual(["model.funnel"]);
    expect(codes(r)).toEqual([
      "warn SELECTOR_NO_MATCH: --select fnnel matches no node (did you mean 'funnel'?)",
      "warn SELECTOR_NO_MATCH: --exclude nothing_here matches no node",
    ]);
  });

  it("an unknown method or value is an error that lists what is valid", () => {
    const r = sel(["colour:red"]);
    expect(codes(r)).toEqual([
      "error SELECTOR_INVALID: --select colour:red: 'colour:red': unknown selector method 'colour:' " +
        "(methods: tag, path, file, fqn, source, resource_type, test_type, config.<key>, exposure, state, result, source_status)",
    ]);
    expect(codes(sel(["resource_type:snapshot"]))[0]).toContain(
      "resource_type is one of model, seed, source, test",
    );
    expect(codes(sel(["test_type:integration"]))[0]).toContain(
      "test_type is one of generic, singular, dq, unit, data",
    );
    expect(codes(sel(["config:x"]))[0]).toContain("unknown selector method 'config:'");
    expect(codes(sel(["@+funnel"]))[0]).toContain("@ and a leading + cannot be combined");
    expect(codes(sel(["a@b"]))[0]).toContain("'a@b' is not a selector");
    expect(codes(sel(undefined, ["colour:red"]))[0]).toContain("--exclude colour:red");
  });
});
