import { z } from "zod";
import { generate, type GenerateSummary } from "./generate.js";
import { hoursBeforeThisHour } from "./options.js";

/** Environment of the scheduled Lambda, validated before any work is done. */
export const lambdaEnvSchema = z
  .object({
    /**
     * Where to send: a Kinesis data stream (SLUICE_KINESIS_STREAM, the seed's design: the stream
     * feeds Firehose) or a Firehose delivery stream (SLUICE_STREAM). Exactly one must be set.
     */
    SLUICE_KINESIS_STREAM: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,128}$/)
      .optional(),
    SLUICE_STREAM: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,64}$/)
      .optional(),
    /**
     * Events per invocation on average over a week (the traffic curve makes busy hours bigger);
     * about 4.3 per session with the default funnel.
     */
    SLUICE_EVENTS: z.coerce.number().int().positive().max(5_000_000).default(20_000),
    /** Hours of event time each invocation covers; schedule the rule at the same rate. */
    SLUICE_WINDOW_HOURS: z.coerce.number().int().positive().max(24).default(1),
    /**
     * The generator's seed. Events are a pure function of (seed, hour), so a replayed invocation
     * sends the same events and customers come back from hour to hour.
     */
    SLUICE_SEED: z.coerce.number().int().default(1),
    SLUICE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
    AWS_REGION: z.string().min(1).default("us-east-1"),
    /** Endpoint override, e.g. the local Firehose endpoint in tests. */
    SLUICE_ENDPOINT_URL: z.url().optional(),
  })
  .refine((e) => (e.SLUICE_KINESIS_STREAM === undefined) !== (e.SLUICE_STREAM === undefined), {
    message: "set exactly one of SLUICE_KINESIS_STREAM (Kinesis) and SLUICE_STREAM (Firehose)",
    path: ["SLUICE_STREAM"],
    // Reported with the other fields' problems, so one deploy fixes them all.
    when: () => true,
  });

export type LambdaEnv = z.output<typeof lambdaEnvSchema>;

/** The part of an EventBridge scheduled event we read. */
export interface ScheduledEvent {
  /** ISO time of the schedule tick, e.g. "2026-11-27T14:00:00Z". */
  time?: string;
}

/**
 * Handler for an EventBridge schedule (e.g. `rate(1 hour)`): simulates the window of event
 * time that just ended and sends it to the Kinesis stream (PutRecords) or the Firehose delivery
 * stream (PutRecordBatch) its environment names. Events are a pure function of
 * (seed, hour), so a retried invocation sends the same events (which silver deduplicates by event_id).
 *
 * @example
 * // handler: index.handler, env SLUICE_STREAM=sluice-events SLUICE_EVENTS=20000
 */
export async function handler(
  event: ScheduledEvent = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<GenerateSummary> {
  const parsed = lambdaEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid Lambda environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  const e = parsed.data;
  const tick = event.time ? Date.parse(event.time) : Date.now();
  const start = hoursBeforeThisHour(e.SLUICE_WINDOW_HOURS, tick);
  const summary = await generate({
    events: e.SLUICE_EVENTS,
    start,
    hours: e.SLUICE_WINDOW_HOURS,
    seed: e.SLUICE_SEED,
    ...(e.SLUICE_KINESIS_STREAM !== undefined
      ? { sink: "kinesis" as const, stream: e.SLUICE_KINESIS_STREAM }
      : { sink: "firehose" as const, stream: e.SLUICE_STREAM! }),
    region: e.AWS_REGION,
    concurrency: e.SLUICE_CONCURRENCY,
    ...(e.SLUICE_ENDPOINT_URL ? { endpointUrl: e.SLUICE_ENDPOINT_URL } : {}),
  });
  const report = summary.output.kinesis ?? summary.output.firehose;
  if (report && report.failed + report.rejected > 0) {
    // Failing the invocation makes EventBridge/Lambda retry it; the same seed resends the same events.
    throw new Error(
      `${summary.sink === "kinesis" ? "Kinesis" : "Firehose"} did not accept ${report.failed + report.rejected} of ${summary.records} records: ${report.errors[0] ?? ""}`,
    );
  }
  return summary;
}
