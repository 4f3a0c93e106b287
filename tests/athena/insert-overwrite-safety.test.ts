import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startAthenaLocal, type AthenaLocal, type FaultPlan } from "@sluice/aws-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDailyOverwriteProject } from "../support/athena-local.js";
import { runSluice } from "../support/cli.js";
import { grammarErrors } from "../support/sql-grammar.js";

const env = { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", NODE_NO_WARNINGS: "1" };
const RETIRED = "sluice_retired_locations";
const EXPIRING = "sluice_expiring";

/** Rows of the model per run, as SQL VALUES: `(id, v, d)`, partitioned by `d`. */
const rows = (...r: [number, string, string][]) =>
  r.map(([id, v, d]) => `(${id}, '${v}', '${d}')`).join(", ");

/**
 * insert_overwrite on Athena, through `sluice athena-local` (real SDK clients): the replacement
 * partitions are written to a fresh location and repointed in Glue; a failure at the CTAS, at
 * the Glue partition update or create, or at the S3 delete of the old data leaves the published
 * table as it was (or, for the delete, as published), no staging table and no object that is
 * neither read by the table nor kept for `versions_to_keep`; a clean rerun gives the rows a
 * clean build gives (computed by hand here).
 */
describe("insert_overwrite on the athena-local endpoint, with failures injected at each step", () => {
  let root: string;
  let aws: string;
  let project: string;
  let local: AthenaLocal;
  const sluice = (...args: string[]) => runSluice(["--project-dir", project, ...args], { env });
  const build = (values: string) =>
    sluice("build", "--vars", JSON.stringify({ rows: values }), "--format", "json");
  const published = async () => {
    const out = await sluice(
      "query",
      "--format",
      "json",
      "select id, v, d from db_silver.daily order by id",
    );
    expect(out.stderr).toBe("");
    return JSON.parse(out.stdout) as unknown[];
  };
  const fault = (plan: FaultPlan) => local.faults.set(plan, true);
  const table = () => local.glue.findTable("db_silver", "daily")!;
  const stagingTables = () =>
    local.glue
      .allTables()
      .map((t) => t.Name)
      .filter((n) => n.includes("__sluice_"));
  /** Every object under the table's folder, as `s3://` URLs. */
  const objects = async () =>
    (await readdir(path.join(aws, "lake/silver/daily"), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => `s3://lake/${path.relative(aws + "/lake", path.join(e.parentPath, e.name))}`)
      .sort();
  const read = () => [
    table().StorageDescriptor!.Location!,
    ...local.glue.tablePartitions(table()).map((p) => p.StorageDescriptor!.Location!),
  ];
  const retired = () => JSON.parse(table().Parameters?.[RETIRED] ?? "[]") as string[][];
  const inside = (file: string, locations: readonly string[]) =>
    locations.some((l) => file.startsWith(l.replace(/\/*$/, "/")));
  /** No staging table; every object is read by the table or kept for versions_to_keep. */
  const expectNoLeftovers = async () => {
    expect(stagingTables()).toEqual([]);
    const kept = [...read(), ...retired().flat()];
    expect((await objects()).filter((f) => !inside(f, kept))).toEqual([]);
  };

  const A = rows([1, "a", "2026-01-01"], [2, "b", "2026-01-02"]);
  const B = rows([3, "c", "2026-01-02"], [4, "d", "2026-01-03"]);
  const C = rows([5, "e", "2026-01-02"]);
  const rowsA = [
    { id: 1, v: "a", d: "2026-01-01" },
    { id: 2, v: "b", d: "2026-01-02" },
  ];
  const rowsB = [
    { id: 1, v: "a", d: "2026-01-01" },
    { id: 3, v: "c", d: "2026-01-02" },
    { id: 4, v: "d", d: "2026-01-03" },
  ];
  const rowsC = [
    { id: 1, v: "a", d: "2026-01-01" },
    { id: 4, v: "d", d: "2026-01-03" },
    { id: 5, v: "e", d: "2026-01-02" },
  ];

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "sluice-overwrite-"));
    aws = path.join(root, "aws");
    project = path.join(root, "project");
    await mkdir(path.join(aws, "lake"), { recursive: true });
    await mkdir(path.join(aws, "results"));
    local = await startAthenaLocal({ dir: aws, latencyMs: 0 });
    await writeDailyOverwriteProject(project, "overwrite", local.url);
  }, 60_000);

  afterAll(async () => {
    await local?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("keeps the published partitions through a failed CTAS, Glue update, Glue create and S3 delete", async () => {
    const first = await build(A);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(await published()).toEqual(rowsA);
    const before = await objects();

    // Each failure before the publish: exit 1, the table as it was, nothing left behind. A Glue
    // internal error (HTTP 500) fails 3 times: the SDK's own retries.
    const failures: [string, FaultPlan][] = [
      [
        "the staging CTAS",
        {
          queries: [
            { match: 'CREATE TABLE "db_silver"."daily__sluice_', athenaError: "HIVE_CURSOR_ERROR" },
          ],
        },
      ],
      ["Glue BatchUpdatePartition", { calls: [{ api: "Glue.BatchUpdatePartition", times: 3 }] }],
      // The update went through; the create fails: the update is undone.
      ["Glue BatchCreatePartition", { calls: [{ api: "Glue.BatchCreatePartition", times: 3 }] }],
    ];
    for (const [step, plan] of failures) {
      fault(plan);
      const failed = await build(B);
      expect(failed.code, step).toBe(1);
      expect(await published(), step).toEqual(rowsA);
      expect(await objects(), step).toEqual(before);
      await expectNoLeftovers();
    }
    local.faults.clear();

    const second = await build(B);
    expect(second.code).toBe(0);
    expect(await published()).toEqual(rowsB);
    // target/run shows what ran: the staging CTAS with the table's columns in its order.
    const ran = await readFile(path.join(project, "target/run/models/daily.sql"), "utf8");
    expect(ran).toMatch(/^-- executed by the last run, in order:/);
    expect(ran).toMatch(
      /CREATE TABLE "db_silver"\."daily__sluice_\w+"[\s\S]*SELECT "id", "v", "d" FROM \(/,
    );
    const statements = ran
      .replace(/^--.*\n/, "")
      .split(/;\n/)
      .map((sql) => sql.trim());
    for (const sql of statements.filter((x) => /^(CREATE TABLE|SELECT|INSERT)/.test(x)))
      expect(grammarErrors({ sql, grammar: "trino" }), sql).toEqual([]);
    // versions_to_keep defaults to 1: the replaced 2026-01-02 partition of the first build is kept.
    expect(retired()).toHaveLength(1);
    expect(retired()[0]).toEqual([expect.stringMatching(/\/d=2026-01-02\/?$/)]);
    await expectNoLeftovers();
    const firstVersion = retired()[0]![0]!;

    // The expired data is deleted by key at the end of the run, and that delete fails (3 SDK
    // tries): the build passes (the table is published) saying so; the expired location is no
    // longer listed as retired but named by `sluice_expiring` under the run's staging entry,
    // which is kept as the "maybe not deleted" marker; the next build's sweep deletes it.
    fault({ calls: [{ api: "S3.DeleteObjects", times: 3 }] });
    const third = await build(C);
    expect(third.code).toBe(0);
    expect(third.stdout + third.stderr).toMatch(/DeleteObjects[\s\S]*are kept/);
    expect(await published()).toEqual(rowsC);
    expect(retired().flat()).not.toContain(firstVersion);
    const marker = JSON.parse(table().Parameters?.[EXPIRING] ?? "{}") as { t: string; l: string[] };
    expect(marker.l).toEqual([firstVersion]);
    expect(stagingTables()).toEqual([marker.t]);
    expect((await objects()).some((f) => inside(f, [firstVersion]))).toBe(true);
    const kept = [...read(), ...retired().flat(), ...marker.l];
    expect((await objects()).filter((f) => !inside(f, kept))).toEqual([]);

    local.faults.clear();
    const rerun = await build(C);
    expect(rerun.code).toBe(0);
    expect(await published()).toEqual(rowsC);
    expect(retired()).toHaveLength(1);
    expect((await objects()).some((f) => inside(f, [firstVersion]))).toBe(false);
    await expectNoLeftovers();

    // A staging CTAS Athena fails as Retryable: its output is removed and it runs again.
    fault({
      queries: [
        {
          match: 'CREATE TABLE "db_silver"."daily__sluice_',
          athenaError: "GENERIC_INTERNAL_ERROR",
          retryable: true,
        },
      ],
    });
    const retried = await build(B);
    expect(retried.code, retried.stdout + retried.stderr).toBe(0);
    expect(await published()).toEqual(rowsB);
    await expectNoLeftovers();
  }, 240_000);

  it("rejects a versions_to_keep that is not a non-negative integer before any work", async () => {
    const model = path.join(project, "models/bad.sql");
    await writeFile(
      model,
      "{{ config(materialized='table', versions_to_keep=-1) }}\nselect 1 as x\n",
    );
    try {
      const out = await sluice("compile");
      expect(out.code).toBe(2);
      expect(out.stderr + out.stdout).toMatch(/bad\.sql.*versions_to_keep/s);
      expect(out.stderr + out.stdout).toMatch(/0 or more/);
    } finally {
      await rm(model);
    }
  });
});
