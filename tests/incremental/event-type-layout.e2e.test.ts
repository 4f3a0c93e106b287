import { mkdir, readdir, readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtModelsProject } from "../support/built-lake.js";
import { readRunResults, runSluice } from "../support/cli.js";
import { queryLake } from "../support/lake-reader.js";
import { loadProject, runInProcess } from "./in-process.js";
import { copyDir, rawHours, tableHashes } from "./lake-fixture.js";
import { EVENT_TYPES, declareEventTypeLayout } from "../support/event-type-layout.js";

/**
 * The models project on a raw zone partitioned by event type (Firehose dynamic partitioning,
 * `partitioning: firehose_event_type_hourly`), built hour by hour, against the same seed and
 * hours generated in Firehose's plain hourly layout and built at once. Firehose buffers each
 * partition apart and names an object's hour folder after its oldest record, so a record near
 * an hour's end can land one hour folder apart in the two layouts: `dt` (the arrival hour
 * folder) is compared separately; every other column of every silver table, and every mart,
 * must be equal. Lines with no event_type to partition by (malformed JSON) go to Firehose's
 * `raw-errors/partitioning-failed/`, never to the zone: they are counted from there.
 */
const MARTS = [
  "marts.funnel",
  "marts.sales_by_country",
  "marts.hourly_sales_by_category",
  "marts.customer_lifetime_value",
  "marts.channel_performance",
];
const generate = [
  ...["generate", "--events", "3000", "--start", "2026-11-27T00:00:00Z", "--hours", "12"],
  ...["--seed", "11", "--malformed-rate", "0.005", "--duplicate-rate", "0.02"],
  ...["--late-rate", "0.05"],
];

let root: string;
let cleanup: () => Promise<void>;
let hourlyDir: string;
let typedDir: string;
let hidden: string;
/** The lines Firehose could not partition (from its error documents' base64 `rawData`). */
let unpartitioned: string[];

const sluice = (dir: string, args: string[]) => runSluice(["--project-dir", dir, ...args]);
const zone = (dir: string) => path.join(dir, ".lake/raw/events");

/** Every line of every object under `dir` (gunzipped), recursively. */
async function linesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries.filter((x) => x.isFile())) {
    const bytes = await readFile(path.join(e.parentPath, e.name));
    const text = (e.name.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
    out.push(...text.split("\n").slice(0, -1));
  }
  return out;
}

/** Move raw hours (every event type's folder of each) from a hidden zone into the project. */
async function exposeTyped(dir: string, hours: readonly string[], types = EVENT_TYPES) {
  for (const hour of hours)
    for (const t of types) {
      const from = path.join(hidden, `event_type=${t}`, hour);
      const to = path.join(zone(dir), `event_type=${t}`, hour);
      if (!(await readdir(from).catch(() => undefined))) continue;
      await mkdir(path.dirname(to), { recursive: true });
      await rename(from, to);
    }
}

/** Rows of a table, `dt` left out, sorted: equal multisets compare equal. */
async function rowsWithoutDt(dir: string, table: string): Promise<string[]> {
  const rows = await queryLake(dir, `select columns(c -> c <> 'dt') from ${table}`);
  return rows.map((row) => JSON.stringify(row)).sort();
}

beforeAll(async () => {
  // `generate` then `build`, made once per machine (support/built-lake.ts; the incremental
  // files build the same lake): throws unless both exit 0.
  const project = await builtModelsProject({ generate: generate.slice(1) });
  cleanup = project.cleanup;
  root = path.dirname(project.dir);
  hourlyDir = project.dir;

  typedDir = path.join(root, "typed");
  await copyDir(hourlyDir, typedDir);
  await rm(path.join(typedDir, ".lake"), { recursive: true, force: true });
  await rm(path.join(typedDir, "target"), { recursive: true, force: true });
  await declareEventTypeLayout(typedDir);
  const typed = await sluice(typedDir, [...generate, "--partition-by-event-type"]);
  expect(typed.code, typed.stderr).toBe(0);
  hidden = path.join(root, "typed-raw");
  await copyDir(zone(typedDir), hidden);
  const errorDocs = await linesUnder(path.join(typedDir, ".lake/raw-errors/partitioning-failed"));
  unpartitioned = errorDocs.map((d) =>
    Buffer.from((JSON.parse(d) as { rawData: string }).rawData, "base64")
      .toString("utf8")
      .replace(/\n$/, ""),
  );
  await rm(path.join(typedDir, ".lake"), { recursive: true, force: true });
}, 300_000);

afterAll(async () => cleanup?.());

describe("a raw zone partitioned by event type", () => {
  it("holds the hourly layout's lines, but for those with no event type (sent to partitioning-failed)", async () => {
    const plain = await linesUnder(zone(hourlyDir));
    const typed = await linesUnder(hidden);
    expect(unpartitioned.length).toBeGreaterThan(0);
    expect([...typed, ...unpartitioned].sort()).toEqual([...plain].sort());
    // Each line sits in its own event type's folder.
    for (const t of EVENT_TYPES) {
      const lines = await linesUnder(path.join(hidden, `event_type=${t}`));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l) => (JSON.parse(l) as { event_type: string }).event_type === t)).toBe(
        true,
      );
    }
  }, 120_000);

  it("built hour by hour equals the hourly layout's full build, every run reconciled from the bytes, a late type's file included", async () => {
    const project = await loadProject(typedDir);
    expect(project.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const hours = (
      await Promise.all(EVENT_TYPES.map((t) => rawHours(path.join(hidden, `event_type=${t}`))))
    )
      .flat()
      .filter((h, i, all) => all.indexOf(h) === i)
      .sort();
    expect(hours.length).toBeGreaterThanOrEqual(12);
    // Hour 5's order_paid folder lands after hour 5 was read (Firehose delivers per partition).
    const late = hours[5]!;
    for (const hour of hours) {
      await exposeTyped(typedDir, [hour], hour === late ? EVENT_TYPES.slice(0, 3) : EVENT_TYPES);
      if (hour === hours[7]) await exposeTyped(typedDir, [late], ["order_paid"]);
      const r = await runInProcess(project, ["+events", "+rejected_events"]);
      const failed = r.results.filter((x) => !["success", "pass"].includes(x.status));
      expect(failed.map((x) => `${hour} ${x.id}: ${x.message}`)).toEqual([]);
      const check = r.results.find((x) => x.id === "reconcile.events") as
        { message: string; reconciliation?: { dt: string; rawLines: number }[] } | undefined;
      expect(check?.message, hour).toMatch(/^reconciled \d+ raw partitions from /);
      if (hour !== hours[0]) expect(check?.message, hour).not.toContain("from 0000/00/00/00");
      // The late folder makes its hour read again, from the bytes.
      if (hour === hours[7]) expect(check?.reconciliation?.map((p) => p.dt)).toContain(late);
    }

    // Staging holds one row per raw line: as many as the zone's bytes hold, counted here.
    const lines = await linesUnder(zone(typedDir));
    const staged = await queryLake<{ n: number }>(
      typedDir,
      "select count(*) as n from staging.stg_events",
    );
    expect(staged[0]!.n).toBe(lines.length);

    // A CLI build with no new data builds the marts; its reconciliation reads nothing again.
    const all = await sluice(typedDir, ["build"]);
    expect(all.code, all.stdout + all.stderr).toBe(0);
    const results = (await readRunResults(typedDir)) as {
      results: { id: string; status: string; reconciliation?: unknown[] }[];
    };
    expect(results.results.find((r) => r.id === "reconcile.events")).toMatchObject({
      status: "pass",
      reconciliation: [],
    });

    // Every mart equal; silver equal but for dt and the lines no partition took.
    expect(await tableHashes(typedDir, MARTS)).toEqual(await tableHashes(hourlyDir, MARTS));
    for (const table of ["silver.events", "silver.order_items"])
      expect(await rowsWithoutDt(typedDir, table), table).toEqual(
        await rowsWithoutDt(hourlyDir, table),
      );
    const rejectedLines = async (dir: string) => {
      const q = await queryLake<{ line: string }>(dir, "select line from silver.rejected_events");
      return q.map((r) => r.line).sort();
    };
    expect([...(await rejectedLines(typedDir)), ...unpartitioned].sort()).toEqual(
      await rejectedLines(hourlyDir),
    );
    // dt: the same hour, or the next (a partition's buffer opened later than the shared one).
    const dts = async (dir: string) => {
      const q = await queryLake<{ event_id: string; dt: string }>(
        dir,
        "select event_id, min(dt) as dt from silver.events group by event_id",
      );
      return new Map(q.map((x) => [x.event_id, x.dt]));
    };
    const [plainDt, typedDt] = [await dts(hourlyDir), await dts(typedDir)];
    const hourMs = (dt: string) =>
      Date.parse(`${dt.replaceAll("/", "-").replace(/-(\d\d)$/, "T$1")}:00:00Z`);
    for (const [id, dt] of typedDt)
      expect(Math.abs(hourMs(dt) - hourMs(plainDt.get(id)!)), id).toBeLessThanOrEqual(3_600_000);
  }, 600_000);

  it("source freshness reads the newest hour of any declared event type; other folders are strays", async () => {
    const newest = path.join(zone(typedDir), "event_type=order_paid/2026/12/01/09");
    await mkdir(newest, { recursive: true });
    const file = path.join(newest, "events-1");
    await writeFile(file, '{"event_id":"x","event_type":"order_paid"}\n');
    const t = new Date(Date.now() - 3 * 3_600_000);
    await utimes(file, t, t);
    // A type nobody declared: not data, and not the newest hour.
    const other = path.join(zone(typedDir), "event_type=refund/2026/12/01/10");
    await mkdir(other, { recursive: true });
    await writeFile(path.join(other, "events-1"), '{"event_id":"y","event_type":"refund"}\n');
    const fresh = await sluice(typedDir, ["source", "freshness"]);
    expect(fresh.code, fresh.stdout + fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(
      /^WARN  raw\.events: newest hour 2026\/12\/01\/09, its last file landed 3\.0 h ago/m,
    );
    const build = await sluice(typedDir, ["build", "--select", "+events"]);
    expect(build.stdout + build.stderr).toMatch(
      /outside the event_type=<declared type>\/YYYY\/MM\/DD\/HH layout, not read \(event_type=refund\/\)/,
    );
  }, 300_000);
});
