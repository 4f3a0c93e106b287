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
    const fh = await startFirehoseLocal({ lakeDir: root });
    try {
      const env = { SLUICE_STREAM: "shop", SLUICE_EVENTS: "1200", SLUICE_ENDPOINT_URL: fh.url };
      const summary = await handler({ time: "2026-11-27T14:00:07Z" }, env);
      expect(summary.start).toBe("2026-11-27T13:00:00.000Z");
      expect(summary.output.firehose).toMatchObject({ sent: 1200, failed: 0 });
    } finally {
      await fh.close();
    }
    const files = readTree(root);
    expect([...files.keys()].every((k) => k.includes("/shop-1-"))).toBe(true);
    const lines = [...files].flatMap(([k, b]) => objectText(k, b).slice(0, -1).split("\n"));
    expect(lines).toHaveLength(1200);
    const times = lines.map((l) => Date.parse(JSON.parse(l).event_timestamp));
    // Sessions that start just before 14:00 may finish a few minutes after it.
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse("2026-11-27T13:00:00Z"));
    expect(Math.max(...times)).toBeLessThan(Date.parse("2026-11-27T14:30:00Z"));
    expect(times.filter((t) => t >= Date.parse("2026-11-27T14:00:00Z")).length).toBeLessThan(60);
  });

  it("rejects a bad environment before doing any work", async () => {
    await expect(handler({}, { SLUICE_EVENTS: "lots" })).rejects.toThrow(
      /SLUICE_STREAM.*SLUICE_EVENTS|SLUICE_EVENTS.*SLUICE_STREAM/,
    );
  });
});
