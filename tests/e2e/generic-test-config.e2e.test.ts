import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { compileProject, dialectFor } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice, readRunResults } from "../support/cli.js";
import { grammarErrors } from "../support/sql-grammar.js";

/**
 * Generic tests honour dbt's `where`, `limit`, `severity`, `warn_if` and `error_if`: built on
 * the local lake (statuses and failure counts against counts taken from the seed's bytes) and
 * compiled for Athena (every test statement parses under TrinoSQL).
 */
describe("generic test configs", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  // accepted_values [FR] on iso2: every other distinct code is one failing row.
  const test = (config: string) =>
    `          - accepted_values:\n              values: [FR]\n              config: ${config}\n`;
  const configs = [
    `{where: "iso2 like 'F%'"}`,
    "{limit: 5}",
    `{warn_if: ">30", error_if: ">40"}`,
    `{warn_if: ">=32", error_if: ">40"}`,
    `{severity: warn, error_if: "!=0"}`,
    `{where: "iso2 = 'FR'"}`,
  ];
  const names = configs.map((_, i) => `accepted_values_cfg_countries_iso2${i ? `_${i + 1}` : ""}`);
  let codes: string[];

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    await writeFile(
      path.join(dir, "marts/cfg_countries.sql"),
      "{{ config(materialized='table') }}\nselect country, iso2, iso3 from {{ ref('country_codes') }}\n",
    );
    await writeFile(
      path.join(dir, "marts/cfg.yml"),
      `version: 2\nmodels:\n  - name: cfg_countries\n    columns:\n      - name: iso2\n        tests:\n${configs.map(test).join("")}`,
    );
    const csv = await readFile(path.join(dir, "seeds/country_codes.csv"), "utf8");
    codes = csv
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",").at(-2)!);
  });
  afterAll(async () => cleanup());

  it("builds on the lake with dbt's statuses and failure counts", async () => {
    const r = await runSluice(["--project-dir", dir, "build", "-s", "+cfg_countries"]);
    expect(r.code, r.stdout + r.stderr).toBe(1); // two tests fail
    const runResults = (await readRunResults(dir)) as {
      results: { id: string; status: string; failures?: number; message: string }[];
    };
    const byName = new Map(runResults.results.map((x) => [x.id.replace(/^test\./, ""), x]));
    const distinct = new Set(codes).size;
    const f = new Set(codes.filter((c) => c.startsWith("F"))).size;
    expect(distinct).toBe(32);
    const expected: [string, number, string?][] = [
      ["fail", f - 1], // where: only F* codes are read
      ["fail", 5], // limit: at most 5 failing rows are counted
      ["warn", distinct - 1], // 31 > 30 but not > 40
      ["pass", distinct - 1, "pass: 31 failing rows, within warn_if '>=32', error_if '>40'"],
      ["warn", distinct - 1], // severity warn skips error_if
      ["pass", 0],
    ];
    expect(names.map((n) => [byName.get(n)?.status, byName.get(n)?.failures])).toEqual(
      expected.map(([status, failures]) => [status, failures]),
    );
    expect(byName.get(names[3]!)?.message).toBe(expected[3]![2]);
  });

  it("compiles for Athena: where and limit in the SQL, which parses under TrinoSQL", async () => {
    const project = await loadProject(dir);
    const compiled = compileProject(project, {
      targetName: "prod",
      runId: "20261203T000000Z_test",
      dialect: dialectFor(project.config.targets["prod"]!),
      env: {},
    });
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const nodes = names.map((n) => compiled.nodes.find((x) => x.id === `test.${n}`)!);
    expect(nodes[0]!.sql).toContain("where iso2 like 'F%'");
    expect(nodes[1]!.sql).toMatch(/LIMIT 5$/);
    expect(nodes[2]!.thresholds).toEqual({ warn_if: ">30", error_if: ">40" });
    for (const node of nodes)
      for (const s of node.statements) expect(grammarErrors(s), s.sql).toEqual([]);
  });

  it("a condition that is not one: exit 2 at its position; an unknown config key: a warning", async () => {
    const file = path.join(dir, "marts/cfg.yml");
    const original = await readFile(file, "utf8");
    const text = original
      .replace(`{limit: 5}`, `{limit: 5, store_failure: true}`)
      .replace(`{warn_if: ">30", error_if: ">40"}`, `{warn_if: "more than 30"}`);
    await writeFile(file, text);
    try {
      const r = await runSluice(["--project-dir", ".", "compile"], { cwd: dir });
      expect(r.code).toBe(2);
      const pos = (needle: string) => {
        const lines = text.slice(0, text.indexOf(needle)).split("\n");
        return `marts/cfg.yml:${lines.length}:${lines.at(-1)!.length + 1}`;
      };
      expect(r.stderr).toContain(
        `${pos('"more than 30"')}: error TEST_INVALID: models[0].columns[0].tests[2].accepted_values.config.warn_if: warn_if must be a condition on the failure count, got 'more than 30'\n  hint: a comparison with the number of failures: '!=0', '>0', '>=10', '=0', 'between 5 and 10'`,
      );
      expect(r.stderr).toContain(
        `${pos("store_failure")}: warn TEST_INVALID: models[0].columns[0].tests[1].accepted_values.config.store_failure: test config 'store_failure' is not supported: it is ignored`,
      );
    } finally {
      await writeFile(file, original);
    }
  });
});
