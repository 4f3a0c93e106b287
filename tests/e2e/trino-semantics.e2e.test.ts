import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEnv, pointProdAt, startEndpoint } from "../support/athena-local.js";
import { copyModelsProject, runSluice } from "../support/cli.js";

/**
 * The models give Trino's results on both engines for the raw lines where DuckDB and Trino used
 * to differ: event timestamps with a non-UTC offset near midnight (event_date is the UTC date),
 * ISO strings Trino refuses, integers Trino's cast refuses, JSON Jackson refuses. Expectations
 * are written by hand; the same raw file is built on the local lake and on `sluice athena-local`.
 */
const event = (id: string, fields: { ts?: string; customer?: string; price?: string } = {}) =>
  `{"event_id":"${id}","event_type":"product_view","session_id":"s-${id}",` +
  `"event_timestamp":"${fields.ts ?? "2026-11-27T00:15:00.250Z"}",` +
  `"customer":{"customer_id":${fields.customer ?? "7"},"country":"DE"},` +
  `"session":{"channel":"organic_search","device":"mobile"},` +
  `"product":{"product_id":1,"product_name":"Mug","category":"home","price":${fields.price ?? "9.5"}}}`;

const RAW_HOUR = "raw/events/2026/11/27/00/events-offsets";
const raw =
  [
    event("east", { ts: "2026-11-27T01:30:00+02:00" }),
    event("west", { ts: "2026-11-26T23:30:00-02:00" }),
    event("zulu"),
    event("space", { ts: "2026-11-27 01:00:00" }),
    event("epoch", { ts: "epoch" }),
    event("id-fraction", { customer: "1.5" }),
    event("id-exponent", { customer: "1e3" }),
    event("id-text", { customer: '"12"' }),
    event("price-nan", { price: "NaN" }),
    event("trailing-comma").replace(/}}$/, "},}"),
  ].join("\n") + "\n";

/** By hand: +02:00 at 01:30 is 23:30 UTC the day before; -02:00 at 23:30 is 01:30 UTC the day after. */
const silver = [
  { event_id: "east", ts: "2026-11-26 23:30:00.000", event_date: "2026-11-26", customer_id: "7" },
  {
    event_id: "id-text",
    ts: "2026-11-27 00:15:00.250",
    event_date: "2026-11-27",
    customer_id: "12",
  },
  { event_id: "west", ts: "2026-11-27 01:30:00.000", event_date: "2026-11-27", customer_id: "7" },
  { event_id: "zulu", ts: "2026-11-27 00:15:00.250", event_date: "2026-11-27", customer_id: "7" },
];
/** Rejected lines by reason: Trino's casts, ISO parser and JSON parser refuse them. */
const rejected = [
  { reject_reason: "invalid_customer_id", n: "2" },
  { reject_reason: "invalid_event_timestamp", n: "2" },
  { reject_reason: "malformed_json", n: "2" },
];

const silverSql = (schema: string) =>
  "select event_id, date_format(event_timestamp, '%Y-%m-%d %H:%i:%s.%f') as ts, " +
  "cast(event_date as varchar) as event_date, cast(customer_id as varchar) as customer_id " +
  `from ${schema}.events order by event_id`;
const rejectedSql = (schema: string) =>
  "select reject_reason, cast(count(*) as varchar) as n " +
  `from ${schema}.rejected_events group by reject_reason order by reject_reason`;

/** `ts` to milliseconds: date_format's %f is microseconds on both engines. */
const rows = (stdout: string) =>
  (JSON.parse(stdout) as Record<string, unknown>[]).map((r) =>
    "ts" in r ? { ...r, ts: String(r["ts"]).slice(0, 23) } : r,
  );

describe("Trino semantics of the models on both engines", () => {
  let project: { dir: string; cleanup: () => Promise<void> };
  let aws: string;
  let endpoint: Awaited<ReturnType<typeof startEndpoint>> | undefined;
  const sluice = (...args: string[]) =>
    runSluice(["--project-dir", project.dir, ...args], { env: awsEnv });
  const query = async (target: string, sql: string) => {
    const r = await sluice("query", "--target", target, "--format", "json", sql);
    expect(r.code, r.stderr).toBe(0);
    return rows(r.stdout);
  };

  beforeAll(async () => {
    project = await copyModelsProject();
    aws = await mkdtemp(path.join(os.tmpdir(), "sluice-trino-semantics-"));
    for (const lake of [path.join(project.dir, ".lake"), path.join(aws, "sluice-lake")]) {
      await mkdir(path.dirname(path.join(lake, RAW_HOUR)), { recursive: true });
      await writeFile(path.join(lake, RAW_HOUR), raw);
    }
  });
  afterAll(async () => {
    endpoint?.child.kill("SIGTERM");
    await endpoint?.stopped;
    await project?.cleanup();
    if (aws) await rm(aws, { recursive: true, force: true });
  });

  it("on the local lake: UTC event dates, Trino's rejects", async () => {
    const run = await sluice("run", "--select", "+events", "+rejected_events");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await query("local", silverSql("silver"))).toEqual(silver);
    expect(await query("local", rejectedSql("silver"))).toEqual(rejected);
  }, 120_000);

  it("on sluice athena-local: the same rows", async () => {
    endpoint = await startEndpoint(aws);
    await pointProdAt(project.dir, endpoint.url);
    expect((await sluice("sources", "register", "--target", "prod")).code).toBe(0);
    const run = await sluice("run", "--target", "prod", "--select", "+events", "+rejected_events");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await query("prod", silverSql("ecommerce_silver"))).toEqual(silver);
    expect(await query("prod", rejectedSql("ecommerce_silver"))).toEqual(rejected);
  }, 180_000);
});
