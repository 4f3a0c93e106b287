import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyModelsProject,
  finishMessages,
  jsonLog,
  repoRoot,
  runSluice,
  readRunResults,
  type LogEvent,
} from "../support/cli.js";
import { queryLake } from "../support/lake-reader.js";

// What a run prints, checked from outside: --log-format json (every line parses, every node
// that ran has its events, they agree with run_results.json) and the row message of each
// incremental strategy against counts taken independently (raw bytes, table counts).
describe("sluice build output", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const generate = (start: string, hours: number, seed: number) =>
    sluice(
      "generate",
      ...["--events", "1500", "--start", start, "--hours", String(hours), "--seed", String(seed)],
      ...["--malformed-rate", "0.05"],
    );
  const count = async (sql: string): Promise<number> =>
    Number((await queryLake<{ n: number | string }>(dir, sql))[0]!.n);
  const finished = (events: LogEvent[], id: string): LogEvent =>
    events.find((e) => e.event === "node_finish" && e.node_id === id)!;

  const rawDir = () => path.join(dir, ".lake/raw/events");
  /** Raw hour ('YYYY/MM/DD/HH') → its objects' names, one per line (in-flight '.' files left out). */
  const rawListing = async (): Promise<Map<string, string>> => {
    const files = await readdir(rawDir(), { recursive: true, withFileTypes: true });
    const hours = new Map<string, string[]>();
    for (const f of files.filter((e) => e.isFile() && !e.name.startsWith("."))) {
      const hour = path.relative(rawDir(), f.parentPath).split(path.sep).join("/");
      hours.set(hour, [...(hours.get(hour) ?? []), f.name]);
    }
    return new Map([...hours].map(([h, names]) => [h, names.sort().join("\n")]));
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    expect((await generate("2026-11-27T00:00:00Z", 6, 5)).code).toBe(0);
  });
  afterAll(async () => cleanup());

  it("--log-format json: one JSON event per line, for every node, agreeing with run_results.json", async () => {
    const r = await sluice("build", "--log-format", "json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/ (START|OK|PASS) /);
    const events = jsonLog(r.stdout);
    for (const e of events) {
      expect(Number.isNaN(Date.parse(e.ts))).toBe(false);
      expect(["node_start", "node_finish", "test_result", "run_finish"]).toContain(e.event);
    }
    const last = events.at(-1) as LogEvent & { results_file: string; statuses: object };
    expect(last.event).toBe("run_finish");
    expect(last.results_file).toBe(
      path.relative(repoRoot, path.join(dir, "target/run_results.json")),
    );
    const saved = (await readRunResults(dir)) as {
      elapsed_ms: number;
      results: { id: string; kind: string; status: string; elapsed_ms: number }[];
    };
    expect(saved.elapsed_ms).toBeGreaterThan(0);
    const ends = events.filter((e) => e.event === "node_finish" || e.event === "test_result");
    expect(ends.map((e) => `${e.node_id} ${e.status}`).sort()).toEqual(
      saved.results.map((n) => `${n.id} ${n.status}`).sort(),
    );
    // Every node that started finished, after it started.
    for (const start of events.filter((e) => e.event === "node_start")) {
      const end = ends.find((e) => e.node_id === start.node_id)!;
      expect(events.indexOf(end)).toBeGreaterThan(events.indexOf(start));
    }
    expect(ends.filter((e) => e.event === "test_result").length).toBe(
      saved.results.filter((n) => n.kind === "test").length,
    );
    expect(finished(events, "model.stg_events").message).toMatch(/^created table [\d,]+ rows$/);
  });

  it("insert_overwrite: 'replaced N partitions, M rows', from the raw hours that changed", async () => {
    const before = await rawListing();
    expect((await generate("2026-11-27T06:00:00Z", 2, 6)).code).toBe(0);
    const after = await rawListing();
    // New hour folders, and the last one before (sessions that began before 06:00 and ended
    // after landed in it) which got new files: what the run must re-read, and only that.
    const changed = [...after.keys()].filter((h) => before.get(h) !== after.get(h));
    expect(changed.length).toBeGreaterThanOrEqual(2);
    const r = await sluice("build", "-s", "stg_events", "--log-format", "json");
    expect(r.code, r.stderr).toBe(0);
    const message = finished(jsonLog(r.stdout), "model.stg_events").message!;
    const [, partitions, rows] = /^replaced (\d+) partitions?, ([\d,]+) rows?$/.exec(message) ?? [];
    expect(Number(partitions)).toBe(changed.length);
    // stg_events keeps one row per raw line: count the lines of those hours' files.
    let lines = 0;
    for (const hour of changed) {
      for (const file of after.get(hour)!.split("\n")) {
        const text = gunzipSync(await readFile(path.join(rawDir(), hour, file))).toString("utf8");
        lines += text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
      }
    }
    expect(Number(rows!.replaceAll(",", ""))).toBe(lines);
  });

  it("append: 'inserted N rows (table: T)', N what the table grew by, T its count after", async () => {
    const model = path.join(dir, "silver/rejected_events.sql");
    const sql = await readFile(model, "utf8");
    await writeFile(model, sql.replace("'insert_overwrite'", "'append'"));
    const before = await count("select count(*) as n from silver.rejected_events");
    expect((await generate("2026-11-27T08:00:00Z", 2, 7)).code).toBe(0);
    const r = await sluice("build", "-s", "+rejected_events", "--log-format", "json");
    expect(r.code, r.stderr).toBe(0);
    const message = finished(jsonLog(r.stdout), "model.rejected_events").message!;
    const after = await count("select count(*) as n from silver.rejected_events");
    expect(after).toBeGreaterThan(before);
    const n = (x: number) => x.toLocaleString("en-US");
    expect(message).toBe(`inserted ${n(after - before)} rows (table: ${n(after)})`);
  });

  it("table, view, seed and merge: each says what it did, with counts taken by query", async () => {
    // A table, a view and a merged model next to the project's seed (the marts are incremental).
    await writeFile(
      path.join(dir, "marts/event_type_counts.sql"),
      "{{ config(materialized='table') }}\nselect event_type, count(*) as n from {{ ref('events') }} group by 1\n",
    );
    await writeFile(
      path.join(dir, "marts/paid_orders_view.sql"),
      "{{ config(materialized='view') }}\nselect order_id from {{ ref('events') }} where event_type = 'order_paid'\n",
    );
    await writeFile(
      path.join(dir, "silver/event_types.sql"),
      "{{ config(materialized='incremental', incremental_strategy='merge', unique_key='event_id') }}\n" +
        "select event_id, event_type from {{ ref('events') }}\n",
    );
    // A changed seed is loaded again (an unchanged one is not: seed-unchanged.e2e).
    const seed = path.join(dir, "seeds/country_codes.csv");
    await writeFile(seed, (await readFile(seed, "utf8")) + "Atlantis,XA,XAA\n");
    // Selected so the append test's duplicates (rejected_events) fail no reconciliation here.
    const messages = async (select: string) => {
      const r = await sluice("build", "-s", select, "--log-format", "json");
      expect(r.code, r.stderr).toBe(0);
      const messages = finishMessages(r.stdout);
      return (id: string) => messages.get(id);
    };
    const first = await messages("event_type_counts paid_orders_view country_codes event_types");
    const n = async (relation: string) =>
      (await count(`select count(*) as n from ${relation}`)).toLocaleString("en-US");
    expect(first("model.event_type_counts")).toBe(
      `created table ${await n("marts.event_type_counts")} rows`,
    );
    expect(first("model.paid_orders_view")).toBe("created view");
    expect(first("seed.country_codes")).toBe(
      `created table ${await n("seeds.country_codes")} rows`,
    );
    expect(first("model.event_types")).toBe(`created table ${await n("silver.events")} rows`);
    // Merged again with new events: every event_id once, so the table is silver.events' count.
    expect((await generate("2026-11-27T10:00:00Z", 1, 8)).code).toBe(0);
    const second = await messages("+event_types");
    expect(second("model.event_types")).toBe(`merged (table: ${await n("silver.events")})`);
    expect(await n("silver.event_types")).toBe(
      (await count("select count(distinct event_id) as n from silver.event_types")).toLocaleString(
        "en-US",
      ),
    );
  });

  it("--format json with --log-format json: both want stdout, exit 2 before anything runs", async () => {
    const r = await sluice("build", "--format", "json", "--log-format", "json");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "error: --format json and --log-format json both write to stdout: choose one",
    );
    expect(r.stdout).toBe("");
  });
});
