import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { at, writeProject } from "../test/support.js";
import { loadProject } from "./load-project.js";

const config = `name: shop
model-paths: [staging, marts]
models:
  staging:
    +schema: staging
targets:
  local:
    engine: duckdb
default-target: local
`;

const properties = `version: 2
models:
  - name: stg_events
    columns:
      - name: event_id
        tests: [not_null, unique]
sources:
  - name: raw
    tables:
      - name: events
        external: {location: raw/events, format: json_lines, partitioning: firehose_hourly}
`;

const fixture: Record<string, string> = {
  "sluice.yml": config,
  "staging/stg_events.sql": "select * from {{ source('raw', 'events') }}\n",
  "staging/schema.yml": properties,
  "marts/sales/sales_by_country.sql": "select 1 as n\n",
  "marts/daily.sql": "select 2 as n\n",
  "marts/notes.txt": "not a model\n",
  "seeds/countries.csv": 'country,iso_code\n"Côte d\'Ivoire",CI\nFrance,FR\n',
  "macros/cents.sql": "{% macro cents(x) %}{{ x }} * 100{% endmacro %}\n",
  "macros/util/dates.njk": "{% macro day(x) %}date({{ x }}){% endmacro %}\n",
  "tests/no_negative_prices.sql": "select * from {{ ref('stg_events') }} where price < 0\n",
  "rules/events.dqdl": 'Rules = [ IsComplete "event_id" ]\n',
  // never searched
  "staging/node_modules/dep/x.sql": "select 'no'\n",
  "staging/.hidden/x.sql": "select 'no'\n",
  "marts/target/compiled.sql": "select 'no'\n",
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function load(files: Record<string, string>, bytes: Record<string, Buffer> = {}) {
  const p = await writeProject(files);
  cleanup = p.cleanup;
  for (const [rel, data] of Object.entries(bytes)) await writeFile(path.join(p.dir, rel), data);
  return { dir: p.dir, project: await loadProject(p.dir) };
}

/** `text` as UTF-8 with the Latin-1 byte 0xE9 ('é' in Windows-1252) where `»` is. */
const latin1 = (text: string) =>
  Buffer.concat(
    text
      .split("»")
      .flatMap((t, i) => (i ? [Buffer.from([0xe9]), Buffer.from(t)] : [Buffer.from(t)])),
  );

describe("loadProject", () => {
  it("loads every kind of file of a small project", async () => {
    const { dir, project } = await load(fixture);
    expect(project.diagnostics).toEqual([]);
    expect(project.dir).toBe(dir);
    expect(project.config.name).toBe("shop");
    expect(project.config.models.children.staging?.config).toEqual({ schema: "staging" });
    expect(project.models.map((m) => [m.name, m.path, m.folders])).toEqual([
      ["daily", "marts/daily.sql", ["marts"]],
      ["sales_by_country", "marts/sales/sales_by_country.sql", ["marts", "sales"]],
      ["stg_events", "staging/stg_events.sql", ["staging"]],
    ]);
    expect(project.models[2]!.text).toBe(fixture["staging/stg_events.sql"]);
    expect(project.models[2]!.absPath).toBe(`${dir}/staging/stg_events.sql`);
    expect(
      project.modelProperties.map((m) => [m.name, m.columns[0]!.tests.map((t) => t.name)]),
    ).toEqual([["stg_events", ["not_null", "unique"]]]);
    expect(project.modelProperties[0]!.at).toEqual(
      at("staging/schema.yml", properties, "name: stg_events"),
    );
    expect(project.sources.map((s) => `${s.sourceName}.${s.name}`)).toEqual(["raw.events"]);
    expect(project.seeds).toEqual([
      expect.objectContaining({
        name: "countries",
        path: "seeds/countries.csv",
        columns: ["country", "iso_code"],
        rows: [
          ["Côte d'Ivoire", "CI"],
          ["France", "FR"],
        ],
      }),
    ]);
    expect(project.macros.map((m) => m.path)).toEqual([
      "macros/cents.sql",
      "macros/util/dates.njk",
    ]);
    expect(project.singularTests.map((t) => [t.name, t.path])).toEqual([
      ["no_negative_prices", "tests/no_negative_prices.sql"],
    ]);
    expect(project.rules.map((r) => [r.name, r.text])).toEqual([
      ["events", fixture["rules/events.dqdl"]],
    ]);
  });

  it("reports invalid UTF-8 in every kind of project file at its first bad byte", async () => {
    const { project } = await load(fixture, {
      "staging/stg_events.sql": latin1("select 1 as n\n-- caf» au lait\n"),
      "staging/schema.yml": latin1(`${properties}# r»sum»\n`),
      "seeds/countries.csv": latin1("country,iso_code\nC»te d'Ivoire,CI\n"),
      "macros/cents.sql": latin1("{# »t» #}\n"),
      "tests/no_negative_prices.sql": latin1("select 1 where '»' = ''\n"),
      "rules/events.dqdl": latin1('Rules = [ IsComplete "»v" ]\n'),
    });
    expect(project.diagnostics.map((d) => [d.code, d.at?.file, d.at?.line, d.at?.column])).toEqual([
      ["INVALID_UTF8", "macros/cents.sql", 1, 4],
      ["INVALID_UTF8", "rules/events.dqdl", 1, 23],
      ["INVALID_UTF8", "seeds/countries.csv", 2, 2],
      ["INVALID_UTF8", "staging/schema.yml", 12, 4],
      ["INVALID_UTF8", "staging/stg_events.sql", 2, 7],
      ["INVALID_UTF8", "tests/no_negative_prices.sql", 1, 17],
    ]);
    expect(project.diagnostics[4]!.message).toBe(
      "staging/stg_events.sql is not valid UTF-8: byte 0xE9 cannot start or continue a character",
    );
    expect(project.diagnostics[4]!.hint).toBe("save the file as UTF-8");
  });

  it("reports a NUL byte in every kind of project file at its place", async () => {
    const { project } = await load(fixture, {
      "staging/stg_events.sql": Buffer.from("select 1 as n\n-- a\u0000b\n"),
      "staging/schema.yml": Buffer.from(`${properties}# \u0000\n`),
      "seeds/countries.csv": Buffer.from("country,iso_code\nX\u0000,CI\n"),
      "rules/events.dqdl": Buffer.from('Rules = [ IsComplete "v" ]\u0000\n'),
    });
    expect(project.diagnostics.map((d) => [d.code, d.at?.file, d.at?.line, d.at?.column])).toEqual([
      ["NUL_BYTE", "rules/events.dqdl", 1, 27],
      ["NUL_BYTE", "seeds/countries.csv", 2, 2],
      ["NUL_BYTE", "staging/schema.yml", 12, 3],
      ["NUL_BYTE", "staging/stg_events.sql", 2, 5],
    ]);
    expect(project.diagnostics.every((d) => d.severity === "error")).toBe(true);
    expect(project.diagnostics[3]!.message).toBe(
      "staging/stg_events.sql holds a NUL byte (U+0000): no SQL, YAML, DQDL or CSV text holds one",
    );
  });

  it("reports invalid UTF-8 in sluice.yml", async () => {
    const { project } = await load(fixture, { "sluice.yml": latin1(`# caf»\n${config}`) });
    expect(project.diagnostics.map((d) => [d.code, d.at])).toEqual([
      ["INVALID_UTF8", { file: "sluice.yml", line: 1, column: 6 }],
    ]);
  });

  it("with model-paths ['.'] it does not take seeds, macros or tests for models", async () => {
    const { project } = await load({
      ...fixture,
      "sluice.yml": config.replace("model-paths: [staging, marts]", "model-paths: ['.']"),
    });
    expect(project.diagnostics).toEqual([]);
    expect(project.models.map((m) => m.path)).toEqual([
      "marts/daily.sql",
      "marts/sales/sales_by_country.sql",
      "staging/stg_events.sql",
    ]);
    expect(project.modelProperties.map((m) => m.name)).toEqual(["stg_events"]);
  });

  it("is fine without optional folders", async () => {
    const { project } = await load({ "sluice.yml": config });
    expect(project.diagnostics).toEqual([]);
    expect(project.models).toEqual([]);
    expect(project.seeds).toEqual([]);
  });

  it("reports a missing sluice.yml", async () => {
    const { project } = await load({ "staging/x.sql": "select 1" });
    expect(project.diagnostics).toEqual([
      expect.objectContaining({ code: "CONFIG_NOT_FOUND", severity: "error" }),
    ]);
    expect(project.models).toEqual([]);
  });

  it("collects errors from every file and keeps loading", async () => {
    const badYaml = "version: 2\nmodels:\n  - name: [x\n";
    const badConfig = config.replace("+schema: staging", "+schema: staging\n    +tags: 3");
    const { project } = await load({
      ...fixture,
      "sluice.yml": badConfig,
      "staging/broken.yml": badYaml,
      "seeds/bad.csv": "a,b\n1,2\n3\n4,5\n",
      "seeds/empty.csv": "",
    });
    const rendered = project.diagnostics.map((d) => [d.code, d.at?.file, d.at?.line]);
    expect(rendered).toEqual([
      ["CONFIG_INVALID", "sluice.yml", at("sluice.yml", badConfig, "+tags: »3").line],
      ["SEED_INVALID", "seeds/bad.csv", 3],
      ["SEED_INVALID", "seeds/empty.csv", 1],
      ["YAML_SYNTAX", "staging/broken.yml", expect.any(Number)],
    ]);
    expect(project.diagnostics[0]!.message).toBe(
      "models.staging.+tags: expected a tag or a list of them, got number 3",
    );
    expect(project.models).toHaveLength(3);
    expect(project.seeds.map((s) => s.name)).toEqual(["countries"]);
    expect(project.modelProperties.map((m) => m.name)).toEqual(["stg_events"]);
  });

  it("loads a 300-model project in well under a second", async () => {
    const files: Record<string, string> = { "sluice.yml": config };
    for (let i = 0; i < 300; i++) files[`staging/f${i % 10}/m${i}.sql`] = `select ${i} as n\n`;
    const { dir } = await load(files);
    const start = performance.now();
    const project = await loadProject(dir);
    const ms = performance.now() - start;
    expect(project.models).toHaveLength(300);
    expect(ms).toBeLessThan(500);
  });
});

describe("loadProject of a dbt project", () => {
  it("says once that analyses are not compiled, at the first of them", async () => {
    const project = await writeProject({
      "dbt_project.yml": "name: shop\nprofile: shop\n",
      "profiles.yml":
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: dev.duckdb\n      schema: main\n",
      "models/m.sql": "select 1 as x\n",
      "analyses/b.sql": "select * from {{ ref('m') }}\n",
      "analyses/sub/a.sql": "select 2\n",
    });
    cleanup = project.cleanup;
    const loaded = await loadProject(project.dir, { env: { DBT_PROFILES_DIR: project.dir } });
    const said = loaded.diagnostics.filter((d) => /analyses/.test(d.message));
    expect(said.map((d) => [d.code, d.severity, d.at?.file, d.message])).toEqual([
      [
        "DBT_KEY_IGNORED",
        "warn",
        "analyses/b.sql",
        "sluice does not compile analyses: 2 files of analysis-paths not compiled (analyses/b.sql, analyses/sub/a.sql)",
      ],
    ]);
    expect(loaded.models.map((m) => m.name)).toEqual(["m"]);
  });
});
