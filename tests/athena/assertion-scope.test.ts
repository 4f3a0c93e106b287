import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startAthenaLocal, type AthenaLocal } from "@sluice/aws-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDailyOverwriteProject } from "../support/athena-local.js";
import { runSluice } from "../support/cli.js";

const env = { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", NODE_NO_WARNINGS: "1" };

interface TestResult {
  id: string;
  status: string;
  query_ids: string[];
  scope?: { kind: string; detail: string };
}

/** Rows of the model per run, as SQL VALUES: `(id, v, d)`, partitioned by `d`. */
const rows = (...r: [number, string, string][]) =>
  r.map(([id, v, d]) => `(${id}, '${v}', '${d}')`).join(", ");

/**
 * Assertion scopes on Athena, through `sluice athena-local` (real SDK clients): the partitions an
 * incremental build wrote are known from the run (the Glue partitions it published), and its
 * tests read only them; the DQDL rules of one scope run as one Athena query.
 */
describe("assertion scopes on the athena-local endpoint", () => {
  let root: string;
  let project: string;
  let local: AthenaLocal;
  const sluice = (...args: string[]) => runSluice(["--project-dir", project, ...args], { env });
  const tests = (stdout: string) =>
    new Map(
      (JSON.parse(stdout) as { results: TestResult[] }).results
        .filter((r) => r.id.startsWith("test."))
        .map((r) => [r.id, r]),
    );

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "sluice-scope-athena-"));
    const aws = path.join(root, "aws");
    project = path.join(root, "project");
    await mkdir(path.join(aws, "lake"), { recursive: true });
    await mkdir(path.join(aws, "results"));
    await mkdir(path.join(project, "rules"), { recursive: true });
    local = await startAthenaLocal({ dir: aws, latencyMs: 0 });
    await writeDailyOverwriteProject(project, "scoped", local.url);
    await writeFile(
      path.join(project, "models/daily.yml"),
      "version: 2\nmodels:\n  - name: daily\n    columns:\n      - name: v\n        tests:\n          - accepted_values:\n              values: [a, b, c]\n",
    );
    await writeFile(
      path.join(project, "rules/daily.dqdl"),
      'Rules = [ ColumnValues "v" in ["a", "b", "c"], IsComplete "v", RowCount > 0 ]\n',
    );
  }, 60_000);

  afterAll(async () => {
    await local?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("an old partition breaks the checks: the incremental build reads the partition it wrote and passes; --scope full fails", async () => {
    // First build: the whole table is new, read whole; the 2026-01-01 row breaks the checks.
    const first = await sluice(
      ...["build", "--format", "json", "--vars"],
      JSON.stringify({ rows: rows([1, "bad", "2026-01-01"], [2, "a", "2026-01-02"]) }),
    );
    expect(first.code).toBe(1);
    expect(tests(first.stdout).get("test.dq_daily_rule_1")).toMatchObject({
      status: "fail",
      scope: { kind: "full", detail: "the whole table (not written incrementally this run)" },
    });

    const next = await sluice(
      ...["build", "--format", "json", "--vars"],
      JSON.stringify({ rows: rows([3, "b", "2026-01-03"], [4, "c", "2026-01-03"]) }),
    );
    expect(next.stderr).toBe("");
    expect(next.code).toBe(0);
    const scoped = tests(next.stdout);
    const wrote = { kind: "incremental", detail: "1 partition of d written this run (2026-01-03)" };
    for (const id of [
      "test.accepted_values_daily_v",
      "test.dq_daily_rule_1",
      "test.dq_daily_rule_2",
    ])
      expect(scoped.get(id), id).toMatchObject({ status: "pass", scope: wrote });
    expect(scoped.get("test.dq_daily_rule_3")?.scope?.kind).toBe("full");
    // Rules 1 and 2 (same scope) are one Athena query; RowCount (whole table) is another.
    const queries = (ids: string[], from: Map<string, TestResult>) =>
      new Set(ids.flatMap((id) => from.get(id)?.query_ids ?? [])).size;
    const rules = ["test.dq_daily_rule_1", "test.dq_daily_rule_2", "test.dq_daily_rule_3"];
    expect(queries(rules, scoped)).toBe(2);

    const full = await sluice("test", "--scope", "full", "--format", "json");
    expect(full.code).toBe(1);
    const whole = tests(full.stdout);
    expect(whole.get("test.accepted_values_daily_v")?.status).toBe("fail");
    expect(whole.get("test.dq_daily_rule_1")?.status).toBe("fail");
    expect(whole.get("test.dq_daily_rule_2")?.status).toBe("pass");
    // The whole ruleset in one query.
    expect(queries(rules, whole)).toBe(1);
  });
});
