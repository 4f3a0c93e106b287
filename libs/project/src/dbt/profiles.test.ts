import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics.js";
import { findProfilesFile, parseProfiles } from "./profiles.js";

const profiles = `shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('SHOP_DB', 'dev.duckdb') }}"
      schema: main
      threads: "{{ env_var('SHOP_THREADS', '2') | int }}"
      extensions: [httpfs]
    prod:
      type: athena
      s3_staging_dir: s3://results/
      s3_data_dir: "s3://{{ env_var('SHOP_BUCKET') }}/data/"
      region_name: eu-west-1
      database: awsdatacatalog
      schema: shop
      aws_profile_name: analytics
    bad:
      type: postgres
      schema: x
`;

const parse = (env: Record<string, string>, profile = "shop") => {
  const diagnostics: Diagnostic[] = [];
  const loaded = parseProfiles(profiles, "profiles.yml", profile, env, diagnostics);
  return { loaded, diagnostics };
};

describe("parseProfiles", () => {
  it("maps duckdb and athena outputs, rendering env_var() with defaults and filters", () => {
    const { loaded } = parse({ SHOP_BUCKET: "lake" });
    expect(loaded?.defaultTarget).toBe("dev");
    expect(loaded?.targets["dev"]).toEqual({
      engine: "duckdb",
      lake: "dev.lake",
      threads: 2,
      schema: "main",
      sql_dialect: "duckdb",
    });
    expect(loaded?.targets["prod"]).toEqual({
      engine: "athena",
      region: "eu-west-1",
      workgroup: "primary",
      s3_staging_dir: "s3://results/",
      s3_lake_root: "s3://lake/data",
      databases: {},
      threads: 1,
      schema: "shop",
      profile: "analytics",
    });
    expect(
      parse({ SHOP_BUCKET: "l", SHOP_DB: "/data/x.duckdb" }).loaded?.targets["dev"],
    ).toMatchObject({
      lake: "/data/x.lake",
    });
  });

  it("warns about adapter keys it does not apply and refuses adapters it has no engine for", () => {
    const { diagnostics } = parse({ SHOP_BUCKET: "lake" });
    expect(diagnostics.map((d) => [d.severity, d.code, d.at?.line, d.message])).toEqual([
      ["warn", "DBT_KEY_IGNORED", 9, "dbt-duckdb output key 'extensions' is not applied by sluice"],
      ["error", "PROFILE_INVALID", 19, "output type 'postgres' is not one sluice runs on"],
    ]);
  });

  it("poll_interval (seconds, as dbt-athena reads it) becomes the target's; a bad one is an error at it", () => {
    const withPoll = (v: string) =>
      profiles.replace("aws_profile_name: analytics", `poll_interval: ${v}`);
    const read = (text: string) => {
      const diagnostics: Diagnostic[] = [];
      const loaded = parseProfiles(text, "profiles.yml", "shop", { SHOP_BUCKET: "l" }, diagnostics);
      return { target: loaded?.targets["prod"], diagnostics };
    };
    expect(read(withPoll("0.5")).target).toMatchObject({ poll_interval: 0.5 });
    expect(read(withPoll("\"{{ env_var('POLL', '2') }}\"")).target).toMatchObject({
      poll_interval: 2,
    });
    const bad = read(withPoll("0"));
    expect(bad.target).toBeUndefined();
    expect(bad.diagnostics.filter((d) => d.severity === "error")[0]).toMatchObject({
      code: "PROFILE_INVALID",
      message: "poll_interval: '0' is not a number of seconds in (0, 60]",
      at: { file: "profiles.yml", line: 17 },
      hint: expect.stringContaining("poll_interval: 1"),
    });
  });

  it("num_retries is warned about at its key: sluice's own retry policy applies", () => {
    const text = profiles.replace("aws_profile_name: analytics", "num_retries: 3");
    const diagnostics: Diagnostic[] = [];
    parseProfiles(text, "profiles.yml", "shop", { SHOP_BUCKET: "l" }, diagnostics);
    expect(diagnostics.find((d) => d.message.includes("num_retries"))).toMatchObject({
      code: "DBT_KEY_IGNORED",
      severity: "warn",
      message: "dbt-athena output key 'num_retries' is not applied by sluice",
      at: { file: "profiles.yml", line: 17 },
      hint: expect.stringContaining("Retryable"),
    });
  });

  it("an unset env_var() without a default is an error at the value", () => {
    const { diagnostics, loaded } = parse({});
    expect(loaded?.targets["prod"]).toBeUndefined();
    expect(diagnostics).toContainEqual({
      code: "PROFILE_INVALID",
      severity: "error",
      message: "env_var('SHOP_BUCKET'): the environment variable is not set and has no default",
      at: { file: "profiles.yml", line: 13, column: 20 },
      hint: "export SHOP_BUCKET, or give a default: env_var('SHOP_BUCKET', '...')",
    });
  });

  it("an unknown profile names the defined ones", () => {
    const { diagnostics, loaded } = parse({}, "shopp");
    expect(loaded).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({
      code: "PROFILE_INVALID",
      message: "profile 'shopp' is not defined in profiles.yml",
      hint: "did you mean 'shop'?",
    });
  });
});

describe("findProfilesFile", () => {
  it("searches --profiles-dir, DBT_PROFILES_DIR, the project, then ~/.dbt", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "sluice-profiles-"));
    const dirs = ["flag", "envdir", "project", "home/.dbt"].map((d) => path.join(root, d));
    for (const d of dirs) {
      await mkdir(d, { recursive: true });
      await writeFile(path.join(d, "profiles.yml"), "x: {}\n");
    }
    const [flag, envdir, project] = dirs as [string, string, string];
    const home = path.join(root, "home");
    const env = { DBT_PROFILES_DIR: envdir };
    expect(findProfilesFile(project, { profilesDir: flag, env, home })).toEqual({
      file: path.join(flag, "profiles.yml"),
    });
    expect(findProfilesFile(project, { env, home })).toEqual({
      file: path.join(envdir, "profiles.yml"),
    });
    expect(findProfilesFile(project, { env: {}, home })).toEqual({
      file: path.join(project, "profiles.yml"),
    });
    expect(findProfilesFile(root, { env: {}, home })).toEqual({
      file: path.join(home, ".dbt", "profiles.yml"),
    });
    expect(findProfilesFile(project, { profilesDir: root, env: {}, home })).toEqual({
      missing: path.join(root, "profiles.yml"),
      explicit: true,
    });
  });
});
