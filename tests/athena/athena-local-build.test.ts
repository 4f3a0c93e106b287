import { countRawLines } from "../integrity/raw-bytes.js";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEnv, pointProdAt, startEndpoint, type Endpoint } from "../support/athena-local.js";
import { copyModelsProject, runSluice } from "../support/cli.js";

const env = awsEnv;

/**
 * The production path end to end without AWS: `sluice athena-local` serves Athena, Glue and S3;
 * a copy of the models project's `prod` target points at it (`endpoint:`), and the CLI runs
 * `sources register`, `build`, `query`, `debug` through the real SDK v3 clients. Raw data is
 * generated into the lake bucket's folder (`DIR/sluice-lake/raw/events/...`), as Firehose would
 * deliver it to `s3://sluice-lake/raw/events/`.
 *
 * The assertions pin today's behaviour. Two bugs it exposed are fixed and asserted here: the raw
 * table's Glue database is created on a fresh catalog, and the incremental watermark is the one
 * recorded in each table's Glue entry (never max() of a column the table may not have).
 */
/** The summary table's line for a node with `rows` rows (thousands separated). */
const rowsOf = (node: string, rows: number): RegExp =>
  new RegExp(`${node.replace(".", "\\.")}\\s+OK\\s+${rows.toLocaleString("en-US")}\\b`);

describe("sluice on the prod target against sluice athena-local", () => {
  let project: { dir: string; cleanup: () => Promise<void> };
  let aws: string;
  let endpoint: Endpoint;
  const sluice = (...args: string[]) => runSluice(["--project-dir", project.dir, ...args], { env });
  const generate = (start: string, hours: number, seed: number, events: number) =>
    sluice(
      "generate",
      "--events",
      String(events),
      "--start",
      start,
      "--hours",
      String(hours),
      "--seed",
      String(seed),
      "--lake",
      path.join(aws, "sluice-lake"),
    );

  beforeAll(async () => {
    project = await copyModelsProject();
    aws = await mkdtemp(path.join(os.tmpdir(), "sluice-aws-local-"));
    endpoint = await startEndpoint(aws);
    await pointProdAt(project.dir, endpoint.url);
  }, 60_000);

  afterAll(async () => {
    endpoint?.child.kill("SIGTERM");
    await endpoint?.stopped;
    await project?.cleanup();
    if (aws) await rm(aws, { recursive: true, force: true });
  });

  it("registers the raw source on a fresh catalog, builds every node, answers queries, and builds incrementally again", async () => {
    // On a fresh catalog, registering the raw table creates its Glue database first.
    const early = await sluice("sources", "register", "--target", "prod");
    expect(early.stderr).toBe("");
    expect(early.code).toBe(0);
    expect(early.stdout).toContain("created ecommerce_raw.events");

    expect((await generate("2026-11-27T00:00:00Z", 6, 1, 8000)).code).toBe(0);
    // --events is a rate (the hours' share of the day's traffic): count what landed, from the bytes.
    const rawLines = () => countRawLines(path.join(aws, "sluice-lake/raw/events")).total;
    const firstEvents = rawLines();
    expect(firstEvents).toBeGreaterThan(1000);
    const first = await sluice("build", "--target", "prod");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(rowsOf("ecommerce_silver.events", firstEvents));
    expect(first.stdout).toMatch(/ecommerce_silver\.order_items\s+OK\s+[1-9]/);
    // Tests: the data tests and DQDL rules, and the project's four unit tests.
    expect(first.stdout).toMatch(
      /9 models and 1 seed built .*tests: 60 passed, 1 warned, 0 failed; 0 errors, 0 skipped/,
    );
    // The Parquet files are where Glue says, under the lake bucket, in Hive partition folders.
    const silver = await readdir(path.join(aws, "sluice-lake"), { recursive: true });
    expect(
      silver.some((f) => /^silver\/events\/.+\/event_date=2026-11-27\/.+\.parquet$/.test(f)),
    ).toBe(true);

    // The same raw data on the local DuckDB lake gives the same marts (values compared as text;
    // timestamps are rendered differently by the two engines, so compare a mart without them).
    expect(
      (
        await sluice(
          "generate",
          "--events",
          "8000",
          "--start",
          "2026-11-27T00:00:00Z",
          "--hours",
          "6",
          "--seed",
          "1",
        )
      ).code,
    ).toBe(0);
    expect((await sluice("build")).code).toBe(0);
    const mart = async (target: string, relation: string) =>
      (
        await sluice(
          "query",
          "--target",
          target,
          "--format",
          "csv",
          `select * from ${relation} order by 1, 2, 3`,
        )
      ).stdout;
    const prodMart = await mart("prod", "ecommerce_marts.sales_by_country");
    expect(prodMart.split("\n").length).toBeGreaterThan(10);
    expect(prodMart).toBe(await mart("local", "marts.sales_by_country"));

    const registered = await sluice("sources", "register", "--target", "prod");
    expect(registered).toMatchObject({ code: 0 });
    expect(registered.stdout).toContain("unchanged ecommerce_raw.events");

    const counted = await sluice(
      "query",
      "--target",
      "prod",
      "--format",
      "json",
      "select count(*) as n, count(distinct event_id) as ids from ecommerce_silver.events",
    );
    expect(counted.code).toBe(0);
    expect(JSON.parse(counted.stdout)).toEqual([{ n: firstEvents, ids: firstEvents }]);
    // show runs the model's SQL through Athena with the LIMIT inside it: rows from source, and
    // --inline's ref names the prod database.
    const shown = await sluice(
      ...["show", "--target", "prod", "--inline", "select count(*) as n from {{ ref('events') }}"],
      ...["--output", "json"],
    );
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({ node: "inline_query", show: [{ n: firstEvents }] });
    const preview = await sluice(
      ...["show", "--target", "prod", "-s", "sales_by_country", "--limit", "3", "--format", "csv"],
    );
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout.trim().split("\n")).toHaveLength(4);
    const missing = await sluice(
      "query",
      "--target",
      "prod",
      "select * from ecommerce_silver.nope",
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("TABLE_NOT_FOUND");

    const debug = await sluice("debug", "--target", "prod");
    expect(debug.stdout).toContain("All checks passed.");
    const major = Number(process.versions.node.split(".")[0]);
    expect(debug.stdout).toContain(
      major < 22
        ? `OK   node: ${process.version}: AWS SDK for JavaScript releases after the first week of January 2027 need node >= 22`
        : `OK   node: ${process.version}\n`,
    );
    expect(debug.code).toBe(0);

    // More raw hours, then an incremental build.
    expect((await generate("2026-11-27T06:00:00Z", 3, 2, 2000)).code).toBe(0);
    const second = await sluice("build", "--target", "prod");
    expect(second.stdout).toMatch(rowsOf("ecommerce_silver.events", rawLines()));
    // The watermark is what each table recorded in Glue when it was published (silver.order_items
    // has no dt column: it records silver.events' one), so every node builds again.
    expect(second.stdout).toMatch(/ecommerce_silver\.order_items\s+OK/);
    expect(second.stdout).toMatch(/ecommerce_marts\.sales_by_country\s+OK/);
    // Nothing is skipped: with no new rejected rows, rejected_events' incremental-scope tests
    // pass and say there was nothing new to check.
    expect(second.stdout).toMatch(/0 errors, 0 skipped/);
    expect(second.code).toBe(0);
    const watermark = await sluice(
      "query",
      "--target",
      "prod",
      "--format",
      "csv",
      "select max(dt) as dt from ecommerce_silver.events",
    );
    expect(watermark.stdout).toContain("2026/11/27/08");

    // The same raw data on the local lake, built incrementally too, gives the same marts.
    expect(
      (
        await sluice(
          "generate",
          "--events",
          "2000",
          "--start",
          "2026-11-27T06:00:00Z",
          "--hours",
          "3",
          "--seed",
          "2",
        )
      ).code,
    ).toBe(0);
    expect((await sluice("build")).code).toBe(0);
    expect(await mart("prod", "ecommerce_marts.sales_by_country")).toBe(
      await mart("local", "marts.sales_by_country"),
    );
  }, 240_000);

  it("stops on SIGTERM with exit code 0", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-aws-local-stop-"));
    try {
      const other = await startEndpoint(dir);
      other.child.kill("SIGTERM");
      const { code, stdout } = await other.stopped;
      expect(code).toBe(0);
      expect(stdout).toContain("Stopped.");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
