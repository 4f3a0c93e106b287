import { writeFileSync } from "node:fs";
import {
  batchesPerHour,
  simulateEvents,
  type EventType,
  type SimulationStats,
} from "@sluice/events";
import { ChaosInjector, type ChaosCounts, type RawRecord } from "./chaos.js";
import { createFirehoseSink } from "./firehose-sink.js";
import { createKinesisSink } from "./kinesis-sink.js";
import { createLocalSink } from "./local-sink.js";
import { generateOptionsSchema, type ResolvedGenerateOptions } from "./options.js";
import type { EventSink, SinkReport } from "./sink.js";
import type { z } from "zod";

/** Options of {@link generate}: the validated fields plus a progress callback and a stop. */
export type GenerateOptions = z.input<typeof generateOptionsSchema> & {
  /**
   * Called after each batch (one simulated minute) has been handed to the sink; `hour` is the
   * 0-based hour of the window that batch belongs to.
   */
  onProgress?: (p: { events: number; total: number; hour: number; hours: number }) => void;
  /**
   * Aborted (Ctrl-C, SIGTERM): no batch is simulated after the one in hand; what was generated
   * is delivered whole (the sink flushes its buffers, as at the end), and the summary's
   * `stopped` says why. A `--rate` run's wait ends at once.
   */
  signal?: AbortSignal;
};

/** What a generation run produced; written to `--summary-json` so tests can reconcile the lake. */
export interface GenerateSummary {
  seed: number;
  start: string;
  end: string;
  hours: number;
  sink: "local" | "firehose" | "kinesis";
  stream: string;
  /**
   * Logical events simulated (before chaos): about the `events` asked for (see `SimulationConfig.events`);
   * fewer when `durationSeconds` stopped the run.
   */
  events: number;
  /** Lines delivered: events plus duplicates. */
  records: number;
  sessions: number;
  /** Distinct customers with at least one session. */
  customers: number;
  byType: Record<EventType, number>;
  /** order_paid events and their revenue (before chaos). */
  orders: number;
  revenue: number;
  chaos: ChaosCounts;
  /** Distinct events a correct silver layer keeps: events minus malformed and wrong-type ones. */
  expectedValidEvents: number;
  /**
   * Events not generated because they would arrive after the wall clock (a window reaching the
   * current hour: its sessions run past now). Not counted in `events`.
   */
  notYetHappened: number;
  output: SinkReport;
  durationMs: number;
  /** Why the run stopped before its window's end (the abort's reason), when it did. */
  stopped?: string;
}

/**
 * Simulates shop traffic and delivers it to the chosen sink.
 *
 * @example
 * const summary = await generate({ events: 50_000, start: "2026-11-27T00:00:00Z", hours: 24, seed: 42, sink: "local", lakeDir: "models/.lake" });
 */
export async function generate(options: GenerateOptions): Promise<GenerateSummary> {
  const began = performance.now();
  const o = generateOptionsSchema.parse(stripCallbacks(options));
  const sink = await createSink(o);
  const chaos = new ChaosInjector(o.seed, {
    malformed: o.malformedRate,
    duplicate: o.duplicateRate,
    late: o.lateRate,
    missingField: o.missingFieldRate,
    wrongType: o.wrongTypeRate,
  });
  const stats: SimulationStats = { sessions: 0, customers: 0 };
  const byType: Record<EventType, number> = {
    product_view: 0,
    add_to_cart: 0,
    checkout_started: 0,
    order_paid: 0,
  };
  let events = 0;
  let records = 0;
  let orders = 0;
  let revenueCents = 0;
  const paceStart = performance.now();
  let batchNo = 0;
  // Sinks are done with every record once write() resolves (see EventSink), so the simulation
  // reuses its buffers batch after batch.
  const batches = simulateEvents(
    {
      seed: o.seed,
      start: o.start,
      hours: o.hours,
      events: o.events,
      customers: o.customers,
      funnel: {
        meanViews: o.meanViews,
        viewsTail: o.viewsTail,
        repeatViewRate: o.repeatViewRate,
        sessionToCart: o.sessionToCart,
        extraCartRate: o.extraCartRate,
        cartToCheckout: o.cartToCheckout,
        checkoutToPaid: o.checkoutToPaid,
      },
    },
    stats,
    {
      reuseBuffers: true,
    },
  );
  const nowMs = Date.now();
  let notYetHappened = 0;
  for (const simulated of batches) {
    // Events arrive in order within a batch: only a batch reaching past now is filtered.
    let batch = simulated;
    if (batch.length > 0 && batch[batch.length - 1]!.arrivalMs > nowMs) {
      batch = batch.filter((e) => e.arrivalMs <= nowMs);
      notYetHappened += simulated.length - batch.length;
    }
    for (const timed of batch) {
      byType[timed.eventType]++;
      if (timed.eventType === "order_paid") {
        orders++;
        revenueCents += timed.orderCents;
      }
    }
    // Without chaos the events are the records: their bytes go to the sink as they are, with no
    // array or call per event.
    let lines: readonly RawRecord[] = batch;
    if (chaos.enabled) {
      const damaged: RawRecord[] = [];
      for (const timed of batch) chaos.apply(timed, damaged);
      lines = damaged;
    }
    events += batch.length;
    records += lines.length;
    await sink.write(lines);
    options.onProgress?.({
      events,
      total: o.events,
      hour: Math.min(o.hours - 1, Math.floor(batchNo++ / batchesPerHour)),
      hours: o.hours,
    });
    const elapsedMs = performance.now() - paceStart;
    if (o.durationSeconds !== undefined && elapsedMs >= o.durationSeconds * 1000) break;
    if (o.rate !== undefined) {
      const aheadMs = (events / o.rate) * 1000 - elapsedMs;
      if (aheadMs > 1) await sleep(aheadMs, options.signal);
    }
    if (options.signal?.aborted) break;
  }
  const output = await sink.close();
  const summary: GenerateSummary = {
    seed: o.seed,
    start: o.start.toISOString(),
    end: new Date(o.start.getTime() + o.hours * 3_600_000).toISOString(),
    hours: o.hours,
    sink: o.sink,
    stream: o.stream,
    events,
    records,
    sessions: stats.sessions,
    customers: stats.customers,
    byType,
    orders,
    revenue: revenueCents / 100,
    chaos: chaos.counts,
    expectedValidEvents: events - chaos.counts.malformed - chaos.counts.wrongType,
    notYetHappened,
    output,
    durationMs: Math.round(performance.now() - began),
    ...(options.signal?.aborted ? { stopped: stopReason(options.signal) } : {}),
  };
  if (o.summaryJson) writeFileSync(o.summaryJson, JSON.stringify(summary, null, 2) + "\n");
  return summary;
}

/** Wait `ms`, or until `signal` aborts. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });

/** An abort's reason as words: its message, else "stopped". */
const stopReason = (signal: AbortSignal): string =>
  signal.reason instanceof Error ? signal.reason.message : "stopped";

function stripCallbacks(options: GenerateOptions): Record<string, unknown> {
  const { onProgress: _p, signal: _s, ...rest } = options;
  return rest;
}

async function createSink(o: ResolvedGenerateOptions): Promise<EventSink> {
  if (o.sink === "local") {
    return createLocalSink(o.lakeDir, {
      stream: o.stream,
      gzip: o.gzip,
      gzipLevel: o.gzipLevel,
      bufferSizeMiB: o.bufferSizeMiB,
      bufferIntervalSeconds: o.bufferIntervalSeconds,
      seed: o.seed,
      partitionByEventType: o.partitionByEventType,
    });
  }
  const local =
    o.endpointUrl !== undefined &&
    /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(o.endpointUrl);
  const config = {
    region: o.region,
    ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}),
    // The local endpoint ignores signatures; don't make users invent AWS keys for it.
    ...(local && !process.env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {}),
  };
  if (o.sink === "kinesis") {
    const { createKinesisClient } = await import("./kinesis-client.js");
    const client = await createKinesisClient(config);
    return createKinesisSink({ client, stream: o.stream, concurrency: o.concurrency });
  }
  const { FirehoseClient } = await import("@aws-sdk/client-firehose");
  const client = new FirehoseClient(config);
  return createFirehoseSink({ client, stream: o.stream, concurrency: o.concurrency });
}
