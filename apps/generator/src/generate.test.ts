import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shopEventSchema } from "@sluice/events";
import { afterAll, describe, expect, it } from "vitest";
import { generate, type GenerateOptions } from "./generate.js";
import { firehoseObjectKeyPattern } from "./object-key.js";
import { hoursBeforeThisHour, parseGenerateArgs } from "./options.js";
import { objectText, readTree } from "../test/lake.js";

const root = mkdtempSync(join(tmpdir(), "sluice-gen-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const base = { start: "2026-11-27T00:00:00Z", hours: 24, seed: 3, sink: "local" } as const;
async function gen(o: Partial<GenerateOptions> & { events: number }) {
  const lakeDir = join(root, String(n++));
  const summary = await generate({ ...base, lakeDir, ...o });
  return { lakeDir, summary, files: readTree(lakeDir) };
}
const nameTime = (key: string) => {
  const m = firehoseObjectKeyPattern.exec(key)!;
  return Date.UTC(+m[7]!, +m[8]! - 1, +m[9]!, +m[10]!, +m[11]!, +m[12]!);
};

describe("generate (local sink)", async () => {
  const day = await gen({ events: 50_000 });

  // Throughput is measured by tests/bench/generator.mjs (CPU time, as ratios), not here: a
  // wall-clock bound fails on a loaded machine and proves nothing on an idle one.
  it("stops at an abort (Ctrl-C, SIGTERM): what was generated is delivered whole, and said", async () => {
    const stop = new AbortController();
    let batches = 0;
    const { summary, files } = await gen({
      events: 50_000,
      signal: stop.signal,
      onProgress: () => {
        if (++batches === 30) stop.abort(new Error("terminated (SIGTERM)"));
      },
    });
    expect(summary.stopped).toBe("terminated (SIGTERM)");
    expect(summary.events).toBeGreaterThan(0);
    expect(summary.events).toBeLessThan(10_000);
    // Every file is a published object (no in-flight one left), and their lines, counted from
    // the bytes, are the records the summary says were delivered.
    const keys = [...files.keys()];
    expect(keys.filter((k) => !firehoseObjectKeyPattern.test(k))).toEqual([]);
    const lines = keys.reduce(
      (sum, k) => sum + objectText(k, files.get(k)!).split("\n").length - 1,
      0,
    );
    expect(lines).toBe(summary.output.records);
    expect(summary.output.records).toBe(summary.events);
  });

  it("writes one day of about 50,000 events, one record per event", () => {
    // About 50,000: a Friday is a little busier than the week's average day the rate is set by.
    expect(day.summary.events).toBeGreaterThan(50_000);
    expect(day.summary.events).toBeLessThan(54_000);
    expect(day.summary.output.records).toBe(day.summary.events);
  });

  it("is byte-identical for the same seed and different for another", async () => {
    const again = await gen({ events: 50_000 });
    expect([...again.files.keys()]).toEqual([...day.files.keys()]);
    for (const [k, v] of day.files) expect(again.files.get(k)!.equals(v)).toBe(true);
    const other = await gen({ events: 2000, hours: 2, seed: 4 });
    const same = await gen({ events: 2000, hours: 2 });
    expect([...other.files.keys()]).not.toEqual([...same.files.keys()]);
  });

  it("uses Firehose's layout and naming, timed by the oldest record's arrival (UTC)", () => {
    for (const key of day.files.keys()) {
      const m = firehoseObjectKeyPattern.exec(key);
      expect(key).toMatch(
        /^raw\/events\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/sluice-events-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/,
      );
      expect(m![1]! + m![2]! + m![3]! + m![4]!).toBe(m![7]! + m![8]! + m![9]! + m![10]!);
    }
    for (const [key, body] of day.files) {
      const first = JSON.parse(objectText(key, body).split("\n", 1)[0]!);
      const lag = nameTime(key) - Date.parse(first.event_timestamp);
      expect(lag).toBeGreaterThan(-1000); // the name has whole seconds
      expect(lag).toBeLessThan(60_000);
    }
  });

  it("writes newline-terminated NDJSON whose every line validates against the schema", () => {
    let lines = 0;
    for (const [key, body] of day.files) {
      const text = objectText(key, body);
      expect(text.endsWith("\n")).toBe(true);
      for (const line of text.slice(0, -1).split("\n")) {
        lines++;
        const r = shopEventSchema.safeParse(JSON.parse(line));
        if (!r.success) throw new Error(`${key}: ${line}\n${r.error.message}`);
      }
    }
    expect(lines).toBe(day.summary.events);
  });

  it("never writes an event after now: a window reaching the current hour stops at the clock", async () => {
    // The last two hours up to the end of the current one: sessions of the current hour would
    // run past now; those events are counted as not yet happened, never written.
    const recent = await gen({ events: 20_000, start: hoursBeforeThisHour(1), hours: 2 });
    const after = Date.now();
    let lines = 0;
    for (const [key, body] of recent.files) {
      const text = objectText(key, body);
      for (const line of text.slice(0, -1).split("\n")) {
        lines++;
        const ts = Date.parse((JSON.parse(line) as { event_timestamp: string }).event_timestamp);
        expect(ts).toBeLessThanOrEqual(after);
      }
    }
    expect(lines).toBe(recent.summary.events);
    expect(recent.summary.notYetHappened).toBeGreaterThan(0);
  });

  it("buffers by interval: objects span at most 300 s of arrival time, about 12 per hour", () => {
    const times = [...day.files.keys()].map(nameTime).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(300_000);
    const end = Date.parse(base.start) + 24 * 3_600_000;
    const inWindow = times.filter((t) => t < end);
    expect(inWindow.length).toBeGreaterThan(24 * 11);
    expect(inWindow.length).toBeLessThanOrEqual(24 * 12 + 1);
    // Sessions started in the window's last minutes finish after it (the long ones, hours later).
    expect(times.length - inWindow.length).toBeLessThan(12 * 3);
  });

  it("buffers by size: objects close at the size hint, measured before compression", async () => {
    const big = await gen({
      events: 20_000,
      hours: 1,
      bufferSizeMiB: 1,
      bufferIntervalSeconds: 900,
    });
    const sizes = [...big.files].map(([k, b]) => Buffer.byteLength(objectText(k, b)));
    expect(sizes.length).toBeGreaterThan(5);
    const mib = 1024 * 1024;
    // Objects opened 900 s or more before the hour ends fill up; later ones hold the thinning
    // tail of sessions that run past it and close on the interval.
    const end = Date.parse(base.start) + 3_600_000 - 900_000;
    const full = [...big.files.keys()].flatMap((k, i) => (nameTime(k) < end ? [sizes[i]!] : []));
    expect(full.length).toBeGreaterThan(5);
    for (const s of full) {
      expect(s).toBeGreaterThanOrEqual(mib);
      expect(s).toBeLessThan(mib + 5000);
    }
    expect(big.summary.output.rawBytes).toBe(sizes.reduce((a, b) => a + b, 0));
  });

  it("writes plain NDJSON without an extension when gzip is off", async () => {
    const plain = await gen({ events: 500, hours: 1, gzip: false });
    for (const [key, body] of plain.files) {
      expect(key).not.toMatch(/\.gz$/);
      expect(body.toString().endsWith("}\n")).toBe(true);
    }
  });

  it("injects chaos at the requested rates and counts exactly what it injected", async () => {
    const summaryJson = join(root, "summary.json");
    const rates = {
      malformedRate: 0.02,
      duplicateRate: 0.03,
      lateRate: 0.04,
      missingFieldRate: 0.05,
      wrongTypeRate: 0.02,
    };
    const run = await gen({ events: 20_000, ...rates, summaryJson });
    const c = run.summary.chaos;
    expect(JSON.parse(readFileSync(summaryJson, "utf8")).chaos).toEqual(c);
    for (const [k, r] of [
      ["malformed", 0.02],
      ["duplicate", 0.03],
      ["late", 0.04],
      ["missingField", 0.05],
      ["wrongType", 0.02],
    ] as const) {
      expect(Math.abs(c[k] / run.summary.events - r)).toBeLessThan(r * 0.25);
    }
    let malformed = 0,
      wrongType = 0,
      missing = 0,
      duplicates = 0;
    const late = new Set<string>();
    const seen = new Set<string>();
    const ids = new Set<string>();
    let lines = 0;
    for (const [key, body] of run.files) {
      for (const line of objectText(key, body).slice(0, -1).split("\n")) {
        lines++;
        let e: {
          event_id: string;
          event_timestamp: string;
          customer: Record<string, unknown>;
          session: { channel: string; utm_campaign?: string };
        };
        try {
          e = JSON.parse(line);
        } catch {
          malformed++;
          continue;
        }
        if (seen.has(line)) duplicates++;
        seen.add(line);
        if (!shopEventSchema.safeParse(e).success) wrongType++;
        else ids.add(e.event_id);
        if (e.customer.email === undefined || e.customer.signup_date === undefined) missing++;
        else if (
          e.session.utm_campaign === undefined &&
          ["paid_search", "social", "email", "affiliate"].includes(e.session.channel)
        )
          missing++;
        if (Date.parse(e.event_timestamp) < nameTime(key) - 1_800_000) late.add(e.event_id);
      }
    }
    expect(lines).toBe(run.summary.events + c.duplicate);
    expect(run.summary.records).toBe(lines);
    expect(duplicates).toBe(c.duplicate);
    expect(malformed).toBe(c.malformed);
    // Duplicated lines repeat their damage, so count distinct events where it matters.
    expect(late.size).toBe(c.late);
    expect(wrongType).toBeGreaterThanOrEqual(c.wrongType);
    expect(missing).toBeGreaterThanOrEqual(c.missingField);
    expect(ids.size).toBe(run.summary.expectedValidEvents);
    expect(Object.values(c.wrongTypeByField).reduce((a, b) => a + b, 0)).toBe(c.wrongType);
  });

  it("reports progress every simulated minute", async () => {
    const seen: number[] = [];
    const hours: number[] = [];
    const { summary } = await gen({
      events: 3000,
      hours: 3,
      onProgress: (p) => void (seen.push(p.events), hours.push(p.hour)),
    });
    expect(seen).toHaveLength(180);
    expect([hours[0], hours[59], hours[60], hours[179]]).toEqual([0, 0, 1, 2]);
    expect(seen.every((n, i) => i === 0 || n >= seen[i - 1]!)).toBe(true);
    expect(seen.at(-1)).toBe(summary.events);
  });
});

describe("parseGenerateArgs", () => {
  it("validates every funnel rate and the window's whole-hour start, naming the flag", () => {
    const base = { events: 10, hours: 1, seed: 1 };
    const r = parseGenerateArgs({
      ...base,
      start: "2026-11-27T00:30:00Z",
      "cart-rate": 1.5,
      "views-tail": 1,
      "mean-views": 0,
    });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    expect(errors.some((e) => e.startsWith("--start: must start at a whole hour"))).toBe(true);
    expect(errors.some((e) => e.startsWith("--cart-rate:"))).toBe(true);
    expect(errors.some((e) => e.startsWith("--views-tail:"))).toBe(true);
    expect(errors.some((e) => e.startsWith("--mean-views:"))).toBe(true);
    const ok = parseGenerateArgs({ ...base, start: "2026-11-27T00:00:00Z", "paid-rate": 0.5 });
    expect(ok.ok && ok.options.checkoutToPaid).toBe(0.5);
    expect(ok.ok && ok.options.sessionToCart).toBe(0.1);
  });

  it("maps CLI flags onto options with defaults", () => {
    const r = parseGenerateArgs({
      events: 10,
      start: "2026-11-27T00:00:00Z",
      hours: 1,
      seed: 1,
      "malformed-rate": 0.1,
      lake: "/tmp/x",
      gzip: false,
    });
    expect(r.ok && r.options).toMatchObject({
      malformedRate: 0.1,
      lakeDir: "/tmp/x",
      gzip: false,
      stream: "sluice-events",
      bufferSizeMiB: 5,
    });
  });

  it("reads --start now-24h as the start of the hour 24 hours before the current one", () => {
    const before = Date.now();
    const r = parseGenerateArgs({ events: 10, start: "now-24h", hours: 24, seed: 1 });
    const hour = 3_600_000;
    const start = r.ok ? r.options.start.getTime() : NaN;
    expect(start % hour).toBe(0);
    // The window [start, start + 24 h) ends at the current hour (the clock may tick over once).
    expect(start + 24 * hour).toBeLessThanOrEqual(Date.now());
    expect(start + 25 * hour).toBeGreaterThan(before);
    expect(hoursBeforeThisHour(2, Date.parse("2026-11-27T10:42:00Z")).toISOString()).toBe(
      "2026-11-27T08:00:00.000Z",
    );
  });

  it("says whole-number flags' bounds in the CLI's words, not zod's", () => {
    const r = parseGenerateArgs({ events: 1.5, start: "2026-11-27T00:00:00Z", hours: 0, seed: 1 });
    expect(r.ok ? [] : r.errors).toEqual([
      "--events: takes a whole number of at least 1, not 1.5",
      "--hours: takes a whole number from 1 to 8784, not 0",
    ]);
  });

  it("refuses more events an hour than it can hold, and a customer pool it cannot allocate", () => {
    // Both used to fail after the work started: `Invalid typed array length: 10000000000000`.
    const big = parseGenerateArgs({
      events: 1e12,
      start: "2026-11-27T00:00:00Z",
      hours: 1,
      seed: 1,
    });
    expect(big.ok ? [] : big.errors).toEqual([
      "--events: 1,000,000,000,000 over 1 h is 1,000,000,000,000 an hour; the generator holds an hour's events in memory and makes at most 10,000,000 an hour on average: spread them over more --hours",
    ]);
    const spread = parseGenerateArgs({
      events: 20_000_000,
      start: "2026-11-27T00:00:00Z",
      hours: 2,
      seed: 1,
    });
    expect(spread.ok).toBe(true);
    const pool = parseGenerateArgs({
      events: 10,
      start: "2026-11-27T00:00:00Z",
      hours: 1,
      seed: 1,
      customers: 1e12,
    });
    expect(pool.ok ? [] : pool.errors).toEqual([
      "--customers: takes a whole number from 1 to 100000000, not 1000000000000",
    ]);
  });

  it("names the flag in each error", () => {
    const r = parseGenerateArgs({
      events: -1,
      start: "yesterday",
      hours: 1,
      seed: 1,
      duplicateRate: 2,
    });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    expect(errors).toContain("--events: takes a whole number of at least 1, not -1");
    expect(errors.some((e) => e.startsWith("--start:"))).toBe(true);
    expect(errors.some((e) => e.startsWith("--duplicate-rate:"))).toBe(true);
  });
});

describe("pacing", () => {
  it("paces to --rate and stops at --duration", async () => {
    const lakeDir = join(root, "paced");
    const began = Date.now();
    const s = await generate({
      ...base,
      events: 100_000,
      hours: 24,
      rate: 2000,
      durationSeconds: 0.5,
      lakeDir,
    });
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(3000);
    expect(s.events).toBeGreaterThan(300);
    expect(s.events).toBeLessThan(2000);
    expect(s.output.records).toBe(s.events);
  });
});
