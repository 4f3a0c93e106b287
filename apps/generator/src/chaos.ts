import { Prng, hashString, type ByteLine, type ShopEvent, type TimedEvent } from "@sluice/events";

/** Fractions of events (0-1) to damage on purpose, to test the pipeline's handling. */
export interface ChaosRates {
  /** Lines that are not valid JSON (the event is cut off in its second half, like a torn write). */
  malformed: number;
  /** Events delivered twice, byte for byte (Firehose's at-least-once delivery). */
  duplicate: number;
  /** Events whose event_timestamp is 1-6 hours before their arrival. */
  late: number;
  /** Events missing one optional field (customer.email, customer.signup_date or session.utm_campaign). */
  missingField: number;
  /** Events with one numeric field replaced by a non-numeric string (no cast can save it). */
  wrongType: number;
}

export const noChaos: ChaosRates = {
  malformed: 0,
  duplicate: 0,
  late: 0,
  missingField: 0,
  wrongType: 0,
};

/** What was injected. Malformed, missing-field and wrong-type exclude each other per event; late never hits a malformed line; duplicates copy the final line (never a malformed one). */
export interface ChaosCounts {
  malformed: number;
  duplicate: number;
  late: number;
  missingField: number;
  wrongType: number;
  missingFieldByField: Record<string, number>;
  wrongTypeByField: Record<string, number>;
}

/** A line for the raw zone given as text, and its arrival time. */
export interface TextRecord {
  /** One JSON line, newline-terminated. */
  data: string;
  arrivalMs: number;
}

/**
 * A line for the raw zone: text, or bytes in a shared buffer (what the simulation makes; an
 * undamaged {@link TimedEvent} is passed on as is, with no string or copy per event).
 */
export type RawRecord = TextRecord | ByteLine;

/** True for a record given as text. */
export function isTextRecord(r: RawRecord): r is TextRecord {
  return (r as Partial<TextRecord>).data !== undefined;
}

/** A record's bytes, newline included (a copy for byte records, so no shared buffer is pinned). */
export function recordBytes(r: RawRecord): Buffer {
  if (isTextRecord(r)) return Buffer.from(r.data);
  const out = Buffer.allocUnsafe(r.end - r.start);
  r.bytes.copy(out, 0, r.start, r.end);
  return out;
}

const HOUR_MS = 3_600_000;

/**
 * Turns events into raw lines, damaging some of them at the configured rates. Draws come from
 * their own PRNG stream in arrival order, so chaos is as deterministic as the events.
 */
export class ChaosInjector {
  readonly counts: ChaosCounts = {
    malformed: 0,
    duplicate: 0,
    late: 0,
    missingField: 0,
    wrongType: 0,
    missingFieldByField: {},
    wrongTypeByField: {},
  };
  private readonly rng: Prng;
  /**
   * False when every rate is 0: then {@link apply} would pass every event through unchanged, so
   * callers skip it and hand the events on as they are.
   */
  readonly enabled: boolean;

  constructor(
    seed: number,
    private readonly rates: ChaosRates,
  ) {
    this.rng = new Prng(seed, hashString("chaos"));
    this.enabled = Object.values(rates).some((r) => r > 0);
  }

  /** Appends the line(s) for one event to `out`. */
  apply(timed: TimedEvent, out: RawRecord[]): void {
    const { arrivalMs } = timed;
    const r = this.rates;
    const u = this.rng.next();
    if (u < r.malformed) {
      const json = timed.json;
      this.counts.malformed++;
      out.push({
        data: json.slice(0, this.rng.int(json.length >> 1, json.length - 2)) + "\n",
        arrivalMs,
      });
      return;
    }
    // `timed.event` is parsed from the line on first use, so only damaged events pay for it.
    let event: ShopEvent | undefined = undefined;
    if (u < r.malformed + r.missingField) event = this.dropField(timed.event);
    else if (u < r.malformed + r.missingField + r.wrongType) event = this.wrongType(timed.event);
    if (this.rng.chance(r.late)) {
      this.counts.late++;
      const lateMs = HOUR_MS + Math.floor(this.rng.next() * 5 * HOUR_MS);
      event = {
        ...(event ?? timed.event),
        event_timestamp: new Date(arrivalMs - lateMs).toISOString(),
      };
    }
    const line: RawRecord =
      event === undefined || event === timed.event
        ? timed
        : { data: JSON.stringify(event) + "\n", arrivalMs };
    out.push(line);
    if (this.rng.chance(r.duplicate)) {
      this.counts.duplicate++;
      out.push(line);
    }
  }

  private dropField(event: ShopEvent): ShopEvent {
    const candidates: string[] = [];
    if (event.customer.email !== undefined) candidates.push("customer.email");
    if (event.customer.signup_date !== undefined) candidates.push("customer.signup_date");
    if (event.session.utm_campaign !== undefined) candidates.push("session.utm_campaign");
    if (candidates.length === 0) return event;
    const field = this.rng.pick(candidates);
    this.counts.missingField++;
    this.counts.missingFieldByField[field] = (this.counts.missingFieldByField[field] ?? 0) + 1;
    // Events of a session share customer/session objects, so copy before deleting.
    const customer = { ...event.customer };
    const session = { ...event.session };
    if (field === "customer.email") delete customer.email;
    else if (field === "customer.signup_date") delete customer.signup_date;
    else delete session.utm_campaign;
    return { ...event, customer, session };
  }

  private wrongType(event: ShopEvent): ShopEvent {
    const candidates = ["customer.customer_id"];
    if (event.product) candidates.push("product.price");
    if (event.quantity !== undefined) candidates.push("quantity");
    if (event.order) candidates.push("order.order_total");
    const field = this.rng.pick(candidates);
    this.counts.wrongType++;
    this.counts.wrongTypeByField[field] = (this.counts.wrongTypeByField[field] ?? 0) + 1;
    // The damaged event is no longer a ShopEvent; only its JSON text matters from here on.
    const bad = { ...event } as Record<string, unknown>;
    if (field === "customer.customer_id")
      bad.customer = { ...event.customer, customer_id: "unknown" };
    else if (field === "product.price") bad.product = { ...event.product, price: "N/A" };
    else if (field === "quantity") bad.quantity = "two";
    else bad.order = { ...event.order, order_total: "N/A" };
    return bad as unknown as ShopEvent;
  }
}
