import { describe, expect, it } from "vitest";
import { parseYaml } from "../yaml-source.js";
import type { Diagnostic } from "../diagnostics.js";
import type { GenericTestSpec } from "../types.js";
import {
  applyTestConfig,
  foldersUnder,
  parseDbtTestConfig,
  resolveTestConfig,
} from "./dbt-test-config.js";

const text = `data_tests:
  +tags: every
  +meta: {owner: data}
  shop:
    severity: warn
    +where: "amount > 0"
    staging:
      +enabled: false
      +tags: [staging]
      +meta: {team: core}
    marts:
      +limit: 10
      +warn_if: ">5"
      +error_if: "> 50"
      +store_failures: true
      +fail_calc: "sum(n)"
      +severty: error
  utils:
    +severity: loud
    +limit: ten
`;

describe("dbt_project.yml data_tests:", () => {
  const diagnostics: Diagnostic[] = [];
  const source = parseYaml(text, "dbt_project.yml");
  const data = source.data as Record<string, unknown>;
  const tree = parseDbtTestConfig(data.data_tests, source, ["data_tests"], diagnostics);

  it("merges top level, project, folder: deeper values replace, tags add up, meta merges", () => {
    expect(resolveTestConfig(tree, ["shop", "staging"])).toEqual({
      tags: ["every", "staging"],
      meta: { owner: "data", team: "core" },
      severity: "warn",
      where: "amount > 0",
      enabled: false,
    });
    expect(resolveTestConfig(tree, ["shop", "marts", "deeper"])).toEqual({
      tags: ["every"],
      meta: { owner: "data" },
      severity: "warn",
      where: "amount > 0",
      limit: 10,
      warn_if: ">5",
      error_if: "> 50",
      store_failures: true,
    });
    // Another package's tests get only the top level.
    expect(resolveTestConfig(tree, ["other", "staging"])).toEqual({
      tags: ["every"],
      meta: { owner: "data" },
    });
  });

  it("bad values are errors at the value; keys not applied and typos are warnings at the key", () => {
    expect(
      diagnostics.map((d) => [d.severity, d.code, d.at?.line, d.at?.column, d.message]),
    ).toEqual([
      [
        "warn",
        "DBT_KEY_IGNORED",
        16,
        7,
        "'+fail_calc' is not applied by sluice: sluice counts failing rows (count(*))",
      ],
      ["warn", "DBT_KEY_IGNORED", 17, 7, "'+severty' is not a test config: it is ignored"],
      ["error", "DBT_PROJECT_INVALID", 19, 16, "'+severity' must be 'warn' or 'error', got 'loud'"],
      [
        "error",
        "DBT_PROJECT_INVALID",
        20,
        13,
        "'+limit': limit must be a whole number of rows, got 'ten'",
      ],
    ]);
    expect(diagnostics[1]!.hint).toBe("did you mean '+severity'?");
  });

  it("a test's own config wins over the project's; disabled tests are dropped", () => {
    const spec: GenericTestSpec = {
      name: "unique",
      args: {},
      severity: "error",
      config: { severity: "error", tags: ["mine"], limit: 1 },
      at: { file: "models/marts/schema.yml", line: 3, column: 5 },
    };
    const project = resolveTestConfig(tree, ["shop", "marts"]);
    expect(applyTestConfig(spec, project)).toMatchObject({
      severity: "error",
      config: { severity: "error", tags: ["every", "mine"], limit: 1, where: "amount > 0" },
    });
    const { config: _own, ...plain } = spec;
    expect(applyTestConfig({ ...plain, severity: "error" }, project)?.severity).toBe("warn");
    expect(applyTestConfig(spec, resolveTestConfig(tree, ["shop", "staging"]))).toBeUndefined();
    expect(
      applyTestConfig({ ...spec, config: { enabled: true } }, { enabled: false }),
    ).toBeDefined();
  });

  it("folders are counted from the root holding the file", () => {
    expect(foldersUnder("models/staging/x/schema.yml", ["seeds", "models/"])).toEqual([
      "staging",
      "x",
    ]);
    expect(foldersUnder("tests/a.sql", ["tests"])).toEqual([]);
  });
});
