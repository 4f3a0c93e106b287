import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRawLines } from "../integrity/raw-bytes.js";
import { athenaLocalProject } from "../support/athena-local.js";
import { readRunResults } from "../support/cli.js";
import { EVENT_TYPES, declareEventTypeLayout } from "../support/event-type-layout.js";

/**
 * The models project's prod target on `sluice athena-local` with the raw zone partitioned by
 * event type (Firehose dynamic partitioning): the Glue table projects `event_type` (enum) and
 * `dt`, the run lists each declared type's S3 prefix for its raw hours, and an incremental build
 * reads only the new hours, its reconciliation counting the raw lines by SQL over the projected
 * partitions. Counts are checked against the lines counted from the objects' bytes.
 */
describe("a raw zone partitioned by event type on athena-local", () => {
  let project: Awaited<ReturnType<typeof athenaLocalProject>>;
  const sluice = (...args: string[]) => project.sluice(...args);
  const zone = () => path.join(project.aws, "sluice-lake/raw/events");
  const generate = (start: string, hours: number, seed: number) =>
    sluice(
      ...["generate", "--events", "4000", "--start", start, "--hours", String(hours)],
      ...["--seed", String(seed), "--partition-by-event-type", "--lake"],
      path.join(project.aws, "sluice-lake"),
    );
  /** Lines of the declared types' objects, counted from the bytes. */
  const rawLines = () =>
    EVENT_TYPES.reduce((n, t) => n + countRawLines(path.join(zone(), `event_type=${t}`)).total, 0);

  beforeAll(async () => {
    project = await athenaLocalProject();
    await declareEventTypeLayout(project.dir);
  }, 60_000);

  afterAll(async () => project?.cleanup());

  it("builds, then builds only the new hours, reconciled against the projected partitions", async () => {
    expect((await generate("2026-11-27T00:00:00Z", 6, 1)).code).toBe(0);
    const first = await sluice("build", "--target", "prod");
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const events = async () => {
      const q = await sluice(
        ...["query", "--target", "prod", "--format", "json"],
        "select count(*) as n from ecommerce_silver.events",
      );
      return (JSON.parse(q.stdout) as { n: number }[])[0]!.n;
    };
    const firstLines = rawLines();
    expect(firstLines).toBeGreaterThan(1000);
    expect(await events()).toBe(firstLines);

    // A folder of a type nobody declared is not read, and said so.
    const refund = path.join(zone(), "event_type=refund/2026/11/27/07");
    await mkdir(refund, { recursive: true });
    await writeFile(path.join(refund, "x"), '{"event_type":"refund"}\n');
    expect((await generate("2026-11-27T06:00:00Z", 3, 2)).code).toBe(0);
    const second = await sluice("build", "--target", "prod");
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(await events()).toBe(rawLines());
    const results = (await readRunResults(project.dir)) as {
      results: {
        id: string;
        status: string;
        message: string;
        reconciliation?: { dt: string; raw_lines: number }[];
      }[];
    };
    const check = results.results.find((r) => r.id === "reconcile.events")!;
    expect(check.status, check.message).toBe("pass");
    // Only the window: from the lookback before the first build's newest hour, not from the start.
    expect(check.message).not.toContain("from 0000/00/00/00");
    const counted = check.reconciliation!.reduce((n, p) => n + p.raw_lines, 0);
    const byType = EVENT_TYPES.map(
      (t) => countRawLines(path.join(zone(), `event_type=${t}`)).byHour,
    );
    const windowLines = check
      .reconciliation!.map((p) => p.dt)
      .reduce((n, dt) => n + byType.reduce((m, hours) => m + (hours.get(dt) ?? 0), 0), 0);
    expect(counted).toBe(windowLines);
    expect(check.reconciliation!.every((p) => p.dt >= "2026/11/27/02")).toBe(true);

    const fresh = await sluice("source", "freshness", "--target", "prod");
    expect(fresh.stdout).toMatch(/raw\.events: newest hour 2026\/11\/27\/0[89]/);
  }, 600_000);
});
