import { readFile, readdir, utimes } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaLocalProject, callLog, fillRawZone } from "../support/athena-local.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

/**
 * `sluice source freshness` on the Athena target (issue #17), against `sluice athena-local`
 * through the real SDK v3 S3 client: the Firehose raw source (warn after 2 hours, error after 6)
 * is judged from its newest hour folder and its objects' LastModified, listed with
 * ListObjectsV2; no Athena query runs and no object is read. athena-local serves LastModified
 * from its files' times, which the test sets (as Firehose's delivery times).
 */
describe("sluice source freshness on Athena (athena-local)", () => {
  let p: Project;
  const hourDir = (hour: string) => path.join(p.aws, "sluice-lake/raw/events", hour);
  /** Set every object of a raw hour as landed `hoursAgo` hours ago. */
  const landed = async (hour: string, hoursAgo: number) => {
    const t = new Date(Date.now() - hoursAgo * 3_600_000);
    const files = await readdir(hourDir(hour));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) await utimes(path.join(hourDir(hour), f), t, t);
    return t;
  };
  const freshness = async () => {
    await callLog(p.endpoint.url, true);
    const r = await p.sluice("source", "freshness", "--target", "prod");
    const calls = (await callLog(p.endpoint.url)).map((c) => c.api);
    const json = JSON.parse(await readFile(path.join(p.dir, "target/sources.json"), "utf8")) as {
      results: { unique_id: string; status: string; max_loaded_at?: string }[];
    };
    return { ...r, calls, results: json.results };
  };

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0 });
    // Hours 2026/11/27/00 to 02 in s3://sluice-lake/raw/events/, as Firehose writes them.
    const generated = await fillRawZone(p, {
      events: 120,
      start: "2026-11-27T00:00:00Z",
      hours: 3,
      seed: 3,
    });
    expect(generated.code, generated.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await p?.cleanup();
  });

  it("pass, warn and error from the newest hour's LastModified, listed, never read or queried", async () => {
    // An older hour whose objects are newer does not count: the newest hour folder does.
    await landed("2026/11/27/00", 9);
    await landed("2026/11/27/01", 0);
    const newest = await landed("2026/11/27/02", 1);
    const pass = await freshness();
    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(
      /^PASS  raw\.events: newest hour 2026\/11\/27\/02, its last file landed 1\.0 h ago \(warn after 2 hours, error after 6 hours\)$/m,
    );
    expect(pass.results).toHaveLength(1);
    expect(pass.results[0]).toMatchObject({ unique_id: "source.raw.events", status: "pass" });
    // LastModified has whole seconds.
    expect(Math.abs(Date.parse(pass.results[0]!.max_loaded_at!) - newest.getTime())).toBeLessThan(
      1000,
    );
    // Listed through S3 alone: no Athena query, no object read.
    expect(pass.calls.filter((c) => c === "S3.ListObjectsV2").length).toBeGreaterThan(0);
    expect(pass.calls.filter((c) => !c.startsWith("S3.ListObjects"))).toEqual([]);

    await landed("2026/11/27/02", 3);
    await landed("2026/11/27/01", 3);
    const warn = await freshness();
    expect(warn.code, warn.stdout + warn.stderr).toBe(0);
    expect(warn.stdout).toMatch(/^WARN  raw\.events: newest hour 2026\/11\/27\/02, .* 3\.0 h ago/m);
    expect(warn.results[0]!.status).toBe("warn");

    await landed("2026/11/27/02", 7);
    await landed("2026/11/27/01", 7);
    const error = await freshness();
    expect(error.code).toBe(1);
    expect(error.stdout).toMatch(/^ERROR raw\.events: .* 7\.0 h ago/m);
    expect(error.results[0]!.status).toBe("error");
  });
});
