import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * dbt's `run_started_at` and `modules.datetime`'s now()/today() read the invocation's clock.
 * Before, run_started_at was undefined, and now()/today() were rendered once and replayed from
 * the compile cache by every later build: an hourly model filtering on today() kept the first
 * day's date, without a word.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await writeFile(
    path.join(dir, "models/marts/clock.sql"),
    "{{ config(materialized='table') }}\n" +
      "select '{{ run_started_at }}' as started, '{{ modules.datetime.date.today() }}' as today,\n" +
      "  '{{ (run_started_at - modules.datetime.timedelta(hours=1)).strftime('%Y-%m-%d %H:00') }}' as hour_before,\n" +
      "  '{{ invocation_id }}' as run_id\n",
  );
}, 60_000);
afterAll(async () => cleanup());

/** The UTC time a run id names (`20261207T141500Z_1900`), as Python prints it to the second. */
const timeOfRunId = (id: string) =>
  id.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z_.*$/, "$1-$2-$3 $4:$5:$6");

describe("run_started_at", () => {
  it("is each build's own start, the time its run id names; the compile cache does not replay it", async () => {
    const rows: Record<string, string>[] = [];
    for (let i = 0; i < 2; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1100));
      const r = await sluice("build", "--select", "clock");
      expect(r.code, r.stderr).toBe(0);
      rows.push(...(await query<Record<string, string>>("select * from main.clock")));
    }
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row["started"]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
      expect(row["started"]!.slice(0, 19)).toBe(timeOfRunId(row["run_id"]!));
      expect(row["today"]).toBe(row["started"]!.slice(0, 10));
      // Computed by hand from the row's own start.
      const before = new Date(Date.parse(row["started"]!.replace(" ", "T")) - 3_600_000);
      expect(row["hour_before"]).toBe(`${before.toISOString().slice(0, 13).replace("T", " ")}:00`);
    }
    expect(rows[1]!["started"]).not.toBe(rows[0]!["started"]);
  }, 240_000);

  it("compile shows its own start", async () => {
    const compiled: string[] = [];
    for (let i = 0; i < 2; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1100));
      const r = await sluice("compile", "--select", "clock");
      expect(r.code, r.stderr).toBe(0);
      compiled.push(
        await readFile(path.join(dir, "target/compiled/models/marts/clock.sql"), "utf8"),
      );
    }
    expect(compiled[1]).not.toBe(compiled[0]);
  }, 240_000);
});
