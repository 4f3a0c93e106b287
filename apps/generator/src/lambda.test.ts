import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { objectText, readTree } from "../test/lake.js";
import { startFirehoseLocal } from "./firehose-local.js";
import { handler } from "./lambda.js";

const root = mkdtempSync(join(tmpdir(), "sluice-lambda-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("Lambda handler", () => {
  it("sends the hour before the schedule tick to the configured stream", async () => {
    const fh = await startFirehoseLocal({ lakeDir: root, streams: ["shop"] });
    let sent = 0;
    try {
      const env = { SLUICE_STREAM: "shop", SLUICE_EVENTS: "1200", SLUICE_ENDPOINT_URL: fh.url };
      const summary = await handler({ time: "2026-11-27T14:00:07Z" }, env);
      expect(summary.start).toBe("2026-11-27T13:00:00.000Z");
      // 1,200 an hour on average over a week; 13:00 on a Friday is busier than average.
      expect(summary.events).toBeGreaterThan(1200);
      expect(summary.events).toBeLessThan(1700);
      expect(summary.output.firehose).toMatchObject({ sent: summary.events, failed: 0 });
      sent = summary.events;
    } finally {
      await fh.close();
    }
    const files = readTree(root);
    expect([...files.keys()].every((k) => k.includes("/shop-1-"))).toBe(true);
    const lines = [...files].flatMap(([k, b]) => objectText(k, b).slice(0, -1).split("\n"));
    expect(lines).toHaveLength(sent);
    const times = lines.map((l) => Date.parse(JSON.parse(l).event_timestamp));
    // Sessions that start just before 14:00 may finish a few minutes after it.
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse("2026-11-27T13:00:00Z"));
    expect(Math.max(...times)).toBeLessThan(Date.parse("2026-11-27T14:30:00Z"));
    // Browsing sessions are long-tailed: a few percent of the events come after the hour.
    const after = times.filter((t) => t >= Date.parse("2026-11-27T14:00:00Z")).length;
    expect(after).toBeLessThan(sent * 0.1);
  });

  it("sends to the Kinesis stream when SLUICE_KINESIS_STREAM is set", async () => {
    const lakeDir = join(root, "kinesis");
    const endpoint = await startFirehoseLocal({ lakeDir, streams: ["shop-stream"] });
    let sent = 0;
    try {
      const env = {
        SLUICE_KINESIS_STREAM: "shop-stream",
        SLUICE_EVENTS: "300",
        SLUICE_ENDPOINT_URL: endpoint.url,
      };
      const summary = await handler({ time: "2026-11-27T14:00:07Z" }, env);
      expect(summary.sink).toBe("kinesis");
      expect(summary.output.firehose).toBeUndefined();
      expect(summary.output.kinesis).toMatchObject({ sent: summary.events, failed: 0 });
      sent = summary.events;
    } finally {
      await endpoint.close();
    }
    const files = readTree(lakeDir);
    expect([...files.keys()].every((k) => k.includes("/shop-stream-1-"))).toBe(true);
    const lines = [...files].flatMap(([k, b]) => objectText(k, b).slice(0, -1).split("\n"));
    expect(lines).toHaveLength(sent);
  });

  it("rejects a bad environment before doing any work", async () => {
    await expect(handler({}, { SLUICE_EVENTS: "lots" })).rejects.toThrow(
      /SLUICE_STREAM.*SLUICE_EVENTS|SLUICE_EVENTS.*SLUICE_STREAM/,
    );
    await expect(handler({}, { SLUICE_STREAM: "a", SLUICE_KINESIS_STREAM: "b" })).rejects.toThrow(
      /exactly one of SLUICE_KINESIS_STREAM \(Kinesis\) and SLUICE_STREAM/,
    );
  });
});
