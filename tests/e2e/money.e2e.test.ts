import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtModelsProject } from "../support/built-lake.js";
import { runSluice } from "../support/cli.js";
import { loadProject, runInProcess } from "../incremental/in-process.js";
import { copyDir, expose, rawHours } from "../incremental/lake-fixture.js";
import { queryLake } from "../support/lake-reader.js";

/** Every mart, and the silver tables money flows through. */
const TABLES = [
  "silver.events",
  "silver.order_items",
  "marts.sales_by_country",
  "marts.hourly_sales_by_category",
  "marts.customer_lifetime_value",
  "marts.funnel",
  "marts.channel_performance",
];
/** Money columns and the DECIMAL type each must have. */
const MONEY: Record<string, Record<string, string>> = {
  "silver.events": { price: "DECIMAL(18,2)", order_total: "DECIMAL(18,2)" },
  "silver.order_items": { unit_price: "DECIMAL(18,2)" },
  "marts.sales_by_country": { revenue: "DECIMAL(38,2)" },
  "marts.hourly_sales_by_category": { revenue: "DECIMAL(38,2)" },
  "marts.customer_lifetime_value": {
    order_value: "DECIMAL(38,2)",
    avg_order_value: "DECIMAL(18,2)",
  },
  "marts.channel_performance": { revenue: "DECIMAL(38,2)", avg_order_value: "DECIMAL(18,2)" },
};
const chaos = ["--malformed-rate", "0.005", "--duplicate-rate", "0.02", "--late-rate", "0.05"];

let root: string;
let cleanup: () => Promise<void>;
let fullDir: string;

const sluice = (dir: string, ...args: string[]) => runSluice(["--project-dir", dir, ...args]);

/** A statement's rows as `sluice query --format json` prints them (read in this process). */
const query = <T>(dir: string, sql: string): Promise<T[]> => queryLake<T>(dir, sql);

/** Every row of a table with every column as text (money compared as written), sorted. */
const rowsAsText = (dir: string, table: string) =>
  query<Record<string, string | null>>(
    dir,
    `select columns(*)::varchar from ${table} order by all`,
  );

beforeAll(async () => {
  // Generated and built once per machine (support/built-lake.ts: both must exit 0), copied here.
  const day = ["--events", "4000", "--start", "2026-11-27T00:00:00Z", "--hours", "24"];
  const project = await builtModelsProject({ generate: [...day, "--seed", "23", ...chaos] });
  cleanup = project.cleanup;
  root = path.dirname(project.dir);
  fullDir = project.dir;
}, 300_000);

afterAll(async () => cleanup?.());

describe("money is DECIMAL from staging to the marts", () => {
  it("gives the money columns DECIMAL types", async () => {
    for (const [table, columns] of Object.entries(MONEY)) {
      type Column = { column_name: string; column_type: string };
      const described = await query<Column>(fullDir, `describe ${table}`);
      const types = Object.fromEntries(described.map((c) => [c.column_name, c.column_type]));
      for (const [column, type] of Object.entries(columns)) {
        expect(`${table}.${column} ${types[column]}`).toBe(`${table}.${column} ${type}`);
      }
    }
  });

  it("builds the same silver and marts, to the cent, hourly as in a full build", async () => {
    const raw = path.join(root, "day-raw");
    await copyDir(path.join(fullDir, ".lake/raw/events"), raw);
    const hours = await rawHours(raw);
    expect(hours.length).toBeGreaterThanOrEqual(24);
    const dir = path.join(root, "hourly");
    await copyDir(fullDir, dir);
    await rm(path.join(dir, ".lake"), { recursive: true, force: true });
    await rm(path.join(dir, "target"), { recursive: true, force: true });
    const seeded = await sluice(dir, "seed");
    expect(seeded.code, seeded.stderr).toBe(0);
    const project = await loadProject(dir);
    for (const hour of hours) {
      await expose(raw, dir, [hour]);
      // Every model, silver incremental and marts rebuilt from it, as an hourly job would.
      const r = await runInProcess(project, []);
      const failed = r.results.filter((x) => !["success", "pass"].includes(x.status));
      expect(failed.map((x) => `${hour} ${x.id}: ${x.message}`)).toEqual([]);
    }
    for (const table of TABLES) {
      const hourly = await rowsAsText(dir, table);
      const full = await rowsAsText(fullDir, table);
      expect(hourly.length, table).toBeGreaterThan(0);
      expect(hourly, table).toEqual(full);
    }
  }, 300_000);

  it("rounds averages half up to the cent from the exact total, as Trino does", async () => {
    const averages = [
      ["marts.customer_lifetime_value", "order_value", "orders"],
      ["marts.channel_performance", "revenue", "orders"],
    ] as const;
    let ties = 0;
    for (const [table, total, count] of averages) {
      const rows = await query<{ total: string; n: string; avg: string | null }>(
        fullDir,
        `select ${total}::varchar as total, ${count}::varchar as n, ` +
          `avg_order_value::varchar as avg from ${table}`,
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.total, table).toMatch(/^\d+\.\d{2}$/);
        const cents = BigInt(row.total.replace(".", ""));
        const n = BigInt(row.n);
        if (n === 0n) {
          expect(row.avg, table).toBeNull();
          continue;
        }
        if ((cents * 2n) % (2n * n) === n) ties++;
        const avg = (2n * cents + n) / (2n * n);
        const text = `${avg / 100n}.${String(avg % 100n).padStart(2, "0")}`;
        const quotient = `${table} ${row.total} / ${row.n}`;
        expect(`${quotient} = ${row.avg}`).toBe(`${quotient} = ${text}`);
      }
    }
    // Half-cent averages (e.g. 166.99 / 2) are where a DOUBLE division rounds either way.
    expect(ties).toBeGreaterThan(0);
  });
});
