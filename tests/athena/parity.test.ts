import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  awsEnv,
  callLog,
  pointProdAt,
  startEndpoint,
  type Endpoint,
} from "../support/athena-local.js";
import { copyModelsProject, runSluice, type CliRun } from "../support/cli.js";
import { openRelationReader } from "../support/relation-reader.js";
import { grammarErrors } from "../support/sql-grammar.js";
import { copyDir, rawHours } from "../incremental/lake-fixture.js";

/** Every silver table and mart: [local lake relation, Athena relation]. */
const TABLES = [
  ["silver.events", "ecommerce_silver.events"],
  ["silver.rejected_events", "ecommerce_silver.rejected_events"],
  ["silver.order_items", "ecommerce_silver.order_items"],
  ...["channel_performance", "customer_lifetime_value", "funnel", "hourly_sales_by_category"].map(
    (m) => [`marts.${m}`, `ecommerce_marts.${m}`],
  ),
  ["marts.sales_by_country", "ecommerce_marts.sales_by_country"],
] as const;
const LAKE_TABLES = TABLES.map(([local]) => local);
const ATHENA_TABLES = TABLES.map(([, athena]) => athena);
/** Malformed, duplicate, late, wrong-typed and incomplete events, as the lake's tests inject. */
const CHAOS = [
  ...["--malformed-rate", "0.01", "--duplicate-rate", "0.03", "--late-rate", "0.05"],
  ...["--wrong-type-rate", "0.01", "--missing-field-rate", "0.02"],
];
/** Three days of Firehose hours, 40 events an hour (fewer than production, to stay fast). */
const HOURS = 72;
const EVENTS = HOURS * 40;
/**
 * Raw hours delivered per incremental run in the three-day scenario. Reduced: one run per hour
 * (78 runs with the late hours) measured ~7.8 s a run on the endpoint (~10 min, most of it the
 * endpoint scanning the raw zone); every 6 hours (13 runs, ~100 s) still crosses each day
 * boundary and re-reads the lookback window (3 h) at every run. In `npm test`, every 12 hours
 * (7 runs); every 6 with SLUICE_ATHENA_LONG=1.
 */
const HOURS_PER_RUN = process.env["SLUICE_ATHENA_LONG"] === "1" ? 6 : 12;
/**
 * Both engines print the same TIMESTAMP differently (the lake `12:46:18.65`, Athena's
 * timestamp(3) `12:46:18.650`): the same instant, compared as such.
 */
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z?)$/;
const sameInstant = (v: unknown): unknown => {
  const m = typeof v === "string" ? TIMESTAMP.exec(v) : null;
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(6, "0")}${m[3]}` : v;
};

const RECONCILED =
  /reconciled (\d+) raw partitions from (\S+): raw ([\d,]+) = silver ([\d,]+) \+ rejected ([\d,]+) \+ duplicates ([\d,]+) \+ quarantined ([\d,]+)/;

/** The balance a build printed: partitions, first hour and the five counts. */
function balanceOf(run: CliRun) {
  const m = RECONCILED.exec(run.stdout + run.stderr);
  expect(m, `no reconciliation in:\n${run.stdout}${run.stderr}`).not.toBeNull();
  const [raw, silver, rejected, duplicates, quarantined] = m!
    .slice(3)
    .map((x) => Number(x.replaceAll(",", "")));
  return {
    partitions: Number(m![1]),
    from: m![2]!,
    raw,
    silver,
    rejected,
    duplicates,
    quarantined,
  };
}

/** Non-blank lines of the raw files of these hours, counted from their bytes. */
async function rawEvents(rawDir: string, hours: readonly string[]): Promise<number> {
  let n = 0;
  for (const hour of hours)
    for (const f of await readdir(path.join(rawDir, hour))) {
      const bytes = await readFile(path.join(rawDir, hour, f));
      const text = (f.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
      n += text.split("\n").filter((l) => l !== "").length;
    }
  return n;
}

/** Files under `dir` (recursive) with their size and modification time. */
async function objects(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await readdir(dir, { recursive: true })) {
    const s = await stat(path.join(dir, f));
    if (s.isFile()) out[f] = `${s.size}@${s.mtimeMs}`;
  }
  return out;
}

/**
 * The parity suite: the scenarios the local lake passes, on the production path too. The
 * unchanged models project runs on its `prod` target (Athena + Glue + S3 through the real SDK
 * clients) against `sluice athena-local`, and on its `local` target (DuckDB lake) over the same
 * raw files; every silver table and mart must be equal row for row (full sorted row sets, money
 * DECIMALs compared exactly as the text both engines print).
 */

describe("parity: the models project on athena-local equals the local lake", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let dir: string;
  let hidden: string;
  let hours: string[];
  let endpoint: Endpoint;
  let awsDir: string;
  const sluice = (project: string, ...args: string[]) =>
    runSluice(["--project-dir", project, ...args], { env: awsEnv });
  const lakeRaw = (project: string) => path.join(project, ".lake/raw/events");
  const bucketRaw = (aws: string) => path.join(aws, "sluice-lake/raw/events");

  /** Deliver raw hour folders (copies of the hidden ones) to these raw zones, as Firehose would. */
  async function deliver(zones: readonly string[], which: readonly string[]): Promise<void> {
    for (const zone of zones)
      for (const hour of which) {
        await mkdir(path.dirname(path.join(zone, hour)), { recursive: true });
        await cp(path.join(hidden, hour), path.join(zone, hour), { recursive: true });
      }
  }

  /**
   * The sorted rows of each relation as canonical JSON (columns by name), read as `sluice query
   * --format json` prints them, one engine opened for all of them (not a CLI start-up each).
   */
  async function rowsOf(project: string, target: string, relations: readonly string[]) {
    const reader = await openRelationReader(project, target);
    try {
      const out: string[][] = [];
      for (const relation of relations)
        out.push(
          (await reader.rows(relation))
            .map((row) => JSON.stringify(Object.keys(row).map((k) => [k, sameInstant(row[k])])))
            .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        );
      return out;
    } finally {
      await reader.close();
    }
  }

  /** Every silver table and mart of the Athena build in `project` equals the local lake's in `dir`. */
  async function expectTablesEqualLake(project: string): Promise<void> {
    const [lakeTables, prodTables] = await Promise.all([
      rowsOf(dir, "local", LAKE_TABLES),
      rowsOf(project, "prod", ATHENA_TABLES),
    ]);
    for (const [i, [, athena]] of TABLES.entries()) {
      const [lake, prod] = [lakeTables[i]!, prodTables[i]!];
      expect(prod.length, athena).toBeGreaterThan(0);
      expect(prod.length, `${athena} rows`).toBe(lake.length);
      // One readable difference rather than two thousand-row arrays.
      const firstDiff = prod.findIndex((row, i) => row !== lake[i]);
      expect({ table: athena, prod: prod[firstDiff], lake: lake[firstDiff] }).toEqual({
        table: athena,
        prod: undefined,
        lake: undefined,
      });
    }
  }

  beforeAll(async () => {
    const project = await copyModelsProject();
    dir = project.dir;
    cleanup = project.cleanup;
    root = path.dirname(dir);
    const gen = await sluice(
      dir,
      ...["generate", "--events", String(EVENTS), "--start", "2026-11-25T00:00:00Z"],
      ...["--hours", String(HOURS), "--seed", "12", ...CHAOS],
    );
    expect(gen.code, gen.stderr).toBe(0);
    hidden = path.join(root, "hidden-raw");
    await rename(lakeRaw(dir), hidden);
    hours = await rawHours(hidden);
    awsDir = path.join(root, "aws");
    endpoint = await startEndpoint(awsDir, 0);
    await pointProdAt(dir, endpoint.url);
  }, 60_000);

  afterAll(async () => {
    await endpoint?.stop();
    await cleanup?.();
  });

  it("full build: chaos data reconciles exactly on both engines, and every table equals the lake's", async () => {
    const first = hours.slice(0, -1);
    await deliver([lakeRaw(dir), bucketRaw(awsDir)], first);
    const lake = await sluice(dir, "build");
    expect(lake.code, lake.stdout + lake.stderr).toBe(0);
    const prod = await sluice(dir, "build", "--target", "prod");
    expect(prod.code, prod.stdout + prod.stderr).toBe(0);
    expect(prod.stdout).toMatch(/0 failed; 0 errors, 0 skipped/);

    const balance = balanceOf(prod);
    expect(balance).toEqual(balanceOf(lake));
    expect(balance.from).toBe("0000/00/00/00");
    expect(balance.partitions).toBe(first.length);
    // Independent of both engines: the raw files' non-blank lines, counted from their bytes.
    expect(balance.raw).toBe(await rawEvents(hidden, first));
    expect(balance.raw).toBe(balance.silver! + balance.rejected! + balance.duplicates!);
    expect(balance.rejected).toBeGreaterThan(0);
    expect(balance.duplicates).toBeGreaterThan(0);
    await expectTablesEqualLake(dir);
  }, 180_000);

  it("the next build after one more hour: reads and reconciles only the window, equals the lake", async () => {
    await deliver([lakeRaw(dir), bucketRaw(awsDir)], hours.slice(-1));
    expect((await sluice(dir, "build")).code).toBe(0);
    await callLog(endpoint.url, true);
    const prod = await sluice(dir, "build", "--target", "prod");
    expect(prod.code, prod.stdout + prod.stderr).toBe(0);
    expect(prod.stdout).toMatch(/0 failed; 0 errors, 0 skipped/);
    expect(prod.stdout).toMatch(/ecommerce_silver\.order_items\s+OK/);

    // The window: the last hours up to the watermark, not the three days.
    const balance = balanceOf(prod);
    expect(balance.from > hours.at(-8)!, balance.from).toBe(true);
    expect(balance.partitions).toBeLessThan(8);
    expect(balance.raw).toBe(
      await rawEvents(
        hidden,
        hours.filter((h) => h >= balance.from),
      ),
    );
    // The reconciliation's query reads every table by the window's partition predicate only.
    const [sql, ...more] = (await callLog(endpoint.url))
      .filter((c) => c.api === "Athena.StartQueryExecution" && c.resource.includes("silver_rows"))
      .map((c) => c.resource);
    expect(more).toEqual([]);
    expect(sql).toBeDefined();
    expect(grammarErrors({ sql: sql!, grammar: "trino" })).toEqual([]);
    const from = `dt >= '${balance.from}'`;
    expect(sql!.split(from).length - 1, sql).toBe(4); // staging, silver, rejected, raw
    expect(sql).toContain(`FROM "ecommerce_raw"."events" WHERE ${from}`);
    expect(sql).toMatch(/FROM "ecommerce_silver"."events" WHERE dt < '[^']+' AND "event_date" IN/);
    expect(sql!.match(/FROM "ecommerce_\w+"\."\w+"(?! WHERE)/g) ?? [], sql).toEqual([]);
    await expectTablesEqualLake(dir);
  }, 180_000);

  let rerunObjects: { before: Record<string, string>; after: Record<string, string> };
  it("a rerun with no new data: the same tables, the same balance", async () => {
    const lakeBucket = path.join(awsDir, "sluice-lake");
    const before = await objects(lakeBucket);
    const tables = await rowsOf(dir, "prod", ATHENA_TABLES);
    const rerun = await sluice(dir, "build", "--target", "prod");
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    const balance = balanceOf(rerun);
    expect(balance.raw).toBe(balance.silver! + balance.rejected! + balance.duplicates!);
    expect(await rowsOf(dir, "prod", ATHENA_TABLES)).toEqual(tables);
    rerunObjects = { before, after: await objects(lakeBucket) };
  }, 180_000);

  // Every table's version records what it was built from (sluice_inputs): with no new raw hour,
  // nothing is rewritten, as on the lake (unchanged-rerun.test.ts shows what a changed input rebuilds).
  it("a rerun with no new data writes and removes no object", () => {
    expect(rerunObjects.after).toEqual(rerunObjects.before);
  });

  it("blank lines in a raw file: the balance holds, and they are rejected rows on both engines", async () => {
    // One more hour, delivered with a blank line after every event and two more at the end.
    const gen = await sluice(
      dir,
      ...["generate", "--events", "30", "--start", "2026-11-28T12:00:00Z", "--hours", "1"],
      ...["--seed", "13", "--lake", path.join(root, "blank")],
    );
    expect(gen.code, gen.stderr).toBe(0);
    const [hour] = await rawHours(path.join(root, "blank/raw/events"));
    await copyDir(path.join(root, "blank/raw/events", hour!), path.join(hidden, hour!));
    let blanks = 0;
    for (const f of await readdir(path.join(hidden, hour!))) {
      const file = path.join(hidden, hour!, f);
      const text = gunzipSync(await readFile(file)).toString("utf8");
      const spaced = text.replaceAll("\n", "\n\n").replace(/\n*$/, "\n\n\n");
      blanks += spaced.split("\n").filter((l, i, all) => l === "" && i < all.length - 1).length;
      await writeFile(file, gzipSync(spaced));
    }
    expect(blanks).toBeGreaterThan(30);
    await deliver([lakeRaw(dir), bucketRaw(awsDir)], [hour!]);
    const select = ["--select", "+events", "+rejected_events"];
    const lake = await sluice(dir, "run", ...select);
    const prod = await sluice(dir, "run", "--target", "prod", ...select);
    expect(prod.code, prod.stdout + prod.stderr).toBe(0);
    expect(lake.code, lake.stdout + lake.stderr).toBe(0);
    // Both balance (their windows differ: the lake reads only the new hour, Athena the lookback).
    for (const run of [lake, prod]) {
      const balance = balanceOf(run);
      expect(balance.raw).toBe(balance.silver! + balance.rejected! + balance.duplicates!);
    }
    const rejected = (target: string, relation: string) =>
      sluice(
        dir,
        ...["query", "--target", target, "--format", "json"],
        `select count(*) as n from ${relation} where dt = '${hour}' and line = ''`,
      ).then((r) => JSON.parse(r.stdout) as unknown);
    expect(await rejected("prod", "ecommerce_silver.rejected_events")).toEqual([{ n: blanks }]);
    expect(await rejected("local", "silver.rejected_events")).toEqual([{ n: blanks }]);
  }, 180_000);

  it(`hourly incremental runs over three days (${HOURS_PER_RUN} h each), marts included, equal one full build`, async () => {
    const project = path.join(root, "hourly");
    await copyDir(dir, project);
    await rm(path.join(project, ".lake"), { recursive: true, force: true });
    await rm(path.join(project, "target"), { recursive: true, force: true });
    const aws = path.join(root, "aws-hourly");
    const hourly = await startEndpoint(aws, 0);
    try {
      const yml = path.join(project, "sluice.yml");
      await writeFile(yml, (await readFile(yml, "utf8")).replace(endpoint.url, hourly.url));
      // Every hour the lake has, the blank-line hour included. Every run builds the marts too:
      // after the first, each rebuilds only the dates its hours touched (insert_overwrite).
      const all = await rawHours(hidden);
      expect((await sluice(project, "seed", "--target", "prod")).code).toBe(0);
      let runs = 0;
      for (let i = 0; i < all.length; i += HOURS_PER_RUN) {
        await deliver([bucketRaw(aws)], all.slice(i, i + HOURS_PER_RUN));
        const run = await sluice(project, "run", "--target", "prod");
        expect(run.code, `run ${runs}: ${run.stdout}${run.stderr}`).toBe(0);
        const balance = balanceOf(run);
        expect(balance.raw).toBe(balance.silver! + balance.rejected! + balance.duplicates!);
        // 12 hours (and the lookback before them) touch one or two of the three days.
        if (runs > 0)
          for (const [, mart] of TABLES.filter(([t]) => t.startsWith("marts.")))
            expect(run.stdout + run.stderr, `run ${runs}`).toMatch(
              new RegExp(`${mart.replace(".", "\\.")} \\.+ replaced [12] partitions?`),
            );
        runs += 1;
      }
      expect(runs).toBe(Math.ceil(all.length / HOURS_PER_RUN));
      const build = await sluice(project, "build", "--target", "prod");
      expect(build.code, build.stdout + build.stderr).toBe(0);
      // What the hourly runs must equal: one full build on the lake of every hour.
      expect((await sluice(dir, "build", "--full-refresh")).code).toBe(0);
      await expectTablesEqualLake(project);
    } finally {
      await hourly.stop();
    }
  }, 600_000);
});
