import type { EventType, ShopEvent } from "./schema.js";

/**
 * A line whose bytes live in a shared buffer: `bytes[start..end)`, newline included. Sinks copy
 * the range straight into their output, so an event never exists as a JavaScript string.
 */
export interface ByteLine {
  bytes: Buffer;
  start: number;
  /** Exclusive; the byte before it is the line's `\n`. */
  end: number;
  arrivalMs: number;
}

/**
 * One simulated event: its JSON line (as bytes in the slice's buffer) and the instant Firehose
 * receives it. `json` and `event` are decoded on first use, so a run that only writes the lines
 * never builds them.
 */
export class TimedEvent implements ByteLine {
  private parsed: ShopEvent | undefined = undefined;

  constructor(
    public arrivalMs: number,
    public eventType: EventType,
    /** `order.order_total` in cents on checkout_started and order_paid; 0 otherwise. */
    public orderCents: number,
    public bytes: Buffer,
    public start: number,
    public end: number,
  ) {}

  /**
   * Makes this object another event, as the constructor would. The simulation recycles events
   * with `reuseBuffers` so that they don't pile up as garbage in the old generation.
   */
  reset(
    arrivalMs: number,
    eventType: EventType,
    orderCents: number,
    bytes: Buffer,
    start: number,
    end: number,
  ): this {
    this.arrivalMs = arrivalMs;
    this.eventType = eventType;
    this.orderCents = orderCents;
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    this.parsed = undefined;
    return this;
  }

  /** The JSON line without its newline: exactly `JSON.stringify(event)`. */
  get json(): string {
    return this.bytes.toString("utf8", this.start, this.end - 1);
  }

  /** The event, parsed from {@link json} once; its keys are in contract order. */
  get event(): ShopEvent {
    return (this.parsed ??= JSON.parse(this.json) as ShopEvent);
  }

  toJSON(): { arrivalMs: number; event: ShopEvent; json: string } {
    return { arrivalMs: this.arrivalMs, event: this.event, json: this.json };
  }
}
