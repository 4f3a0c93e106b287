import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { startFirehoseLocal } from "@sluice/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

/** Every line of every object under `<lake>/raw/events`, read back from the bytes on disk. */
async function rawLines(lake: string): Promise<string[]> {
  const files = await readdir(path.join(lake, "raw/events"), { recursive: true });
  const lines: string[] = [];
  for (const f of files.filter((f) => /\.gz$/.test(f))) {
    const text = gunzipSync(await readFile(path.join(lake, "raw/events", f))).toString("utf8");
    lines.push(...text.slice(0, -1).split("\n"));
  }
  return lines;
}

/** The seed's production path without AWS: generate → Kinesis → Firehose → raw zone → build. */
describe("generate --sink kinesis through the local Kinesis stream and delivery stream", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  let summary: { events: number; records: number; expected_valid_events: number };
  let endpoint: Awaited<ReturnType<typeof startFirehoseLocal>>;
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    // Partial failures and throttled calls: the sink must retry them and lose nothing. One seeded
    // stream draws both (a throttle per call, a failure per record), so which calls are throttled
    // depends on the order the concurrent calls arrive in: at 0.1, 2 of 3 quiet runs throttled
    // none (and the assertion below failed); 0.25 throttles several in every run tried.
    endpoint = await startFirehoseLocal({
      lakeDir: path.join(dir, ".lake"),
      failureRate: 0.05,
      throttleRate: 0.25,
      bufferIntervalSeconds: 1,
    });
    const gen = await sluice(
      ...["generate", "--events", "12000", "--start", "2026-11-27T00:00:00Z", "--hours", "6"],
      ...["--seed", "7", "--sink", "kinesis", "--endpoint-url", endpoint.url, "--format", "json"],
    );
    await endpoint.close();
    expect(gen.code, gen.stderr).toBe(0);
    summary = JSON.parse(gen.stdout);
  }, 240_000);
  afterAll(() => cleanup());

  it("delivers every record once into the raw zone, in Firehose's layout, named by the stream", async () => {
    // 12,000 is the average rate; midnight to 6 am UTC is the quiet end of the traffic curve.
    expect(summary.events).toBeGreaterThan(7000);
    expect(endpoint.stats.failed).toBeGreaterThan(0);
    expect(endpoint.stats.throttled).toBeGreaterThan(0);
    const lines = await rawLines(path.join(dir, ".lake"));
    expect(lines).toHaveLength(summary.records);
    expect(new Set(lines.map((l) => JSON.parse(l).event_id)).size).toBe(summary.events);
    // The local delivery stream, like Firehose, files objects by when they arrived (now, UTC).
    const files = await readdir(path.join(dir, ".lake/raw/events"), { recursive: true });
    const objects = files.filter((f) => f.endsWith(".gz"));
    expect(objects.length).toBeGreaterThan(0);
    for (const f of objects)
      expect(f).toMatch(
        /^\d{4}\/\d{2}\/\d{2}\/\d{2}\/sluice-events-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/,
      );
  });

  it("records the endpoint never took are an error, exit 1, not '0 records accepted'", async () => {
    // The endpoint closed above: every call is refused (ECONNREFUSED, not retryable).
    for (const sink of ["firehose", "kinesis"]) {
      const r = await sluice(
        ...["generate", "--events", "50", "--start", "2026-11-27T00:00:00Z", "--hours", "1"],
        ...["--sink", sink, "--endpoint-url", endpoint.url, "--stream", "lost-events"],
      );
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `error: (\\d+) of \\1 records were not delivered to ${sink === "firehose" ? "Firehose" : "Kinesis"} stream 'lost-events' \\(\\1 failed\\): \\w+ failed: .*ECONNREFUSED`,
        ),
      );
      expect(r.stderr).toContain("hint: check --endpoint-url");
      // The AWS SDK's 9-line NodeVersionSupportWarning (Node < 22) is `sluice debug`'s to say.
      expect(r.stderr).not.toContain("NodeVersionSupportWarning");
      expect(r.stdout).toMatch(/records accepted, \d+ not delivered$/m);
    }
  });

  it("builds the project from what the stream delivered", async () => {
    const build = await sluice("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const count = await sluice(
      "query",
      "select count(*) as n from silver.events",
      "--format",
      "json",
    );
    expect(JSON.parse(count.stdout)).toEqual([{ n: summary.expected_valid_events }]);
  }, 300_000);
});
