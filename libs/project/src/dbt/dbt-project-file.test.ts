import { describe, expect, it } from "vitest";
import { dbtProjectProfile, parseDbtProject } from "./dbt-project-file.js";

const text = `name: shop
version: '1.0.0'
config-version: 2
profile: shop
clean-targets: [target]
model-paths: [transform]
on-run-start: ["create schema if not exists x"]
model-path: [typo]
vars:
  start: '2024-01-01'
  shop:
    scoped: 1
models:
  shop:
    staging:
      materialized: view
      +schema: staging
      +grants:
        select: [reporter]
    marts:
      +materialized: table
      tags: [marts]
      +docs: {show: false}
`;

describe("parseDbtProject", () => {
  const parsed = parseDbtProject(text);

  it("reads name, paths, vars (scoped ones too) and profile", () => {
    expect(parsed.usable).toBe(true);
    expect(dbtProjectProfile(text)).toBe("shop");
    expect(parsed.config.name).toBe("shop");
    expect(parsed.config["model-paths"]).toEqual(["transform"]);
    expect(parsed.config.vars).toEqual({ start: "2024-01-01", scoped: 1 });
    expect(parsed.config["sql-dialect"]).toBe("duckdb");
  });

  it("reads folder config under the project name, with and without '+'", () => {
    const shop = parsed.config.models.children["shop"]!;
    expect(shop.children["staging"]!.config).toEqual({ materialized: "view", schema: "staging" });
    expect(shop.children["marts"]!.config).toEqual({ materialized: "table", tags: ["marts"] });
  });

  it("warns at their position about keys with an effect sluice does not apply; inert keys pass", () => {
    const warnings = parsed.diagnostics.filter((d) => d.severity === "warn");
    expect(warnings.map((d) => [d.code, d.at?.line, d.at?.column, d.message])).toEqual([
      [
        "DBT_KEY_IGNORED",
        18,
        7,
        "'+grants' is not applied by sluice: sluice does not grant privileges; grant them outside the build",
      ],
      [
        "DBT_KEY_IGNORED",
        7,
        1,
        "'on-run-start' is not applied by sluice: sluice does not run on-run-start hooks; move the SQL into a model's pre_hook",
      ],
    ]);
  });

  it("an unknown key is an error at the key with the closest one", () => {
    const errors = parsed.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toEqual([
      {
        code: "DBT_PROJECT_INVALID",
        severity: "error",
        message: "dbt_project.yml: unknown key 'model-path'",
        at: { file: "dbt_project.yml", line: 8, column: 1 },
        hint: "did you mean 'model-paths'?",
      },
    ]);
  });

  it("a file without a usable name is an error at the key", () => {
    const bad = parseDbtProject("name: 'my shop'\nprofile: x\n");
    expect(bad.diagnostics[0]).toMatchObject({
      code: "DBT_PROJECT_INVALID",
      at: { line: 1, column: 7 },
    });
  });
});

describe("parseDbtProject's config values", () => {
  const project = (models: string) =>
    `name: shop\nprofile: shop\nmodels:\n  shop:\n    marts:\n${models}`;

  it("renders env_var() as dbt does at parse, and leaves hooks for their model", () => {
    const parsed = parseDbtProject(
      project(
        `      +schema: "{{ env_var('MARTS', 'marts') }}"\n` +
          `      +post-hook: "analyze {{ this }}"\n`,
      ),
      undefined,
      { MARTS: "from_env" },
    );
    expect(parsed.diagnostics).toEqual([]);
    const marts = parsed.config.models.children["shop"]!.children["marts"]!.config;
    expect(marts).toEqual({ schema: "from_env", post_hook: ["analyze {{ this }}"] });
    const fallback = parseDbtProject(project(`      +schema: "{{ env_var('MARTS', 'marts') }}"\n`));
    expect(fallback.config.models.children["shop"]!.children["marts"]!.config.schema).toBe("marts");
  });

  it("renders var() from the project's vars, --vars over them, a default, keeping a whole value's type", () => {
    const withVars = (models: string) =>
      `name: shop\nprofile: shop\nvars:\n  team: growth\n  owners: [ana, bo]\n  shop:\n    gold: true\n` +
      `models:\n  shop:\n    marts:\n${models}`;
    const marts = (parsed: ReturnType<typeof parseDbtProject>) =>
      parsed.config.models.children["shop"]!.children["marts"]!.config;
    const yaml = withVars(
      `      +tags: ["{{ var('team') }}", "{{ var('tier', 'bronze') }}"]\n` +
        `      +schema: "marts_{{ var('team') }}"\n` +
        `      +enabled: "{{ var('gold') }}"\n` +
        `      +meta: {owners: "{{ var('owners') }}"}\n`,
    );
    const parsed = parseDbtProject(yaml);
    expect(parsed.diagnostics).toEqual([]);
    expect(marts(parsed)).toEqual({
      tags: ["growth", "bronze"],
      schema: "marts_growth",
      enabled: true,
      meta: { owners: ["ana", "bo"] },
    });
    // --vars win over the file's, as in dbt.
    const overridden = parseDbtProject(yaml, undefined, {}, { team: "ops", tier: "gold" });
    expect([marts(overridden).tags, marts(overridden).schema]).toEqual([
      ["ops", "gold"],
      "marts_ops",
    ]);
    // Not defined anywhere, no default: an error at the value, with the ways out.
    const missing = parseDbtProject(withVars(`      +schema: "{{ var('nope') }}"\n`));
    expect(missing.diagnostics.map((d) => [d.code, d.at?.line, d.message, d.hint])).toEqual([
      [
        "DBT_PROJECT_INVALID",
        11,
        "var('nope'): no such variable in the project's vars or --vars, and no default",
        "define it under vars: in dbt_project.yml, pass --vars '{nope: ...}', or give a default: var('nope', '...')",
      ],
    ]);
  });

  const marts = (parsed: ReturnType<typeof parseDbtProject>) =>
    parsed.config.models.children["shop"]!.children["marts"]!.config;
  const target = { name: "prod", schema: "analytics", type: "athena", threads: 4 };

  it("renders expressions of target, var() and env_var() as dbt does, keeping a whole value's type", () => {
    const yaml = project(
      `      +materialized: "{{ 'table' if target.name == 'prod' else 'view' }}"\n` +
        `      +enabled: "{{ target.name in ['prod', 'ci'] }}"\n` +
        `      +schema: "{{ target.schema ~ '_' ~ var('team', 'core') | upper }}"\n` +
        `      +tags: ["{{ target.type }}", "t{{ target.threads }}", "{{ env_var('TIER', 'bronze') if target.name == 'prod' }}"]\n`,
    );
    const prod = parseDbtProject(yaml, undefined, { TIER: "gold" }, {}, target);
    expect(prod.diagnostics).toEqual([]);
    expect(marts(prod)).toEqual({
      materialized: "table",
      enabled: true,
      schema: "analytics_CORE",
      tags: ["athena", "t4", "gold"],
    });
    const dev = parseDbtProject(yaml, undefined, {}, { team: "x" }, { ...target, name: "dev" });
    expect(dev.diagnostics).toEqual([]);
    expect([marts(dev).materialized, marts(dev).enabled, marts(dev).schema]).toEqual([
      "view",
      false,
      "analytics_X",
    ]);
  });

  it("an expression that fails is an error at its value, never a literal tag or schema", () => {
    const errors = (line: string, t?: Record<string, unknown>) =>
      parseDbtProject(project(line), undefined, {}, {}, t).diagnostics.map((d) => [
        d.code,
        d.at?.line,
        d.at?.column,
        d.message,
      ]);
    expect(errors(`      +tags: ["{{ target.nmae }}"]\n`, target)).toEqual([
      [
        "DBT_PROJECT_INVALID",
        6,
        15,
        "cannot render '{{ target.nmae }}': target has no 'nmae'; did you mean 'name'?",
      ],
    ]);
    // One error per mistake: the value is dropped, not checked again as written.
    const misspelt =
      "cannot render '{{ target.nmae }}': target has no 'nmae'; did you mean 'name'?";
    expect(errors(`      +materialized: "{{ target.nmae }}"\n`, target)).toEqual([
      ["DBT_PROJECT_INVALID", 6, 22, misspelt],
    ]);
    expect(errors(`      +tags: [a, "{{ target.nmae }}"]\n`, target)).toEqual([
      ["DBT_PROJECT_INVALID", 6, 18, misspelt],
    ]);
    expect(errors(`      +schema: "{{ var('nope') ~ target.name }}"\n`, target)).toEqual([
      [
        "DBT_PROJECT_INVALID",
        6,
        16,
        "cannot render '{{ var('nope') ~ target.name }}': var('nope'): no such variable in the project's vars or --vars, and no default",
      ],
    ]);
    expect(errors(`      +schema: "{{ target.name == }}"\n`, target)[0]![3]).toMatch(
      /^cannot render '\{\{ target.name == \}\}': unexpected token/,
    );
    // No target known (a parse without a profile): an error, not an empty value.
    expect(errors(`      +tags: ["{{ target.name }}"]\n`)).toEqual([
      ["DBT_PROJECT_INVALID", 6, 15, "cannot render '{{ target.name }}': it is undefined"],
    ]);
  });
});
