import { cp, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaLocalProject, setFaults } from "../support/athena-local.js";
import { rawHours } from "../incremental/lake-fixture.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

const SELECT = ["--select", "+events", "+rejected_events"];

/**
 * A Firehose hour still being written when a run reads it: its last file lands after the models
 * read the hour but before the reconciliation counts it, so the hour does not balance. Athena
 * records it pending with the watermark (`sluice_pending_from`), and the next run, even many hours
 * later (past the lookback window), reads it again: the rows end up equal to the local lake's
 * over the complete hour, each event once.
 */
describe("a half-written raw hour on Athena stays pending until it balances", () => {
  let p: Project;
  let hidden: string;
  let hours: string[];
  let late: { hour: string; file: string };
  const bucketRaw = () => path.join(p.aws, "sluice-lake/raw/events");
  const lakeRaw = () => path.join(p.dir, ".lake/raw/events");
  const deliver = async (zone: string, which: readonly string[]) => {
    for (const hour of which) {
      await mkdir(path.dirname(path.join(zone, hour)), { recursive: true });
      await cp(path.join(hidden, hour), path.join(zone, hour), { recursive: true });
    }
  };
  /** The event ids of silver.events and the rejected lines' count on one target. */
  const outcome = async (target: string, events: string, rejected: string) => {
    const q = async (sql: string) => {
      const r = await p.sluice("query", "--target", target, "--format", "json", sql);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Record<string, unknown>[];
    };
    const ids = (await q(`select event_id from ${events}`)).map((r) => String(r["event_id"]));
    const [{ n }] = (await q(`select count(*) as n from ${rejected}`)) as [{ n: unknown }];
    return { ids: ids.sort(), rejected: Number(n) };
  };

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0 });
    hidden = path.join(p.aws, "..", `${path.basename(p.aws)}-hidden`);
    const gen = await p.sluice(
      ...["generate", "--events", "600", "--start", "2026-11-27T00:00:00Z", "--hours", "10"],
      ...["--seed", "31", "--lake", hidden],
    );
    expect(gen.code, gen.stderr).toBe(0);
    hidden = path.join(hidden, "raw/events");
    hours = await rawHours(hidden);
    expect(hours.length).toBeGreaterThanOrEqual(10); // late events may add an hour
    const files = (await readdir(path.join(hidden, hours[4]!))).sort();
    expect(files.length).toBeGreaterThan(1);
    late = { hour: hours[4]!, file: files.at(-1)! };
  }, 120_000);

  afterAll(async () => {
    await rm(path.dirname(path.dirname(hidden)), { recursive: true, force: true });
    await p?.cleanup();
  });

  it("the hour's last file lands while the run reconciles: the run fails the balance and records the hour pending", async () => {
    await deliver(bucketRaw(), hours.slice(0, 5));
    await rm(path.join(bucketRaw(), late.hour, late.file));
    const first = await p.sluice("run", "--target", "prod", ...SELECT);
    expect(first.code, first.stdout + first.stderr).toBe(0);

    // Five more hours (past the 3-hour lookback); the reconciliation waits in the queue while
    // the late file lands.
    await deliver(bucketRaw(), hours.slice(5));
    await setFaults(p.endpoint.url, { queries: [{ match: "silver_rows", queue: true }] });
    const child = p.start("run", "--target", "prod", ...SELECT);
    for (;;) {
      const rules = (await (await fetch(`${p.endpoint.url}/_aws-local/faults`)).json()) as {
        queries: { left: number }[];
      };
      if (rules.queries[0]!.left === 0 || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await cp(path.join(hidden, late.hour, late.file), path.join(bucketRaw(), late.hour, late.file));
    await fetch(`${p.endpoint.url}/_aws-local/faults`, { method: "DELETE" });
    const second = await child.done;
    expect(second.code, second.stdout + second.stderr).toBe(1);
    expect(second.stdout + second.stderr).toContain(`${late.hour} raw `);
    expect(second.stdout + second.stderr).toMatch(
      /read again by the next build until they balance/,
    );
  }, 240_000);

  it("the next run, with no new data, reads the pending hour again: it balances, nothing lost or doubled", async () => {
    const third = await p.sluice("run", "--target", "prod", ...SELECT);
    expect(third.code, third.stdout + third.stderr).toBe(0);
    const m = /reconciled (\d+) raw partitions from (\S+): raw ([\d,]+) = silver/.exec(
      third.stdout + third.stderr,
    );
    expect(m, third.stdout + third.stderr).not.toBeNull();
    expect(m![2]! <= late.hour, m![2]).toBe(true);

    // Then nothing is pending: a further run with no new data rewrites nothing.
    const fourth = await p.sluice("run", "--target", "prod", ...SELECT);
    expect(fourth.code).toBe(0);
    expect(fourth.stderr).toMatch(/ecommerce_silver\.events \.* unchanged: /);

    await deliver(lakeRaw(), hours);
    const lake = await p.sluice("run", ...SELECT);
    expect(lake.code, lake.stdout + lake.stderr).toBe(0);
    const athena = await outcome(
      "prod",
      "ecommerce_silver.events",
      "ecommerce_silver.rejected_events",
    );
    const local = await outcome("local", "silver.events", "silver.rejected_events");
    expect(new Set(athena.ids).size).toBe(athena.ids.length);
    expect(athena.ids.length).toBe(local.ids.length);
    expect(athena).toEqual(local);
  }, 240_000);
});
