// The flags of `sluice generate` and `sluice firehose-local` as plain data: the CLI reads them
// at start-up to build --help, so this file must not load zod or the SDK.
import { defaultFunnel } from "@sluice/events/funnel";
import { defaultGzipLevel } from "./gzip-level.js";
import type { ResolvedGenerateOptions } from "./options.js";

/** One CLI option of `sluice generate`, for the CLI to map onto yargs. */
export interface GenerateCommandOption {
  /** Flag name on the command line (kebab-case), e.g. `malformed-rate`. */
  name: string;
  /** Property of {@link generateOptionsSchema} it sets. */
  key: keyof ResolvedGenerateOptions;
  type: "number" | "string" | "boolean";
  default?: number | string | boolean;
  demandOption?: boolean;
  choices?: readonly string[];
  describe: string;
}

/** The flags of `sluice generate`. Booleans support `--no-<name>` in yargs. */
export const generateCommandOptions: readonly GenerateCommandOption[] = [
  {
    name: "events",
    key: "events",
    type: "number",
    demandOption: true,
    describe:
      "about this many events: the window averages events/hours an hour over a week, shaped by the traffic curve",
  },
  {
    name: "start",
    key: "start",
    type: "string",
    demandOption: true,
    describe: "start of the window, ISO-8601 (UTC), or now-<N>h: N hours before the current hour",
  },
  {
    name: "hours",
    key: "hours",
    type: "number",
    default: 24,
    describe: "length of the window in hours",
  },
  {
    name: "seed",
    key: "seed",
    type: "number",
    default: 1,
    describe: "seed; the same seed gives byte-identical output",
  },
  {
    name: "sink",
    key: "sink",
    type: "string",
    default: "local",
    choices: ["local", "firehose", "kinesis"],
    describe:
      "where events go: the local lake, a Firehose delivery stream, or a Kinesis data stream",
  },
  {
    name: "lake",
    key: "lakeDir",
    type: "string",
    describe: "local lake directory (local sink); default: the project's local lake",
  },
  {
    name: "stream",
    key: "stream",
    type: "string",
    default: "sluice-events",
    describe: "Firehose delivery stream or Kinesis data stream name",
  },
  {
    name: "gzip",
    key: "gzip",
    type: "boolean",
    default: true,
    describe: "gzip objects (.gz) like a GZIP delivery stream",
  },
  {
    name: "gzip-level",
    key: "gzipLevel",
    type: "number",
    default: defaultGzipLevel,
    describe:
      "zlib level 1-9 for .gz objects (Firehose does not document its own; 1 is ~2x faster than 6, files ~15% larger)",
  },
  {
    name: "buffer-size-mib",
    key: "bufferSizeMiB",
    type: "number",
    default: 5,
    describe: "Firehose buffer size hint (MiB, before compression)",
  },
  {
    name: "buffer-interval-seconds",
    key: "bufferIntervalSeconds",
    type: "number",
    default: 300,
    describe: "Firehose buffer interval hint (seconds of arrival time)",
  },
  {
    name: "partition-by-event-type",
    key: "partitionByEventType",
    type: "boolean",
    default: false,
    describe:
      "local sink: Firehose dynamic partitioning, raw/events/event_type=<t>/YYYY/MM/DD/HH/ (records without one to raw-errors/partitioning-failed/)",
  },
  {
    name: "malformed-rate",
    key: "malformedRate",
    type: "number",
    default: 0,
    describe: "fraction of events written as invalid JSON",
  },
  {
    name: "duplicate-rate",
    key: "duplicateRate",
    type: "number",
    default: 0,
    describe: "fraction of events delivered twice",
  },
  {
    name: "late-rate",
    key: "lateRate",
    type: "number",
    default: 0,
    describe: "fraction of events arriving 1-6 h after their event time",
  },
  {
    name: "missing-field-rate",
    key: "missingFieldRate",
    type: "number",
    default: 0,
    describe: "fraction of events missing an optional field",
  },
  {
    name: "wrong-type-rate",
    key: "wrongTypeRate",
    type: "number",
    default: 0,
    describe: "fraction of events with a numeric field of the wrong type",
  },
  {
    name: "customers",
    key: "customers",
    type: "number",
    describe:
      "size of the customer pool (default: 10 per event an hour, so customers return on later days)",
  },
  {
    name: "mean-views",
    key: "meanViews",
    type: "number",
    default: defaultFunnel.meanViews,
    describe: "mean product views per session (long-tailed, see --views-tail)",
  },
  {
    name: "views-tail",
    key: "viewsTail",
    type: "number",
    default: defaultFunnel.viewsTail,
    describe: "tail index of views per session (> 1; lower = more very long sessions)",
  },
  {
    name: "repeat-view-rate",
    key: "repeatViewRate",
    type: "number",
    default: defaultFunnel.repeatViewRate,
    describe: "chance a view is of a product already viewed in the session",
  },
  {
    name: "cart-rate",
    key: "sessionToCart",
    type: "number",
    default: defaultFunnel.sessionToCart,
    describe: "chance a session adds to cart (times the channel's conversion factor)",
  },
  {
    name: "extra-item-rate",
    key: "extraCartRate",
    type: "number",
    default: defaultFunnel.extraCartRate,
    describe: "chance of each further cart item (times the channel's order value factor)",
  },
  {
    name: "checkout-rate",
    key: "cartToCheckout",
    type: "number",
    default: defaultFunnel.cartToCheckout,
    describe: "chance a session with a cart starts checkout",
  },
  {
    name: "paid-rate",
    key: "checkoutToPaid",
    type: "number",
    default: defaultFunnel.checkoutToPaid,
    describe:
      "chance a started checkout is paid (defaults: ~3% of sessions order, ~70% of carts abandoned)",
  },
  {
    name: "summary-json",
    key: "summaryJson",
    type: "string",
    describe: "write the generation summary (with chaos counts) to this file",
  },
  {
    name: "endpoint-url",
    key: "endpointUrl",
    type: "string",
    describe: "Firehose or Kinesis endpoint (e.g. the local endpoint) for --sink firehose|kinesis",
  },
  {
    name: "region",
    key: "region",
    type: "string",
    default: "us-east-1",
    describe: "AWS region for --sink firehose|kinesis",
  },
  {
    name: "concurrency",
    key: "concurrency",
    type: "number",
    default: 8,
    describe: "PutRecordBatch / PutRecords calls in flight for --sink firehose|kinesis",
  },
  {
    name: "rate",
    key: "rate",
    type: "number",
    describe: "pace delivery to N events per second (soak runs)",
  },
  {
    name: "duration",
    key: "durationSeconds",
    type: "number",
    describe: "stop after this many seconds (with --rate, for soak runs)",
  },
];

/** One CLI option of `sluice firehose-local`. */
export interface FirehoseLocalCommandOption {
  name: string;
  key:
    | "lakeDir"
    | "port"
    | "host"
    | "gzip"
    | "bufferSizeMiB"
    | "bufferIntervalSeconds"
    | "seed"
    | "failureRate"
    | "throttleRate"
    | "shards"
    | "partitionByEventType"
    | "streams";
  type: "number" | "string" | "boolean";
  default?: number | string | boolean;
  describe: string;
}

/** The flags of `sluice firehose-local`, mapping onto `startFirehoseLocal()` options. */
export const firehoseLocalCommandOptions: readonly FirehoseLocalCommandOption[] = [
  {
    name: "lake",
    key: "lakeDir",
    type: "string",
    describe: "local lake directory to write raw/events/ into",
  },
  {
    name: "port",
    key: "port",
    type: "number",
    default: 4573,
    describe: "port to listen on (0 picks a free one)",
  },
  {
    name: "host",
    key: "host",
    type: "string",
    default: "127.0.0.1",
    describe: "address to listen on",
  },
  {
    name: "gzip",
    key: "gzip",
    type: "boolean",
    default: true,
    describe: "gzip objects like a GZIP delivery stream",
  },
  {
    name: "buffer-size-mib",
    key: "bufferSizeMiB",
    type: "number",
    default: 5,
    describe: "buffer size hint (MiB, before compression)",
  },
  {
    name: "buffer-interval-seconds",
    key: "bufferIntervalSeconds",
    type: "number",
    default: 300,
    describe: "buffer interval hint (seconds)",
  },
  {
    name: "seed",
    key: "seed",
    type: "number",
    default: 1,
    describe: "seed for object UUIDs and injected failures",
  },
  {
    name: "failure-rate",
    key: "failureRate",
    type: "number",
    default: 0,
    describe: "fraction of records answered with ServiceUnavailableException",
  },
  {
    name: "throttle-rate",
    key: "throttleRate",
    type: "number",
    default: 0,
    describe:
      "fraction of batch calls refused whole (Firehose: HTTP 503; Kinesis: ProvisionedThroughputExceededException)",
  },
  {
    name: "shards",
    key: "shards",
    type: "number",
    default: 4,
    describe: "shards of each local Kinesis stream (records go by the MD5 of their partition key)",
  },
  {
    name: "streams",
    key: "streams",
    type: "string",
    default: "sluice-events",
    describe:
      "the delivery and Kinesis streams that exist, comma-separated (another name is ResourceNotFoundException, as on AWS)",
  },
  {
    name: "partition-by-event-type",
    key: "partitionByEventType",
    type: "boolean",
    default: false,
    describe:
      "Firehose dynamic partitioning: raw/events/event_type=<t>/YYYY/MM/DD/HH/ (records without one to raw-errors/partitioning-failed/)",
  },
];
