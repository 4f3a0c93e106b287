import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";
import { queryLake } from "../support/lake-reader.js";
import { copyDir, expose, rawHours } from "./lake-fixture.js";

/** Every mart (each is partitioned by its date column and rebuilt by it). */
const MARTS = [
  "marts.sales_by_country",
  "marts.hourly_sales_by_category",
  "marts.customer_lifetime_value",
  "marts.funnel",
  "marts.channel_performance",
];
const chaos = ["--malformed-rate", "0.005", "--duplicate-rate", "0.02", "--late-rate", "0.05"];

let root: string;
let cleanup: () => Promise<void>;
/** The project with every raw hour, built in full: what the incremental builds must equal. */
let fullDir: string;
let hidden: string;
let hours: string[];

const sluice = (dir: string, ...args: string[]) => runSluice(["--project-dir", dir, ...args]);

/** The sorted rows of a relation as canonical JSON lines: equal arrays are equal tables. */
async function rowsOf(dir: string, relation: string): Promise<string[]> {
  return (await queryLake(dir, `select * from ${relation}`))
    .map((row) => JSON.stringify(row))
    .sort();
}

/** Every mart of `dir` equals the same mart of `expectedDir`, row for row. */
async function expectMartsEqual(dir: string, expectedDir: string): Promise<void> {
  for (const mart of MARTS) {
    const [got, want] = await Promise.all([rowsOf(dir, mart), rowsOf(expectedDir, mart)]);
    expect(want.length, mart).toBeGreaterThan(0);
    // One readable difference rather than two arrays of hundreds of rows.
    const i = got.findIndex((row, k) => row !== want[k]);
    expect({ mart, rows: got.length, got: got[i], want: want[i] }).toEqual({
      mart,
      rows: want.length,
      got: undefined,
      want: undefined,
    });
  }
}

/** What each mart's progress line says it replaced: mart → partitions. */
function replaced(out: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const m of out.matchAll(/OK\s+incremental (marts\.\w+) \.+ replaced (\d+) partitions?/g))
    found[m[1]!] = Number(m[2]);
  return found;
}

const eachMart = (n: number) => Object.fromEntries(MARTS.map((m) => [m, n]));

beforeAll(async () => {
  const project = await copyModelsProject();
  cleanup = project.cleanup;
  root = path.dirname(project.dir);
  fullDir = project.dir;
  // Three days, so a day two days old exists when the late event comes.
  const gen = await sluice(
    fullDir,
    ...["generate", "--events", "3000", "--start", "2026-11-25T00:00:00Z", "--hours", "72"],
    ...["--seed", "21", ...chaos],
  );
  expect(gen.code, gen.stderr).toBe(0);
  hidden = path.join(root, "hidden-raw");
  await copyDir(path.join(fullDir, ".lake/raw/events"), hidden);
  hours = await rawHours(hidden);
}, 120_000);

afterAll(async () => cleanup?.());

describe("incremental marts on the local lake", () => {
  let dir: string;

  it("hour by hour, each mart rebuilds only the day the new hour touched and equals a full build row for row", async () => {
    dir = path.join(root, "hourly");
    await copyDir(fullDir, dir);
    await copyDir(hidden, path.join(root, "hourly-raw"));
    await rm(path.join(dir, ".lake"), { recursive: true, force: true });
    const last = hours.slice(-3);
    await expose(path.join(root, "hourly-raw"), dir, hours.slice(0, -3));
    const first = await sluice(dir, "build");
    expect(first.code, first.stdout + first.stderr).toBe(0);
    for (const hour of last) {
      await expose(path.join(root, "hourly-raw"), dir, [hour]);
      const run = await sluice(dir, "build");
      expect(run.code, run.stdout + run.stderr).toBe(0);
      // The last hours of the third day: its own date only, of the three the marts hold.
      expect(replaced(run.stderr), hour).toEqual(eachMart(1));
    }
    const full = await sluice(fullDir, "build", "--full-refresh");
    expect(full.code, full.stdout + full.stderr).toBe(0);
    await expectMartsEqual(dir, fullDir);
  }, 300_000);

  it("a late event for a day two days old rebuilds that day's rows, as a full build has them", async () => {
    // A paid order of the first day, delivered again in a new raw hour as a new order (new ids):
    // the lake receives an event for 2026-11-25 after the 27th.
    const order = await paidOrderOf(
      hidden,
      hours.filter((h) => h.startsWith("2026/11/25/")),
    );
    const late = { ...order, event_id: `late-${order.event_id}` } as PaidOrder;
    late.order.order_id = `late-${order.order.order_id}`;
    const lateHour = "2026/11/28/00";
    for (const zone of [
      path.join(dir, ".lake/raw/events"),
      path.join(fullDir, ".lake/raw/events"),
    ]) {
      await mkdir(path.join(zone, lateHour), { recursive: true });
      await writeFile(
        path.join(zone, lateHour, "late-1.gz"),
        gzipSync(JSON.stringify(late) + "\n"),
      );
    }
    const day = late.event_timestamp.slice(0, 10);
    const country = late.customer.country;
    const before = await salesOf(dir, day, country);

    const run = await sluice(dir, "build");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // The late event's day alone (the lake's window is the new hour: no earlier hour changed).
    expect(replaced(run.stderr)).toEqual(eachMart(1));
    // The day was bound as a literal (sluice_listed): silver.events' kept rows and the marts'
    // reads of silver.events open that day's partition only.
    for (const statements of ["silver/events.sql", "marts/sales_by_country.sql"]) {
      const ran = await readFile(path.join(dir, "target/run", statements), "utf8");
      expect(ran, statements).toContain(`event_date in (DATE '${day}')`);
      expect(ran, statements).not.toContain("sluice_listed");
    }
    const after = await salesOf(dir, day, country);
    // Hand-computed from the event: one more order, its items' units and exact value (in cents).
    const cents = late.order.items.reduce(
      (n, i) => n + i.quantity * Math.round(Number(i.unit_price) * 100),
      0,
    );
    const units = late.order.items.reduce((n, i) => n + i.quantity, 0);
    expect(after).toEqual({
      orders: before.orders + 1,
      units: before.units + units,
      cents: before.cents + cents,
    });
    const full = await sluice(fullDir, "build", "--full-refresh");
    expect(full.code, full.stdout + full.stderr).toBe(0);
    await expectMartsEqual(dir, fullDir);
  }, 300_000);
});

interface PaidOrder {
  event_id: string;
  event_type: string;
  event_timestamp: string;
  customer: { country: string };
  order: { order_id: string; items: { quantity: number; unit_price: number | string }[] };
}

/** The first valid order_paid event in the raw files of these hours. */
async function paidOrderOf(rawDir: string, which: readonly string[]): Promise<PaidOrder> {
  for (const hour of which)
    for (const f of (await readdir(path.join(rawDir, hour))).sort()) {
      const text = gunzipSync(await readFile(path.join(rawDir, hour, f))).toString("utf8");
      for (const line of text.split("\n")) {
        const e = (() => {
          try {
            return JSON.parse(line) as PaidOrder;
          } catch {
            return undefined;
          }
        })();
        if (
          e?.event_type === "order_paid" &&
          e.event_timestamp.startsWith(hour.slice(0, 10).replaceAll("/", "-")) &&
          typeof e.customer?.country === "string" &&
          e.order.items.every((i) => Number.isInteger(i.quantity) && i.quantity > 0)
        )
          return e;
      }
    }
  throw new Error(`no paid order in ${which.join(", ")}`);
}

/** One day and country of sales_by_country: orders, units and revenue in cents. */
async function salesOf(
  dir: string,
  day: string,
  country: string,
): Promise<{ orders: number; units: number; cents: number }> {
  const [row] = await queryLake<{ orders: number; units: number; cents: number }>(
    dir,
    "select coalesce(sum(orders), 0)::bigint as orders, coalesce(sum(units), 0)::bigint as units, " +
      "coalesce(sum(revenue) * 100, 0)::bigint as cents from marts.sales_by_country " +
      `where order_date = date '${day}' and country = '${country.replaceAll("'", "''")}'`,
  );
  return { orders: Number(row!.orders), units: Number(row!.units), cents: Number(row!.cents) };
}
