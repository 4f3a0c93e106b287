import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";
import { copyDir, expose, rawHours, tableHashes } from "./lake-fixture.js";
import { queryLake } from "../support/lake-reader.js";

/** The incremental models of the models project (each reads a window of raw hours). */
const INCREMENTAL = [
  "staging.stg_events",
  "silver.events",
  "silver.order_items",
  "silver.rejected_events",
  "marts.sales_by_country",
  "marts.hourly_sales_by_category",
  "marts.customer_lifetime_value",
  "marts.funnel",
  "marts.channel_performance",
];
const chaos = ["--malformed-rate", "0.01", "--duplicate-rate", "0.02", "--late-rate", "0.05"];

let cleanup: () => Promise<void>;
let dir: string;
let fullDir: string;
let hidden: string;
let hours: string[];

const sluice = (d: string, ...args: string[]) => runSluice(["--project-dir", d, ...args]);

interface Result {
  unique_id: string;
  status: string;
  message: string;
  failures?: number | null;
}

async function results(d: string): Promise<Result[]> {
  const text = await readFile(path.join(d, "target/run_results.json"), "utf8");
  return (JSON.parse(text) as { results: Result[] }).results;
}

/** The folder each table's view reads, from DuckDB's catalog (not sluice's records). */
async function viewSql(d: string): Promise<Record<string, string>> {
  const rows = await queryLake<{ t: string; sql: string }>(
    d,
    "select schema_name || '.' || view_name as t, sql from duckdb_views() where not internal",
  );
  return Object.fromEntries(rows.filter((v) => INCREMENTAL.includes(v.t)).map((v) => [v.t, v.sql]));
}

/** What each incremental model's progress line says it did: relation → message. */
function done(out: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const m of out.matchAll(/OK\s+incremental (\w+\.\w+) \.+ ([^[\n]+?) \[/g))
    found[m[1]!] = m[2]!;
  return found;
}

beforeAll(async () => {
  const project = await copyModelsProject();
  cleanup = project.cleanup;
  fullDir = project.dir;
  const root = path.dirname(fullDir);
  const gen = await sluice(
    fullDir,
    ...["generate", "--events", "1500", "--start", "2026-11-25T00:00:00Z", "--hours", "30"],
    ...["--seed", "7", ...chaos],
  );
  expect(gen.code, gen.stderr).toBe(0);
  // The hourly project's raw zone is delivered from a copy, hour by hour.
  hidden = path.join(root, "hourly-raw");
  await copyDir(path.join(fullDir, ".lake/raw/events"), hidden);
  hours = await rawHours(hidden);
  dir = path.join(root, "hourly");
  await copyDir(fullDir, dir);
  await rm(path.join(dir, ".lake"), { recursive: true, force: true });
  await expose(hidden, dir, hours.slice(0, -1));
  const first = await sluice(dir, "build");
  expect(first.code, first.stdout + first.stderr).toBe(0);
}, 180_000);

afterAll(async () => cleanup?.());

describe("a build with no new data on the local lake", () => {
  it("leaves every incremental table as it is (same version, same rows) with the same test results", async () => {
    const before = await tableHashes(dir, INCREMENTAL);
    const views = await viewSql(dir);
    const firstResults = await results(dir);

    const dry = await sluice(dir, "build", "--dry-run", "-s", "stg_events");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/staging\.stg_events \(model, incremental\) on lake: unchanged/);
    expect(dry.stdout).toMatch(/its window holds no row, nothing is written/);

    const log = path.join(path.dirname(dir), "no-new-data-statements.log");
    const again = await runSluice(["--project-dir", dir, "build"], {
      env: { SLUICE_TEST_STATEMENT_LOG: log },
    });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    // Its reconciliation is one query and commits nothing (no hour is pending), and the raw
    // source's view is not made again: run setup is its one commit.
    const sent = (await readFile(log, "utf8")).trim().split("\n");
    const writes = sent
      .map((line) => line.split("\t"))
      .filter(([, , sql]) => !/^\s*(select|with)\b/i.test(sql ?? ""))
      .map(([, label]) => label);
    expect(writes).toEqual(["run setup"]);
    expect(sent.filter((line) => line.split("\t")[1] === "reconcile.events")).toHaveLength(1);
    expect(
      await queryLake(
        dir,
        "select count(*) as n from main.sluice_table_state where pending_from is not null",
      ),
    ).toEqual([{ n: 0 }]);
    const said = done(again.stderr);
    expect(Object.keys(said).sort()).toEqual([...INCREMENTAL].sort());
    for (const [relation, message] of Object.entries(said))
      expect(message, relation).toMatch(/^unchanged: no new data in its window \(from \d{4}\//);
    // The raw source's view, made by the same statements, is left as it is (nothing run for it).
    expect(again.stderr).toMatch(
      /OK\s+source raw\.events \.+ unchanged: its view was made by the same statements \[/,
    );
    // Nothing published: the views read the same version folders, the rows are the same.
    expect(await viewSql(dir)).toEqual(views);
    expect(await tableHashes(dir, INCREMENTAL)).toEqual(before);
    // Every test ran and passed; those of new data found none to check, as a build that
    // rewrote the tables with zero rows said (its tests were given zero written partitions).
    const now = await results(dir);
    expect(now.map((r) => r.unique_id).sort()).toEqual(firstResults.map((r) => r.unique_id).sort());
    for (const r of now.filter((r) => r.unique_id.startsWith("test.")))
      expect([r.unique_id, r.status]).toEqual([r.unique_id, "pass"]);
    const notNull = now.find(
      (r) => r.unique_id.startsWith("test.") && /not_null_events_event_id/.test(r.unique_id),
    );
    expect(notNull?.message).toBe("pass: no new data to check");
  }, 180_000);

  it("the next hour and a late file after it build as a full build has them", async () => {
    await expose(hidden, dir, hours.slice(-1));
    const next = await sluice(dir, "build");
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(done(next.stderr)["staging.stg_events"]).toMatch(/^replaced [1-9]/);
    expect(done(next.stderr)["marts.funnel"]).toMatch(/^replaced [1-9]/);

    // A late file in the first hour (long before the lookback), after a build with nothing new.
    const idle = await sluice(dir, "build");
    expect(idle.code, idle.stdout + idle.stderr).toBe(0);
    expect(done(idle.stderr)["silver.events"]).toMatch(/^unchanged/);
    const old = hours[0]!;
    const event = {
      event_id: "late-event-1",
      event_type: "product_view",
      session_id: "late-session",
      event_timestamp: `${old.slice(0, 10).replaceAll("/", "-")}T${old.slice(11)}:30:00Z`,
      customer: { customer_id: 42, country: "Germany" },
      session: { channel: "email", device: "desktop" },
      product: { product_id: 7, product_name: "Late Lamp", category: "home", price: 12.5 },
    };
    for (const d of [dir, fullDir]) {
      await mkdir(path.join(d, ".lake/raw/events", old), { recursive: true });
      await writeFile(
        path.join(d, ".lake/raw/events", old, "late-1.gz"),
        gzipSync(JSON.stringify(event) + "\n"),
      );
    }
    const late = await sluice(dir, "build");
    expect(late.code, late.stdout + late.stderr).toBe(0);
    expect(done(late.stderr)["silver.events"]).toMatch(/^replaced [1-9]/);

    const full = await sluice(fullDir, "build", "--full-refresh");
    expect(full.code, full.stdout + full.stderr).toBe(0);
    expect(await tableHashes(dir, INCREMENTAL)).toEqual(await tableHashes(fullDir, INCREMENTAL));
    const count = await queryLake(
      dir,
      "select count(*) as n from silver.events where event_id = 'late-event-1'",
    );
    expect(count).toEqual([{ n: 1 }]);
  }, 300_000);
});
