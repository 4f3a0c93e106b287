import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, jsonLog, runSluice, type LogEvent } from "../support/cli.js";
import { onLakeCatalog, queryLake } from "../support/lake-reader.js";
import { copyDir, expose, rawHours, tableHashes } from "./lake-fixture.js";

/**
 * The hourly build of silver.events, with what reconciles it (each window then starts at the new
 * hour) and order_items.
 */
const SILVER = ["-s", "+events", "+rejected_events", "+order_items"];

/**
 * silver.events' `carry_where='dt < sluice_incremental_from()'` on the local lake: an hourly run
 * writes only the window's rows and carries the rows of older raw hours (their files linked when
 * they hold nothing else), instead of rewriting every row of a day a late event reopens. Checked
 * from outside: the row message against counts of the table, the new version's files against
 * the old one's inodes, and the table against a full build of the same raw hours.
 */
describe("carry_where: an hourly run writes only its window's rows", () => {
  let dir: string;
  let hidden: string;
  let hours: string[];
  let cleanup: () => Promise<void>;
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const eventsDir = () => path.join(dir, ".lake/silver/events");
  /**
   * The folder silver.events' view reads, from DuckDB's catalog. Not the newest folder by name:
   * a folder is `v_<run id>`, the run id a UTC second and a random suffix, so two runs in one
   * second (an hourly build takes under one) are in no order by name.
   */
  const published = async () => {
    const [view] = await queryLake<{ sql: string }>(
      dir,
      "select sql from duckdb_views() where schema_name = 'silver' and view_name = 'events'",
    );
    const folder = (await readdir(eventsDir())).find((v) =>
      view?.sql.includes(`${path.join(eventsDir(), v)}/`),
    );
    if (!view || !folder) throw new Error(`silver.events reads no version folder: ${view?.sql}`);
    return path.join(eventsDir(), folder);
  };
  /** Inode → file name, for the Parquet files of a version folder. */
  const inodes = async (version: string) => {
    const out = new Map<number, string>();
    for (const name of await readdir(version, { recursive: true }))
      if (name.endsWith(".parquet")) out.set((await stat(path.join(version, name))).ino, name);
    return out;
  };
  const count = async (sql: string) =>
    Number((await queryLake<{ n: number | string }>(dir, sql))[0]!.n);

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    // Across midnight, with many late events: each hour reopens the day before.
    const generated = await sluice(
      ...["generate", "--events", "4000", "--start", "2026-11-26T20:00:00Z", "--hours", "8"],
      ...["--seed", "23", "--late-rate", "0.2", "--duplicate-rate", "0.05"],
    );
    expect(generated.code, generated.stderr).toBe(0);
    hidden = path.join(path.dirname(dir), "hidden-raw");
    await copyDir(path.join(dir, ".lake/raw/events"), hidden);
    hours = await rawHours(hidden);
    const { rm } = await import("node:fs/promises");
    await rm(path.join(dir, ".lake"), { recursive: true, force: true });
  }, 120_000);
  afterAll(async () => cleanup());

  it("each run writes the window's rows, links the files of older hours and equals a full build", async () => {
    await expose(hidden, dir, hours.slice(0, 5));
    expect((await sluice("build", ...SILVER)).code).toBe(0);
    for (const hour of hours.slice(5)) {
      const before = await published();
      const oldFiles = await inodes(before);
      await expose(hidden, dir, [hour]);
      const r = await sluice("build", ...SILVER, "--log-format", "json");
      expect(r.code, r.stderr).toBe(0);
      // The window as the run's plan of silver.events states it.
      const plan = await readFile(path.join(dir, "target/run/silver/events.plan.txt"), "utf8");
      const from = /window: from (\S+)/.exec(plan)?.[1];
      expect(from).toBe(hour);
      const finish = jsonLog(r.stdout).find(
        (e: LogEvent) => e.event === "node_finish" && e.node_id === "model.events",
      )!;
      const [, written, carried] =
        /^replaced \d+ partitions?, ([\d,]+) rows? \(([\d,]+) rows? carried\)$/.exec(
          finish.message!,
        ) ?? [];
      const n = (s: string | undefined) => Number(s!.replaceAll(",", ""));
      // Written: the rows of the window's raw hours; carried: every other row of the table.
      const windowRows = await count(
        `select count(*) as n from silver.events where dt >= '${from}'`,
      );
      const total = await count("select count(*) as n from silver.events");
      expect(n(written)).toBe(windowRows);
      expect(n(carried)).toBe(total - windowRows);
      expect(windowRows).toBeLessThan(total / 3);
      // Every file of the old version that held only older hours is in the new one, linked.
      const older = await queryLake<{ f: string; newest: string }>(
        dir,
        `select filename as f, max(dt) as newest from read_parquet('${before}/**/*.parquet', filename = true) group by 1`,
      );
      const newFiles = await inodes(await published());
      for (const file of older) {
        const ino = (await stat(file.f)).ino;
        if (file.newest < from!) expect(newFiles.has(ino), file.f).toBe(true);
        else expect(newFiles.has(ino), file.f).toBe(false);
      }
      expect(oldFiles.size).toBeGreaterThan(0);
    }
    // The same raw hours built at once.
    const incremental = await tableHashes(dir, ["silver.events", "silver.order_items"]);
    expect((await sluice("build", ...SILVER, "--full-refresh")).code).toBe(0);
    expect(await tableHashes(dir, ["silver.events", "silver.order_items"])).toEqual(incremental);
  }, 300_000);

  it("a late file in an hour already read: the older rows of the files it reopens are copied out, the rest equal a full build", async () => {
    // Hold back one file of the last hour, run, then deliver it: the window restarts there, and
    // the files of that hour's rows mix them with older ones.
    const { existsSync } = await import("node:fs");
    await expose(
      hidden,
      dir,
      hours.filter((h) => existsSync(path.join(hidden, h))),
    );
    const lastHour = hours.at(-1)!;
    const folder = path.join(dir, ".lake/raw/events", lastHour);
    const [file] = (await readdir(folder)).sort();
    const held = path.join(path.dirname(dir), "held-file");
    await rename(path.join(folder, file!), held);
    expect((await sluice("build", ...SILVER, "--full-refresh")).code).toBe(0);
    await rename(held, path.join(folder, file!));
    const late = await sluice("build", ...SILVER);
    expect(late.code, late.stderr).toBe(0);
    const plan = await readFile(path.join(dir, "target/run/silver/events.plan.txt"), "utf8");
    expect(plan).toContain(`window: from ${lastHour}`);
    expect(plan).toContain("rows where dt < ");
    const incremental = await tableHashes(dir, ["silver.events"]);
    expect((await sluice("build", ...SILVER, "--full-refresh")).code).toBe(0);
    expect(await tableHashes(dir, ["silver.events"])).toEqual(incremental);
  }, 300_000);

  it("carry_where on a model that is not insert_overwrite stops the build at the config, exit 2", async () => {
    const model = path.join(dir, "marts/carry_table.sql");
    await writeFile(
      model,
      "{{ config(materialized='table', carry_where='dt < sluice_incremental_from()') }}\nselect 1 as x\n",
    );
    const r = await sluice("compile");
    await (await import("node:fs/promises")).rm(model);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /carry_table\.sql:1:\d+: error CONFIG_CONFLICT: carry_where is read only by incremental_strategy 'insert_overwrite'/,
    );
  }, 120_000);

  it("a version records the rows of each file it carried, as its files hold them; a lowered bound, or a lake without the record, still equals a full build", async () => {
    /** The published version's record, checked against its files from outside. */
    const checkRecord = async () => {
      const version = await published();
      const [row] = await queryLake<{ carried: string | null }>(
        dir,
        `select carried from main.sluice_versions where table_name = 'events' and version = '${path.basename(version)}'`,
      );
      const record = JSON.parse(row!.carried!) as {
        bound: string;
        files: Record<string, [number, number]>;
      };
      // Every file it carried (flat, `~`), with its bytes and rows.
      const flat = (await readdir(version)).filter((f) => f.includes("~")).sort();
      expect(Object.keys(record.files).sort()).toEqual(flat);
      expect(flat.length).toBeGreaterThan(0);
      for (const [file, [bytes, rows]] of Object.entries(record.files)) {
        const at = path.join(version, file);
        expect((await stat(at)).size, file).toBe(bytes);
        expect(await count(`select count(*) as n from read_parquet('${at}')`), file).toBe(rows);
      }
      const plan = await readFile(path.join(dir, "target/run/silver/events.plan.txt"), "utf8");
      expect(record.bound).toBe(/window: from (\S+)/.exec(plan)?.[1]);
      return record;
    };
    const hourly = async () => {
      const r = await sluice("build", ...SILVER);
      expect(r.code, r.stderr).toBe(0);
    };
    // Start again from five hours, one file of the fifth held back.
    const { existsSync } = await import("node:fs");
    for (const hour of hours) {
      const exposed = path.join(dir, ".lake/raw/events", hour);
      if (existsSync(exposed)) await rename(exposed, path.join(hidden, hour));
    }
    await rm(path.join(dir, ".lake"), { recursive: true, force: true });
    await expose(hidden, dir, hours.slice(0, 5));
    const folder = path.join(dir, ".lake/raw/events", hours[4]!);
    const [file] = (await readdir(folder)).sort();
    const held = path.join(path.dirname(dir), "held-file-2");
    await rename(path.join(folder, file!), held);
    await hourly();
    await expose(hidden, dir, [hours[5]!]);
    await hourly();
    await expose(hidden, dir, [hours[6]!]);
    await hourly();
    expect((await checkRecord()).bound).toBe(hours[6]);
    // A lake from before the record: the column goes; the next run adds it, counts, records.
    await onLakeCatalog(dir, "ALTER TABLE main.sluice_versions DROP COLUMN carried");
    await expose(hidden, dir, [hours[7]!]);
    await hourly();
    expect((await checkRecord()).bound).toBe(hours[7]);
    // The held file arrives: the window starts at hours[4] again, below the recorded bound.
    await rename(held, path.join(folder, file!));
    await hourly();
    expect((await checkRecord()).bound).toBe(hours[4]);
    const incremental = await tableHashes(dir, ["silver.events", "silver.order_items"]);
    expect((await sluice("build", ...SILVER, "--full-refresh")).code).toBe(0);
    expect(await tableHashes(dir, ["silver.events", "silver.order_items"])).toEqual(incremental);
  }, 300_000);
});
