import { writeFile } from "node:fs/promises";
import path from "node:path";
import { compileProject, dialectFor } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";
import { grammarErrors } from "../support/sql-grammar.js";

/**
 * not_null and accepted_values tests of one model are counted in one scan; each keeps its own
 * failure count (dbt's: failing rows for not_null, failing values for accepted_values), checked
 * here against counts made by hand, and against each test's own query.
 */
describe("generic tests sharing one scan", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  // 6 rows: a NULL twice, b NULL once; c takes x (accepted), y twice and z (two values rejected).
  const rows =
    "(1, 'x', 'x'), (null, 'x', 'y'), (3, null, 'y'), (null, 'x', 'z'), (5, 'x', null), (6, 'x', 'x')";
  const expected: Record<string, number> = {
    not_null_scan_fixture_a: 2,
    not_null_scan_fixture_b: 1,
    accepted_values_scan_fixture_c: 2,
    accepted_values_scan_fixture_b: 0,
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    await writeFile(
      path.join(dir, "marts/scan_fixture.sql"),
      `{{ config(materialized='table') }}\nselect * from (values ${rows}) as t(a, b, c)\n`,
    );
    await writeFile(
      path.join(dir, "marts/scan_fixture.yml"),
      [
        "version: 2",
        "models:",
        "  - name: scan_fixture",
        "    columns:",
        "      - name: a",
        "        tests: [not_null]",
        "      - name: b",
        "        tests: [not_null, {accepted_values: {values: [x]}}]",
        "      - name: c",
        "        tests: [{accepted_values: {values: [x]}}]",
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => cleanup());

  it("each test keeps its own failure count; the counts equal the tests' own queries", async () => {
    const r = await runSluice([
      "--project-dir",
      dir,
      "build",
      "-s",
      "scan_fixture",
      "--format",
      "json",
    ]);
    expect(r.code).toBe(1);
    const results = (JSON.parse(r.stdout) as { results: { id: string; failures?: number }[] })
      .results;
    const got = Object.fromEntries(
      results.filter((x) => x.id.startsWith("test.")).map((x) => [x.id.slice(5), x.failures]),
    );
    expect(got).toEqual(expected);
    // The tests' own failing-rows queries, one at a time, count the same.
    const project = await loadProject(dir);
    const compiled = compileProject(project, {
      targetName: "local",
      runId: "t",
      dialect: dialectFor(project.config.targets["local"]!),
      env: {},
    });
    for (const name of Object.keys(expected)) {
      const node = compiled.nodes.find((n) => n.id === `test.${name}`)!;
      expect(node.assertion).toMatchObject({
        kind: "failing_rows",
        shared: { sql: expect.any(String) },
      });
      const own = await runSluice([
        ...["--project-dir", dir, "query", "--format", "json"],
        `select count(*) as n from (${node.sql}) as t`,
      ]);
      expect((JSON.parse(own.stdout) as { n: number }[])[0]!.n, name).toBe(expected[name]);
    }
  });

  it("on Athena the shared scan parses as Trino SQL", async () => {
    const project = await loadProject(dir);
    const compiled = compileProject(project, {
      targetName: "prod",
      runId: "t",
      dialect: dialectFor(project.config.targets["prod"]!),
      env: {},
    });
    const scans = new Set(
      compiled.nodes.flatMap((n) =>
        n.assertion?.kind === "failing_rows" && n.assertion.shared ? [n.assertion.shared.sql] : [],
      ),
    );
    expect(scans.size).toBeGreaterThan(1); // scan_fixture, silver.events, ...
    for (const sql of scans) expect(grammarErrors({ sql, grammar: "trino" })).toEqual([]);
  });
});
