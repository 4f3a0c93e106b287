import { describe, expect, it } from "vitest";
import { at } from "../test/support.js";
import { formatDiagnostic } from "./diagnostics.js";
import { parseProjectConfig } from "./project-config.js";

const valid = `name: shop
model-paths: [staging, silver]
vars:
  lookback_hours: 3
models:
  +materialized: view
  staging:
    +schema: staging
    +tags: nightly
  silver:
    +materialized: table
    +partitioned_by: [event_date]
    events:
      +incremental_strategy: insert_overwrite
targets:
  local:
    engine: duckdb
  prod:
    engine: athena
    region: eu-west-1
    s3_staging_dir: s3://results/athena/
    s3_lake_root: s3://lake/
    databases: { silver: ecommerce_silver }
default-target: local
`;

const codes = (text: string) => parseProjectConfig(text).diagnostics;

describe("parseProjectConfig", () => {
  it("applies defaults and parses the +key folder tree", () => {
    const { config, diagnostics, usable } = parseProjectConfig(valid);
    expect(diagnostics).toEqual([]);
    expect(usable).toBe(true);
    expect(config.name).toBe("shop");
    expect(config["model-paths"]).toEqual(["staging", "silver"]);
    expect(config["seed-paths"]).toEqual(["seeds"]);
    expect(config["rule-paths"]).toEqual(["rules"]);
    expect(config.vars).toEqual({ lookback_hours: 3 });
    expect(config.models).toEqual({
      config: { materialized: "view" },
      children: {
        staging: {
          config: { schema: "staging", tags: ["nightly"] },
          children: {},
          at: { file: "sluice.yml", line: 7, column: 3 },
        },
        silver: {
          config: { materialized: "table", partitioned_by: ["event_date"] },
          at: { file: "sluice.yml", line: 10, column: 3 },
          children: {
            events: {
              config: { incremental_strategy: "insert_overwrite" },
              children: {},
              at: { file: "sluice.yml", line: 13, column: 5 },
            },
          },
        },
      },
    });
    expect(config.targets.local).toEqual({ engine: "duckdb", lake: ".lake", threads: 4 });
    expect(config.targets.prod).toEqual({
      engine: "athena",
      region: "eu-west-1",
      workgroup: "primary",
      s3_staging_dir: "s3://results/athena/",
      s3_lake_root: "s3://lake/",
      databases: { silver: "ecommerce_silver" },
      threads: 4,
    });
    expect(config["default-target"]).toBe("local");
  });

  it("treats empty values as defaults", () => {
    const { config, diagnostics } = parseProjectConfig(
      "name: x\nvars:\nmodels:\ntargets: {l: {engine: duckdb}}\ndefault-target: l\n",
    );
    expect(diagnostics).toEqual([]);
    expect(config.vars).toEqual({});
    expect(config.models).toEqual({ config: {}, children: {} });
  });

  it("reports a typo'd key at the key, with the closest valid key", () => {
    const text = valid.replace("    region: eu-west-1", "    regoin: eu-west-1");
    const d = codes(text);
    expect(d).toContainEqual({
      code: "CONFIG_INVALID",
      severity: "error",
      message: "targets.prod.regoin: unknown key 'regoin'",
      at: at("sluice.yml", text, "regoin"),
      hint: "did you mean 'region'?",
    });
    // and the now-missing required key, at its parent's key
    expect(d).toContainEqual(
      expect.objectContaining({
        message: "targets.prod: missing required key 'region'",
        at: at("sluice.yml", text, "prod:"),
      }),
    );
  });

  it("reports a wrong type at the value", () => {
    const text = valid.replace("    engine: duckdb", "    engine: duckdb\n    threads: many");
    expect(codes(text)).toEqual([
      expect.objectContaining({
        message: "targets.local.threads: expected a number, got 'many'",
        at: at("sluice.yml", text, "many"),
      }),
    ]);
  });

  it("lists allowed values for an enum and suggests the closest", () => {
    const text = valid.replace("+materialized: table", "+materialized: tabel");
    const [d] = codes(text);
    expect(formatDiagnostic(d!)).toBe(
      `sluice.yml:${at("sluice.yml", text, "tabel").line}:${at("sluice.yml", text, "tabel").column}: error CONFIG_INVALID: ` +
        "models.silver.+materialized: 'tabel' is not an allowed value\n" +
        "  hint: did you mean 'table'? allowed values: view, table, incremental, ephemeral, snapshot",
    );
  });

  it("reports a bad engine with the allowed engines", () => {
    const text = valid.replace("engine: duckdb", "engine: duck");
    expect(codes(text)).toEqual([
      expect.objectContaining({
        message: "targets.local.engine: 'duck' is not an allowed value",
        at: at("sluice.yml", text, "duck\n"),
        hint: "did you mean 'duckdb'? allowed values: duckdb, athena",
      }),
    ]);
  });

  it("checks s3:// urls", () => {
    const text = valid.replace("s3://lake/", "https://lake/");
    expect(codes(text)).toEqual([
      expect.objectContaining({
        message: "targets.prod.s3_lake_root: must start with 's3://', got 'https://lake/'",
        at: at("sluice.yml", text, "https://lake/"),
      }),
    ]);
  });

  it("poll_interval: seconds in (0, 60], read as dbt-athena's; anything else at the value", () => {
    const withPoll = (v: string) =>
      valid.replace("    region: eu-west-1", `    region: eu-west-1\n    poll_interval: ${v}`);
    const ok = parseProjectConfig(withPoll("0.01"));
    expect(ok.diagnostics).toEqual([]);
    expect(ok.config?.targets["prod"]).toMatchObject({ poll_interval: 0.01 });
    for (const bad of ["0", "-1", "61", "fast"]) {
      const text = withPoll(bad);
      expect(codes(text).map((d) => [d.message, d.at?.line])).toEqual([
        [
          bad === "fast"
            ? "targets.prod.poll_interval: expected a number, got 'fast'"
            : "targets.prod.poll_interval: must be seconds above 0 and at most 60: leave it out for 0.1, or e.g. 0.01 for athena-local",
          at("sluice.yml", text, "poll_interval").line,
        ],
      ]);
    }
  });

  it("a lake that would hold the project or the disk: at the key, given the project folder", () => {
    const withLake = (lake: string) =>
      valid.replace("    engine: duckdb", `    engine: duckdb\n    lake: ${lake}`);
    const dir = "/home/ana/shop/models";
    const problems = (lake: string) =>
      parseProjectConfig(withLake(lake), "sluice.yml", dir).diagnostics.map((d) => d.message);
    for (const [lake, why] of <[string, string][]>[
      ["/", "the root of the file system"],
      [".", "the project folder itself"],
      ["./", "the project folder itself"],
      ["..", "a folder that holds the project"],
      ["/home", "a folder that holds the project"],
      ["../../../../..", "the root of the file system"],
    ])
      expect(problems(lake), lake).toEqual([
        `targets.local.lake: '${lake}' is ${why}: the lake writes its catalog and a folder per schema there, and removes old table versions from them`,
      ]);
    // A folder of its own: inside the project, beside it, elsewhere; a name that only starts
    // like the project's folder.
    for (const lake of [".lake", "../lake", "/data/lake", "/home/ana/shop/models-lake"])
      expect(problems(lake), lake).toEqual([]);
    const text = withLake("/");
    const [d] = parseProjectConfig(text, "sluice.yml", dir).diagnostics;
    expect(d).toMatchObject({
      code: "CONFIG_INVALID",
      at: at("sluice.yml", text, "    lake: »/"),
      hint: "give the lake a folder of its own, e.g. lake: .lake",
    });
    // A ? anywhere in the lake's path, the project's folder included (DuckDB's).
    expect(
      parseProjectConfig(withLake(".lake"), "sluice.yml", "/home/ana/what? shop").diagnostics.map(
        (x) => x.message,
      ),
    ).toEqual([
      "targets.local.lake: '.lake' is in a path with a '?' (/home/ana/what? shop/.lake): DuckDB reads what follows a '?' in a database path as options, and cannot keep the lake's catalog there",
    ]);
    // Without the project folder (a text checked alone): not checked.
    expect(codes(withLake("/"))).toEqual([]);
  });

  it("names the defined targets when default-target is unknown", () => {
    const text = valid.replace("default-target: local", "default-target: staging");
    expect(codes(text)).toEqual([
      {
        code: "CONFIG_INVALID",
        severity: "error",
        message: "default-target: 'staging' is not a defined target",
        at: at("sluice.yml", text, "default-target: »staging"),
        hint: "defined targets: local, prod",
      },
    ]);
  });

  it("suggests +key for a folder config key and the closest key for a +typo", () => {
    const text = valid.replace(
      "    +schema: staging",
      "    +shema: staging\n    materialized: view",
    );
    const d = codes(text);
    expect(d).toEqual([
      expect.objectContaining({
        message:
          "models.staging.materialized: expected a mapping of '+config' keys and sub-folders, got 'view'",
        at: at("sluice.yml", text, "view", 1),
        hint: "config keys start with '+': did you mean '+materialized'?",
      }),
      expect.objectContaining({
        severity: "warn",
        code: "CONFIG_KEY_UNKNOWN",
        message:
          "unknown model config key '+shema' in sluice.yml models.staging: sluice does not read it",
        at: at("sluice.yml", text, "+shema"),
        hint: "did you mean '+schema'?",
      }),
    ]);
  });

  it("a misspelled engine does not hide the target's other mistakes", () => {
    const text = `name: shop
targets:
  local:
    engine: duckdbb
    threads: abc
default-target: local
`;
    expect(codes(text).map((x) => [x.message, x.at?.line, x.at?.column])).toEqual([
      ["targets.local.engine: 'duckdbb' is not an allowed value", 4, 13],
      ["targets.local.threads: expected a number, got 'abc'", 5, 14],
    ]);
  });

  it("collects every error instead of stopping at the first", () => {
    const text = `nme: shop
model-paths: staging
targets:
  local: {engine: duckdb, lake: 3}
default-target: local
`;
    const d = codes(text);
    expect(d.map((x) => [x.message, x.at?.line, x.at?.column])).toEqual([
      ["missing required key 'name'", 1, 1],
      ["model-paths: expected a list, got 'staging'", 2, 14],
      ["targets.local.lake: expected a string, got number 3", 4, 33],
      ["nme: unknown key 'nme'", 1, 1],
    ]);
    expect(d[3]!.hint).toBe("did you mean 'name'?");
  });

  it("gives YAML syntax errors with their position", () => {
    const text = "name: shop\ntargets:\n  local: {engine: duckdb\ndefault-target: local\n";
    const { diagnostics, usable } = parseProjectConfig(text);
    expect(usable).toBe(false);
    expect(diagnostics[0]).toMatchObject({ code: "YAML_SYNTAX", at: { file: "sluice.yml" } });
    expect(diagnostics[0]!.at!.line).toBeGreaterThanOrEqual(3);
  });

  it("rejects a file that is not a mapping", () => {
    expect(codes("- a\n- b\n")).toEqual([
      expect.objectContaining({
        code: "CONFIG_INVALID",
        message: "sluice.yml must be a mapping of settings; it is not a mapping",
      }),
    ]);
  });
});
