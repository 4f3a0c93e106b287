import { defaultFunnel } from "@sluice/events/funnel";
import { z } from "zod";
import { defaultGzipLevel } from "./gzip-level.js";

const rate = z.number().min(0).max(1).default(0);
/** A funnel probability, defaulting to the realistic funnel's value. */
const funnelRate = (fallback: number) => z.number().min(0).max(1).default(fallback);

const HOUR_MS = 3_600_000;

/**
 * The start of the hour `hours` before the current hour (UTC): the window `[that, this hour)`
 * is the last `hours` whole hours, the one the Lambda generates on each tick.
 *
 * @example
 * hoursBeforeThisHour(24, Date.parse("2026-11-27T10:42:00Z")); // 2026-11-26T10:00:00Z
 */
export function hoursBeforeThisHour(hours: number, now = Date.now()): Date {
  return new Date((Math.floor(now / HOUR_MS) - hours) * HOUR_MS);
}

/** `now-24h` → the hour 24 hours before the current one; anything else is left for z.coerce.date. */
function relativeStart(value: unknown): unknown {
  const m = typeof value === "string" ? /^now-(\d+)h$/.exec(value.trim()) : null;
  return m ? hoursBeforeThisHour(Number(m[1])) : value;
}

/**
 * Options of `generate()`, validated at the edge. `start` accepts a Date, an ISO string, or
 * `now-<N>h`: the start of the hour N hours before the current one (`--start now-24h --hours 24`
 * is the last 24 whole hours, so freshness rules pass).
 * The chaos rates are fractions of events; together malformed + missingField + wrongType must
 * not exceed 1.
 */
/**
 * A whole number from `min` (to `max`), its error said as the CLI's other flags say it
 * (`--events: takes a whole number of at least 1, not -5`) rather than zod's own words.
 */
const whole = (min: number, max?: number) =>
  z.number().refine((n) => Number.isInteger(n) && n >= min && (max === undefined || n <= max), {
    error: (issue) =>
      `takes a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}, not ${String(issue.input)}`,
  });

/**
 * The most events an hour the generator makes on average (`--events` / `--hours`): it holds an
 * hour's events in memory (665 MB of RSS at 5,000,000 in one hour, measured). Beyond that a
 * run would fail deep inside with an engine error (`Invalid typed array length`) or run out of
 * memory after minutes: refused up front instead.
 */
export const MAX_EVENTS_PER_HOUR = 10_000_000;

/** The largest customer pool (`--customers`: a byte of memory each). */
export const MAX_CUSTOMERS = 100_000_000;

export const generateOptionsSchema = z
  .object({
    events: whole(1),
    start: z.preprocess(
      relativeStart,
      z.coerce
        .date({
          error: "expected an ISO-8601 date-time such as 2026-11-27T00:00:00Z, or now-24h",
        })
        .refine((d) => d.getTime() % HOUR_MS === 0, {
          // Each hour's events are drawn from the hour's own streams, so windows start on one.
          message: "must start at a whole hour (UTC), e.g. 2026-11-27T13:00:00Z",
        }),
    ),
    hours: whole(1, 24 * 366),
    seed: z.number().int(),
    sink: z.enum(["local", "firehose", "kinesis"]).default("local"),
    lakeDir: z.string().min(1).default("models/.lake"),
    stream: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,64}$/, "a stream name: 1-64 of a-z A-Z 0-9 _ . -")
      .default("sluice-events"),
    gzip: z.boolean().default(true),
    /** zlib level for `.gz` objects; {@link defaultGzipLevel} by default (see BufferSettings.gzipLevel). */
    gzipLevel: whole(1, 9).default(defaultGzipLevel),
    bufferSizeMiB: z.number().min(1).max(128).default(5),
    bufferIntervalSeconds: z.number().min(0).max(900).default(300),
    /**
     * Local sink: lay the raw zone out as Firehose dynamic partitioning by `event_type` does
     * (`raw/events/event_type=<t>/YYYY/MM/DD/HH/`; records without one to
     * `raw-errors/partitioning-failed/`). Other sinks: the delivery stream decides.
     */
    partitionByEventType: z.boolean().default(false),
    malformedRate: rate,
    duplicateRate: rate,
    lateRate: rate,
    missingFieldRate: rate,
    wrongTypeRate: rate,
    customers: whole(1, MAX_CUSTOMERS).optional(),
    meanViews: z.number().min(1).max(50).default(defaultFunnel.meanViews),
    viewsTail: z.number().min(1.05).max(20).default(defaultFunnel.viewsTail),
    repeatViewRate: funnelRate(defaultFunnel.repeatViewRate),
    sessionToCart: funnelRate(defaultFunnel.sessionToCart),
    extraCartRate: funnelRate(defaultFunnel.extraCartRate),
    cartToCheckout: funnelRate(defaultFunnel.cartToCheckout),
    checkoutToPaid: funnelRate(defaultFunnel.checkoutToPaid),
    summaryJson: z.string().min(1).optional(),
    /** Firehose and Kinesis sinks: endpoint override (e.g. the local endpoint) and region. */
    endpointUrl: z.url().optional(),
    region: z.string().min(1).default("us-east-1"),
    /** Firehose and Kinesis sinks: PutRecordBatch / PutRecords calls in flight. */
    concurrency: z.number().int().min(1).max(64).default(8),
    /** Pace delivery to about this many events per second of wall time (soak runs). */
    rate: z.number().positive().optional(),
    /** Stop after this many seconds of wall time, even if not all events were generated. */
    durationSeconds: z.number().positive().optional(),
  })
  .strict()
  // Only once both flags are valid: a bad one has its own message.
  .refine((o) => !(o.hours >= 1) || o.events / o.hours <= MAX_EVENTS_PER_HOUR, {
    error: (issue) => {
      const o = issue.input as { events: number; hours: number };
      const each = new Intl.NumberFormat("en-US").format;
      return `${each(o.events)} over ${each(o.hours)} h is ${each(Math.ceil(o.events / o.hours))} an hour; the generator holds an hour's events in memory and makes at most ${each(MAX_EVENTS_PER_HOUR)} an hour on average: spread them over more --hours`;
    },
    path: ["events"],
  })
  .refine((o) => o.malformedRate + o.missingFieldRate + o.wrongTypeRate <= 1, {
    message: "malformed-rate + missing-field-rate + wrong-type-rate must be at most 1",
    path: ["malformedRate"],
  })
  .refine((o) => !o.partitionByEventType || o.sink === "local", {
    message:
      "--partition-by-event-type lays out the local sink's raw zone; with --sink firehose or kinesis the delivery stream decides (run firehose-local --partition-by-event-type)",
    path: ["partitionByEventType"],
  });

/** Validated options with defaults applied. */
export type ResolvedGenerateOptions = z.output<typeof generateOptionsSchema>;

export { generateCommandOptions, firehoseLocalCommandOptions } from "./command-options.js";
export type { GenerateCommandOption, FirehoseLocalCommandOption } from "./command-options.js";
import { generateCommandOptions } from "./command-options.js";

/** The result of checking CLI arguments: options, or one message per bad flag. */
export type ParsedGenerateArgs =
  { ok: true; options: ResolvedGenerateOptions } | { ok: false; errors: string[] };

/**
 * Maps parsed CLI arguments (yargs' camelCase or kebab-case keys) onto generate options and
 * validates them; errors name the flag.
 *
 * @example
 * parseGenerateArgs({ events: 100, start: "2026-11-27T00:00:00Z", hours: 1, seed: 1, "malformed-rate": 0.01 });
 */
export function parseGenerateArgs(args: Record<string, unknown>): ParsedGenerateArgs {
  const input: Record<string, unknown> = {};
  for (const o of generateCommandOptions) {
    const camel = o.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = args[o.name] ?? args[camel];
    if (value !== undefined) input[o.key] = value;
  }
  const parsed = generateOptionsSchema.safeParse(input);
  if (parsed.success) return { ok: true, options: parsed.data };
  const flagOf = (key: PropertyKey | undefined) =>
    generateCommandOptions.find((o) => o.key === key)?.name ?? String(key);
  return {
    ok: false,
    errors: parsed.error.issues.map((i) => `--${flagOf(i.path[0])}: ${i.message}`),
  };
}
