import { describe, expect, it } from "vitest";
import { at } from "../test/support.js";
import { parseProperties } from "./properties.js";

const file = "staging/schema.yml";

const text = `version: 2
models:
  - name: stg_events
    description: One row per raw line
    config:
      materialized: table
      tags: [staging]
    columns:
      - name: event_id
        data_type: varchar
        tests:
          - not_null
          - unique:
              config:
                severity: warn
      - name: event_type
        data_tests:
          - accepted_values:
              values: [page_view, add_to_cart, order_placed]
          - accepted_values:
              arguments:
                values: [a, b]
                quote: false
              config: {severity: ERROR, where: "dt > '2024'"}
      - name: customer_id
        tests:
          - relationships:
              to: ref('dim_customers')
              field: customer_id
sources:
  - name: raw
    schema: raw
    tables:
      - name: events
        description: Firehose NDJSON
        external:
          location: raw/events
          format: json_lines
          partitioning: firehose_hourly
        columns:
          - name: line
            tests: [not_null]
  - name: ref_data
    tables:
      - name: countries
`;

describe("parseProperties", () => {
  it("parses models, columns, generic tests and sources", () => {
    const { models, sources, diagnostics } = parseProperties(text, file);
    expect(diagnostics).toEqual([]);
    expect(models).toHaveLength(1);
    const m = models[0]!;
    expect(m).toMatchObject({
      name: "stg_events",
      description: "One row per raw line",
      config: { materialized: "table", tags: ["staging"] },
      tests: [],
      at: at(file, text, "name: stg_events"),
    });
    expect(m.columns.map((c) => [c.name, c.data_type, c.at])).toEqual([
      ["event_id", "varchar", at(file, text, "name: event_id")],
      ["event_type", undefined, at(file, text, "name: event_type")],
      ["customer_id", undefined, at(file, text, "name: customer_id")],
    ]);
    expect(m.columns[0]!.tests).toEqual([
      { name: "not_null", args: {}, severity: "error", at: at(file, text, "not_null") },
      {
        name: "unique",
        args: {},
        severity: "warn",
        // As written, so a project's test config does not override it.
        config: { severity: "warn" },
        at: at(file, text, "unique:"),
      },
    ]);
    expect(m.columns[1]!.tests).toEqual([
      {
        name: "accepted_values",
        args: { values: ["page_view", "add_to_cart", "order_placed"] },
        severity: "error",
        at: at(file, text, "accepted_values"),
      },
      {
        name: "accepted_values",
        args: { values: ["a", "b"], quote: false },
        severity: "error",
        config: { severity: "error", where: "dt > '2024'" },
        at: at(file, text, "accepted_values", 1),
      },
    ]);
    expect(m.columns[2]!.tests).toEqual([
      {
        name: "relationships",
        args: { to: "ref('dim_customers')", field: "customer_id" },
        severity: "error",
        at: at(file, text, "relationships"),
      },
    ]);
    expect(sources.map((s) => [s.sourceName, s.name, s.schema])).toEqual([
      ["raw", "events", "raw"],
      ["ref_data", "countries", "ref_data"],
    ]);
    expect(sources[0]).toMatchObject({
      description: "Firehose NDJSON",
      external: { location: "raw/events", format: "json_lines", partitioning: "firehose_hourly" },
      at: at(file, text, "name: events"),
    });
    expect(sources[0]!.columns[0]!.tests).toEqual([
      { name: "not_null", args: {}, severity: "error", at: at(file, text, "tests: [»not_null]") },
    ]);
  });

  it("reports shape errors with key path and position, and keeps the valid entries", () => {
    const bad = text
      .replace("    description: One row per raw line", "    descripton: One row per raw line")
      .replace("materialized: table", "materialized: tabel")
      .replace("format: json_lines", "format: csv");
    const { models, sources, diagnostics } = parseProperties(bad, file);
    expect(diagnostics).toEqual([
      {
        code: "PROPERTIES_INVALID",
        severity: "error",
        message: "models[0].config.materialized: 'tabel' is not an allowed value",
        at: at(file, bad, "tabel"),
        hint: "did you mean 'table'? allowed values: view, table, incremental, ephemeral, snapshot",
      },
      {
        code: "PROPERTIES_INVALID",
        severity: "error",
        message: "models[0].descripton: unknown key 'descripton'",
        at: at(file, bad, "descripton"),
        hint: "did you mean 'description'?",
      },
      {
        code: "PROPERTIES_INVALID",
        severity: "error",
        message: "sources[0].tables[0].external.format: must be 'json_lines', got 'csv'",
        at: at(file, bad, "format: »csv"),
      },
    ]);
    expect(models).toEqual([]);
    expect(sources.map((s) => s.name)).toEqual(["countries"]);
  });

  it("reads a raw zone partitioned by event type, and refuses event_types that do not fit", () => {
    const typed = (external: string) =>
      parseProperties(
        `version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n        external: ${external}\n`,
        "sources/raw.yml",
      );
    const ok = typed(
      "{location: raw/events, format: json_lines, partitioning: firehose_event_type_hourly, event_types: [product_view, order_paid]}",
    );
    expect(ok.diagnostics).toEqual([]);
    expect(ok.sources[0]!.external).toEqual({
      location: "raw/events",
      format: "json_lines",
      partitioning: "firehose_event_type_hourly",
      event_types: ["product_view", "order_paid"],
    });
    const messages = (external: string) => typed(external).diagnostics.map((d) => d.message);
    expect(
      messages(
        "{location: raw/events, format: json_lines, partitioning: firehose_event_type_hourly}",
      ),
    ).toEqual([
      expect.stringMatching(
        /^sources\[0\]\.tables\[0\]\.external\.partitioning: partitioning firehose_event_type_hourly needs event_types/,
      ),
    ]);
    expect(
      messages(
        "{location: raw/events, format: json_lines, partitioning: firehose_hourly, event_types: [a]}",
      ),
    ).toEqual([expect.stringMatching(/external\.event_types: event_types is read only with/)]);
    expect(
      messages(
        "{location: raw/events, format: json_lines, partitioning: firehose_event_type_hourly, event_types: [a/b]}",
      ),
    ).toEqual([expect.stringMatching(/event_types\[0\]: an event type is a folder name/)]);
  });

  it("reports wrongly declared tests as TEST_INVALID", () => {
    const bad = `version: 2
models:
  - name: m
    columns:
      - name: a
        tests:
          - accepted_values:
            values: [x]
          - accepted_values: {vals: [x]}
          - relationships: {to: "ref('x')"}
          - not_null:
              config: {severity: fatal}
          - 42
          - unique
`;
    const { models, diagnostics } = parseProperties(bad, file);
    expect(diagnostics.map((d) => [d.code, d.message, d.at, d.hint])).toEqual([
      [
        "TEST_INVALID",
        "models[0].columns[0].tests[0]: expected a test name or '{test_name: arguments}', got a mapping",
        at(file, bad, "accepted_values:\n"),
        "the arguments must be indented under the test name (one key per test)",
      ],
      [
        "TEST_INVALID",
        "models[0].columns[0].tests[1].accepted_values: accepted_values needs 'values: [...]' (a non-empty list)",
        at(file, bad, "{vals"),
        undefined,
      ],
      [
        "TEST_INVALID",
        `models[0].columns[0].tests[2].relationships: relationships needs 'to: ref("model")' and 'field: column' (both strings)`,
        at(file, bad, `{to: "ref('x')"}`),
        undefined,
      ],
      [
        "TEST_INVALID",
        "models[0].columns[0].tests[3].not_null.config.severity: severity must be 'warn' or 'error', got 'fatal'",
        at(file, bad, "fatal"),
        "allowed values: warn, error",
      ],
      [
        "TEST_INVALID",
        "models[0].columns[0].tests[4]: expected a test name or '{test_name: arguments}', got number 42",
        at(file, bad, "42"),
        undefined,
      ],
    ]);
    expect(models[0]!.columns[0]!.tests.map((t) => t.name)).toEqual(["unique"]);
  });

  it("reads dbt's test configs under config: or next to the arguments, checked at their position", () => {
    const yml = `version: 2
models:
  - name: m
    columns:
      - name: a
        tests:
          - accepted_values:
              values: [x]
              where: "a <> 'y'"
              config: {limit: 3, error_if: ">10", warn_if: "between 1 and 10"}
          - not_null: {limit: -1}
          - unique: {config: {warn_if: lots, stored: true}}
`;
    const { models, diagnostics } = parseProperties(yml, file);
    expect(models[0]!.columns[0]!.tests[0]).toEqual({
      name: "accepted_values",
      args: { values: ["x"] },
      severity: "error",
      config: { where: "a <> 'y'", limit: 3, error_if: ">10", warn_if: "between 1 and 10" },
      at: at(file, yml, "accepted_values"),
    });
    expect(diagnostics.map((d) => [d.severity, d.message, d.at])).toEqual([
      [
        "error",
        "models[0].columns[0].tests[1].not_null.limit: limit must be a whole number of rows, got number -1",
        at(file, yml, "-1"),
      ],
      [
        "error",
        "models[0].columns[0].tests[2].unique.config.warn_if: warn_if must be a condition on the failure count, got 'lots'",
        at(file, yml, "lots"),
      ],
      [
        "warn",
        "models[0].columns[0].tests[2].unique.config.stored: test config 'stored' is not supported: it is ignored",
        at(file, yml, "stored"),
      ],
    ]);
    expect(models[0]!.columns[0]!.tests.map((t) => t.name)).toEqual(["accepted_values"]);
  });

  it("gives YAML syntax errors with line and column", () => {
    const bad = "version: 2\nmodels:\n  - name: m\n   bad: [\n";
    const { diagnostics } = parseProperties(bad, file);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]).toMatchObject({ code: "YAML_SYNTAX", at: { file } });
    expect(diagnostics[0]!.at!.line).toBeGreaterThanOrEqual(3);
  });

  it("accepts an empty file and rejects unknown top-level keys", () => {
    expect(parseProperties("", file)).toEqual({
      models: [],
      sources: [],
      exposures: [],
      unitTests: [],
      snapshots: [],
      seeds: [],
      diagnostics: [],
    });
    const { diagnostics } = parseProperties("version: 2\nmodel:\n  - name: x\n", file);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        message: "model: unknown key 'model'",
        hint: "did you mean 'models'?",
        at: { file, line: 2, column: 1 },
      }),
    ]);
  });
});

describe("exposures (dbt's shape)", () => {
  const exposures = `version: 2
exposures:
  - name: sales
    label: Sales
    type: dashboard
    url: https://bi.example.com/sales
    description: Revenue views.
    owner: {name: Analytics, email: a@example.com}
    depends_on:
      - ref('funnel')
      - source("raw", "events")
      - funnel
`;

  it("keeps name, type, owner and refs, and places a bad depends_on item", () => {
    const r = parseProperties(exposures, "marts/exposures.yml");
    expect(r.exposures).toEqual([
      {
        name: "sales",
        label: "Sales",
        type: "dashboard",
        url: "https://bi.example.com/sales",
        description: "Revenue views.",
        owner: { name: "Analytics", email: "a@example.com" },
        tags: [],
        dependsOn: [
          { ref: "funnel", at: { file: "marts/exposures.yml", line: 10, column: 9 } },
          { source: ["raw", "events"], at: { file: "marts/exposures.yml", line: 11, column: 9 } },
        ],
        at: { file: "marts/exposures.yml", line: 3, column: 5 },
      },
    ]);
    expect(r.diagnostics.map((d) => [d.code, d.at?.line, d.at?.column, d.message])).toEqual([
      [
        "PROPERTIES_INVALID",
        12,
        9,
        "exposures: 'sales' depends_on 'funnel' is not ref('model') or source('source', 'table')",
      ],
    ]);
  });

  it("an unknown type is an error at the value, with the allowed types", () => {
    const r = parseProperties(exposures.replace("type: dashboard", "type: dashbord"), "e.yml");
    expect(r.exposures).toEqual([]);
    expect(r.diagnostics[0]).toMatchObject({ code: "PROPERTIES_INVALID", at: { line: 5 } });
    expect(`${r.diagnostics[0]!.message} ${r.diagnostics[0]!.hint}`).toContain("dashboard");
  });
});

describe("parseProperties of a dbt project's YAML", () => {
  it("reads seeds: entries (description, columns, tests)", () => {
    const parsed = parseProperties(
      "version: 2\nseeds:\n  - name: countries\n    description: ISO codes\n    columns:\n" +
        "      - name: code\n        tests: [unique]\n",
      file,
    );
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.seeds?.map((s) => [s.name, s.description, s.columns[0]?.tests.length])).toEqual([
      ["countries", "ISO codes", 1],
    ]);
  });

  it("drops dbt keys that change nothing; warns at those with an effect sluice does not apply", () => {
    const parsed = parseProperties(
      [
        "version: 2",
        "groups:",
        "  - name: finance",
        "models:",
        "  - name: orders",
        "    docs: {show: false}",
        "    access: public",
        "    constraints: [{type: primary_key, columns: [id]}]",
        "    columns:",
        "      - name: id",
        "        quote: true",
        "        tags: [pii]",
        "        tests: [unique]",
        "sources:",
        "  - name: raw",
        "    loader: fivetran",
        "    database: other",
        "    tables:",
        "      - name: events",
        "        identifier: events_v2",
        "        tags: [raw]",
        "",
      ].join("\n"),
      file,
    );
    expect(parsed.diagnostics.map((d) => [d.code, d.at?.line, d.message])).toEqual([
      [
        "DBT_KEY_IGNORED",
        8,
        "'constraints' is not applied by sluice: sluice does not enforce constraints; test the columns instead",
      ],
      [
        "DBT_KEY_IGNORED",
        12,
        "'tags' is not applied by sluice: a column's tags are not given to its tests; tag the tests in their config",
      ],
      [
        "DBT_KEY_IGNORED",
        17,
        "'database' is not applied by sluice: sluice reads sources from the target's catalog",
      ],
      [
        "DBT_KEY_IGNORED",
        21,
        "'tags' is not applied by sluice: a source table's tags are not read; select it by name (source:raw.events)",
      ],
    ]);
    expect(parsed.models[0]?.columns[0]?.tests).toHaveLength(1);
    expect(parsed.sources.map((s) => [`${s.sourceName}.${s.name}`, s.identifier])).toEqual([
      ["raw.events", "events_v2"],
    ]);
  });
});
