import { mkdir, readFile, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtModelsProject } from "../support/built-lake.js";
import { runSluice } from "../support/cli.js";
import { queryLake } from "../support/lake-reader.js";
import { countRawLines } from "./raw-bytes.js";

// The hostile raw zone: one case per class of file and line that used to be lost, stop the build
// or pass the reconciliation unnoticed. After every build, each line of every readable file must
// be in exactly one place (silver, rejected with a reason, a duplicate, quarantined), counted by
// this test from the bytes.

let dir: string;
let raw: string;
let cleanup: () => Promise<void>;
const sluice = (args: string[]) => runSluice(["--project-dir", dir, ...args]);
/** The results that did not pass, for failure messages. */
const notPassed = (stdout: string): string =>
  (JSON.parse(stdout) as { results: { id: string; status: string; message: string }[] }).results
    .filter((r) => !["pass", "success"].includes(r.status))
    .map((r) => `${r.id} ${r.status}: ${r.message}`)
    .join("\n");
const event = (id: string, extra = ""): string =>
  `{"event_id":"${id}","event_type":"product_view","session_id":"s-${id}","event_timestamp":"2026-11-27T09:30:00Z",` +
  `"customer":{"customer_id":7,"country":"DE"},"session":{"channel":"organic_search","device":"mobile"},` +
  `"product":{"product_id":1,"product_name":"Mug","category":"home","price":9.5}${extra}}`;
const lines = (prefix: string, n: number): string =>
  Array.from({ length: n }, (_, i) => event(`${prefix}-${i}`)).join("\n") + "\n";

async function put(rel: string, bytes: Buffer | string): Promise<void> {
  await mkdir(path.dirname(path.join(raw, rel)), { recursive: true });
  await writeFile(path.join(raw, rel), bytes);
}

/** A statement's rows as `sluice query --format json` prints them (read in this process). */
const query = (sql: string): Promise<Record<string, unknown>[]> => queryLake(dir, sql);

/** Every counted line is in exactly one place: silver, rejected, a duplicate, quarantined. */
async function expectEveryLineAccounted(quarantinedLines: number): Promise<void> {
  const bytes = countRawLines(raw);
  const [row] = await query(
    "select (select count(*) from silver.events) as silver, (select count(*) from silver.rejected_events) as rejected, " +
      "(select count(*) from staging.stg_events where reject_reason is null) - (select count(*) from silver.events) as duplicates",
  );
  const silver = Number(row!["silver"]);
  const rejected = Number(row!["rejected"]);
  const duplicates = Number(row!["duplicates"]);
  expect({ total: silver + rejected + duplicates + quarantinedLines }).toEqual({
    total: bytes.total,
  });
}

const HOUR = "2026/11/27/12";
const TRUNCATED = `${HOUR}/events-trunc.gz`;
const fullTruncated = gzipSync(lines("trunc", 1000));

beforeAll(async () => {
  // Generated and built once per machine (support/built-lake.ts: both must exit 0), copied here.
  const project = await builtModelsProject({
    generate: [
      "--events",
      "800",
      "--start",
      "2026-11-27T00:00:00Z",
      "--hours",
      "12",
      "--seed",
      "3",
    ],
  });
  dir = project.dir;
  cleanup = project.cleanup;
  raw = path.join(dir, ".lake/raw/events");
}, 120_000);

afterAll(async () => cleanup?.());

describe("a hostile raw zone", () => {
  it("quarantines what it cannot read, rejects every odd line with a reason, and balances against the bytes", async () => {
    await put(TRUNCATED, fullTruncated.subarray(0, Math.floor(fullTruncated.length / 2)));
    await put(`${HOUR}/events-zero.gz`, Buffer.alloc(0));
    await put(`${HOUR}/events-plain-named.gz`, lines("plain", 3));
    await put(`${HOUR}/events-upper.GZ`, gzipSync(lines("upper", 2)));
    await put(`${HOUR}/events-gzip-noext`, gzipSync(lines("noext", 2)));
    await put(
      `${HOUR}/events-binary.bin`,
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    );
    await put(
      `${HOUR}/events-nul.gz`,
      gzipSync(`\u0000${event("nul-start")}\n${event("nul-mid").replace("Mug", "M\u0000ug")}\n`),
    );
    await put(
      `${HOUR}/events-utf8.gz`,
      gzipSync(
        Buffer.concat([
          Buffer.from(event("bad-utf8").replace("Mug", "M")),
          Buffer.from([0xff, 0xfe]),
          Buffer.from("\n"),
        ]),
      ),
    );
    await put(`${HOUR}/events-blank.gz`, gzipSync(`   \n\n\t\n${event("after-blank")}\n`));
    await put(
      `${HOUR}/events-huge.gz`,
      gzipSync(
        Buffer.concat([
          Buffer.alloc(70 * 1024 * 1024, 0x61),
          Buffer.from(`\n${event("after-huge")}\n`),
        ]),
      ),
    );
    await put("2026/11/27/stray-at-day-level.gz", gzipSync(lines("stray", 1)));

    const build = await sluice(["build", "--format", "json"]);
    expect(build.code, build.stderr + notPassed(build.stdout)).toBe(0);
    const results = JSON.parse(build.stdout) as {
      results: { id: string; status: string; message: string }[];
    };
    const quarantine = results.results.find((r) => r.id === "quarantine.raw.events");
    expect(quarantine?.status).toBe("warn");
    for (const what of [
      "events-zero.gz: empty_file",
      "events-trunc.gz: truncated_gzip",
      "events-binary.bin: binary_file",
      "events-huge.gz:1: oversized_line",
      "events-utf8.gz:1: invalid_utf8",
      "2026/11/27/stray-at-day-level.gz",
    ]) {
      expect(quarantine?.message).toContain(what);
    }
    expect(results.results.find((r) => r.id === "reconcile.events")?.status).toBe("pass");
    expect(countRawLines(raw).unreadable).toEqual(
      [`${HOUR}/events-binary.bin`, TRUNCATED, `${HOUR}/events-zero.gz`].sort(),
    );

    const reasons = await query(
      "select reject_reason as r, count(*) as n from silver.rejected_events group by 1 order by 1",
    );
    expect(reasons).toEqual([
      { r: "blank_line", n: 3 },
      { r: "invalid_utf8", n: 1 },
      { r: "nul_byte", n: 2 },
    ]);
    const kept = await query(
      "select count(*) as n from silver.events where event_id in ('plain-0', 'upper-1', 'noext-1', 'after-blank', 'after-huge')",
    );
    expect(kept).toEqual([{ n: 5 }]);
    // The NUL-bearing line is kept byte for byte; the invalid UTF-8 line's bytes are in the quarantine.
    const nul = await query(
      "select line from silver.rejected_events where reject_reason = 'nul_byte' and line like '%nul-mid%'",
    );
    expect(nul[0]!["line"]).toBe(event("nul-mid").replace("Mug", "M\u0000ug"));
    const copy = path.join(
      dir,
      ".lake/.sluice/quarantine/raw/events",
      HOUR,
      "events-utf8.gz.line-1.bin",
    );
    expect((await readFile(copy)).subarray(-2)).toEqual(Buffer.from([0xff, 0xfe]));
    await expectEveryLineAccounted(1);

    const strict = await sluice(["build", "--on-quarantine", "fail"]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/quarantine_raw_events/);
  }, 180_000);

  it("reads a half-written file again once it is complete, and a late file older than the lookback window", async () => {
    await put(TRUNCATED, fullTruncated);
    const later = new Date(Date.now() + 2000);
    await utimes(path.join(raw, TRUNCATED), later, later);
    // 12 hours after the watermark's lookback window (3 hours): never ignored.
    await put("2026/11/27/01/events-late.gz", gzipSync(lines("late", 5)));
    const build = await sluice(["build", "--format", "json"]);
    expect(build.code, build.stderr + notPassed(build.stdout)).toBe(0);
    const counts = await query(
      "select count(*) filter (where event_id like 'trunc-%') as trunc, count(*) filter (where event_id like 'late-%') as late from silver.events",
    );
    expect(counts).toEqual([{ trunc: 1000, late: 5 }]);
    await expectEveryLineAccounted(1);
    const rerun = await sluice(["build", "--format", "json"]);
    expect(rerun.code, notPassed(rerun.stdout)).toBe(0);
    await expectEveryLineAccounted(1);
  }, 180_000);

  it("keeps an unbalanced hour open until a build balances it: the watermark never moves past it", async () => {
    // A model bug loses lines: the reconciliation (from the bytes) fails the build...
    const model = path.join(dir, "staging/stg_events.sql");
    const good = await readFile(model, "utf8");
    await writeFile(
      model,
      good.replace(
        "where dt >= sluice_incremental_from()",
        "where dt >= sluice_incremental_from() and line not like '%lost-%'",
      ),
    );
    await put("2026/11/27/13/events-lost.gz", gzipSync(lines("lost", 4) + lines("kept", 2)));
    const bad = await sluice(["build"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /2026\/11\/27\/13 raw 6 != silver 2 \+ rejected 0 \+ duplicates 0 \+ quarantined 0/,
    );
    // ...and a plain rerun is not fooled by the moved watermark: the hour is still open.
    const again = await sluice(["build"]);
    expect(again.code).toBe(1);
    // The bug fixed, the next build reads the hour again and balances it.
    await writeFile(model, good);
    const fixed = await sluice(["build", "--format", "json"]);
    expect(fixed.code, notPassed(fixed.stdout)).toBe(0);
    expect(
      await query("select count(*) as n from silver.events where event_id like 'lost-%'"),
    ).toEqual([{ n: 4 }]);
    await expectEveryLineAccounted(1);
  }, 180_000);

  it("a build killed between publishing and reconciling leaves the hours pending; the next build reconciles them", async () => {
    await put("2026/11/27/14/events-new.gz", gzipSync(lines("pending", 3)));
    const pending = async (): Promise<unknown> =>
      (
        await query(
          "select pending_from from main.sluice_table_state where schema_name = 'silver' and table_name = 'events'",
        )
      )[0]?.["pending_from"];
    // Kill after the n-th statement, one more each time, until the kill lands after silver.events
    // was published and before its reconciliation was recorded.
    let killedAt: number | undefined;
    for (let n = 1; n <= 80 && killedAt === undefined; n++) {
      const r = await runSluice(
        ["--project-dir", dir, "run", "--select", "+events", "+rejected_events"],
        { env: { SLUICE_TEST_KILL_AFTER_STATEMENT: String(n) } },
      );
      expect(r.code, "the run ended before the kill").not.toBe(0);
      if ((await pending()) === "2026/11/27/14") killedAt = n;
    }
    expect(killedAt, "no kill point between publish and reconciliation").toBeDefined();
    // No new data since: the next build still reads and reconciles the pending hour.
    const next = await sluice(["build", "--format", "json"]);
    expect(next.code, notPassed(next.stdout)).toBe(0);
    const reconcile = (
      JSON.parse(next.stdout) as { results: { id: string; message: string }[] }
    ).results.find((r) => r.id === "reconcile.events");
    expect(reconcile?.message).toMatch(/from 2026\/11\/27\/14: raw 3 = silver 3 /);
    expect(await pending()).toBeNull();
    await expectEveryLineAccounted(1);
  }, 300_000);
});
