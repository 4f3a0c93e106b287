import { catalogue, categories, type CatalogueProduct } from "./catalogue.js";
import { put, putAscii, putUint, utf8 } from "./bytes.js";
import { writeCustomerJson } from "./customers.js";
import {
  channelCartRate,
  channelExtraItemRate,
  channelProfiles,
  defaultFunnel,
  deviceWeights,
  maxViews,
  paymentWeights,
  type FunnelConfig,
} from "./funnel.js";
import { Prng, WeightedPicker, hashString } from "./prng.js";
import type { Device, EventType, PaymentMethod, Product, SessionInfo } from "./schema.js";
import { writeIsoMillis } from "./iso-time.js";
import { TimedEvent } from "./timed-event.js";
import { hourVolume } from "./traffic.js";

const HOUR_MS = 3_600_000;
/** Hours are simulated in 1-minute slices so memory stays flat (and objects die young) however many events an hour has. */
const SLICES_PER_HOUR = 60;
/** How many batches `simulateEvents` yields per hour of the window (one per simulated minute). */
export const batchesPerHour = SLICES_PER_HOUR;
const SLICE_MS = HOUR_MS / SLICES_PER_HOUR;
const HOUR_STREAM = hashString("hour");
const VOLUME_STREAM = hashString("hour volume");

/**
 * The customer pool for traffic averaging `perHour` events an hour: about two days of sessions,
 * so most customers come back on later days and loyal ones many times (lifetime value spans many
 * orders). A function of the rate, never of the window, so a customer is the same in every window.
 */
export function defaultCustomerPool(perHour: number): number {
  return Math.max(50, Math.round(perHour * 10));
}

/** What to simulate. */
export interface SimulationConfig {
  seed: number;
  /** Start of the window (UTC). */
  start: Date;
  /** Length of the window in whole hours. */
  hours: number;
  /**
   * About this many events: traffic averages `events / hours` an hour over a week, shaped by the
   * diurnal and weekly curve, so a window gets more or less than this as its hours are busy or
   * quiet (and every session runs to its end). The count of an hour depends on the hour alone.
   */
  events: number;
  funnel?: Partial<FunnelConfig>;
  /** Size of the customer pool (default: {@link defaultCustomerPool} of the hourly rate). */
  customers?: number;
}

/** How {@link simulateEvents} hands out events. */
export interface SimulationOptions {
  /**
   * Reuse the buffers events are written into, and the event objects: a batch's events (the
   * objects, their bytes, `json` and `event`) are valid only until the next batch is requested. For consumers that copy each
   * batch out before asking for the next (the generator's sinks); keeps memory flat.
   */
  reuseBuffers?: boolean;
}

/** Counters the simulation fills in while it runs. */
export interface SimulationStats {
  sessions: number;
  /** Distinct customers with at least one session. */
  customers: number;
}

const channelPicker = new WeightedPicker(
  channelProfiles,
  channelProfiles.map((p) => p.weight),
);
const devicePicker = new WeightedPicker(
  Object.keys(deviceWeights) as Device[],
  Object.values(deviceWeights),
);
const paymentPicker = new WeightedPicker(
  Object.keys(paymentWeights) as PaymentMethod[],
  Object.values(paymentWeights),
);
const productPicker = new WeightedPicker(
  catalogue,
  catalogue.map((p) => p.popularity),
);
const categoryPickers = new Map(
  categories.map((c) => {
    const items = catalogue.filter((p) => p.category === c);
    return [
      c,
      new WeightedPicker(
        items,
        items.map((p) => p.popularity),
      ),
    ] as const;
  }),
);
const categoryPicker = new WeightedPicker(
  categories,
  categories.map(() => 1),
);
const productJson = new Map<number, Product>(
  catalogue.map((p) => [
    p.product_id,
    {
      product_id: p.product_id,
      product_name: p.product_name,
      category: p.category,
      price: p.price,
    },
  ]),
);

// Events are written as bytes, piece by piece, in contract key order: the same text as
// JSON.stringify of the event. Constant pieces are encoded once here; a session's
// `session_id`/`customer`/`session` block and its order block once per session.
const EVENT_ID = utf8('{"event_id":"');
const typeBlocks = {
  product_view: utf8('","event_type":"product_view","event_timestamp":"'),
  add_to_cart: utf8('","event_type":"add_to_cart","event_timestamp":"'),
  checkout_started: utf8('","event_type":"checkout_started","event_timestamp":"'),
  order_paid: utf8('","event_type":"order_paid","event_timestamp":"'),
} satisfies Record<EventType, Buffer>;
const SESSION_ID = utf8('","session_id":"');
const CUSTOMER = utf8('","customer":');
const QUANTITY = utf8(',"quantity":');
const productBlocks = new Map<number, Buffer>(
  [...productJson.values()].map((p) => [p.product_id, utf8(`,"product":${JSON.stringify(p)}`)]),
);
const paymentBlocks = paymentPicker.items.map((m) =>
  utf8(`,"payment":${JSON.stringify({ method: m })}`),
);
/** `,"session":{...}` for each (channel profile, device, campaign or none), made on first use. */
const sessionBlocks: (Buffer | undefined)[] = [];
const ORDER_ID = utf8(',"order":{"order_id":"');
const ORDER_TOTAL = utf8('","currency":"USD","order_total":');
const ITEMS = utf8(',"items":[');
/** `{"product_id":..,"product_name":..,"category":..,"quantity":` and `,"unit_price":..}` per product. */
const itemHeads = new Map(
  catalogue.map((p) => [
    p.product_id,
    utf8(
      JSON.stringify({
        product_id: p.product_id,
        product_name: p.product_name,
        category: p.category,
        quantity: 0,
      }).slice(0, -2),
    ),
  ]),
);
const itemTails = new Map(
  catalogue.map((p) => [p.product_id, utf8(`,"unit_price":${JSON.stringify(p.price)}}`)]),
);
const longestPiece = Math.max(
  ...[...productBlocks.values(), ...paymentBlocks].map((b) => b.length),
);
/** Bytes of an event besides its session and order blocks, with room to spare. */
const EVENT_FIXED_BYTES = 160 + 2 * longestPiece;

/**
 * Session and order blocks are written here, then copied into each event of the session. The
 * simulation is synchronous, so one scratch buffer serves every session.
 */
const scratch = Buffer.allocUnsafe(64 * 1024);
const ORDER_SCRATCH = 32 * 1024;
const ID_SCRATCH = 63 * 1024;
/** An event's id, drawn before its bytes are written. */
const eventId = scratch.subarray(ID_SCRATCH, ID_SCRATCH + 36);

/** Size of the largest buffers events are written into (a busy minute's). */
const CHUNK_BYTES = 256 * 1024;
/**
 * Size of a minute's first buffer; each next one of the same minute is twice the last, up to
 * {@link CHUNK_BYTES}. Sessions run hours ahead of the slice being simulated (a long browse, a
 * late payment), so ~130 future minutes hold a few events each at any time: a 256 KiB chunk
 * apiece was ~33 MB of mostly empty buffers (issue #18's memory budget).
 */
const FIRST_CHUNK_BYTES = 16 * 1024;
/** Free chunks by size class: 16, 32, 64, 128 and 256 KiB. */
const CHUNK_CLASSES = Math.log2(CHUNK_BYTES / FIRST_CHUNK_BYTES) + 1;
const chunkClass = (size: number): number => Math.log2(size / FIRST_CHUNK_BYTES);

/** The chunk an arrival minute's events are being written into. */
interface Arena {
  buf: Buffer;
  pos: number;
  /** Its earlier, full chunks (kept only to recycle them, with `reuse`). */
  full: Buffer[];
}

/**
 * Where events' bytes go: chunks per arrival minute (the batch an event will be yielded in), a
 * fresh chunk when the minute's current one is full. Grouping by arrival rather than by when the
 * event was simulated matters: a session's events arrive over many minutes, so one chunk shared
 * by all of them stays pinned until the last of its events is yielded, tens of MB in all.
 *
 * By default a chunk is never reused (an event may be held as long as its consumer likes) and is
 * freed with the last event that points into it. With `reuse`, a minute's chunks go back to a
 * free list once its batch has been consumed: garbage collection is not timed by external
 * memory, so otherwise dead chunks pile up between collections and the RSS grows.
 */
class LineWriter {
  /** By arrival minute, counted from the window's start. */
  private readonly arenas: (Arena | undefined)[] = [];
  /** Recycled chunks by {@link chunkClass}. */
  private readonly free: Buffer[][] = Array.from({ length: CHUNK_CLASSES }, () => []);
  /** Consumed events, for {@link event} to reuse (with `reuse`). */
  private readonly spareEvents: TimedEvent[] = [];
  /** Minutes before this one have been released. */
  private released = 0;

  constructor(
    private readonly reuse: boolean,
    private readonly startMs: number,
  ) {}

  /** The chunk to write an event of at most `n` bytes arriving at `arrivalMs` into, at its `pos`. */
  reserve(arrivalMs: number, n: number): Arena {
    const minute = Math.floor((arrivalMs - this.startMs) / SLICE_MS);
    let arena = this.arenas[minute];
    if (arena === undefined) {
      arena = this.arenas[minute] = { buf: this.chunk(FIRST_CHUNK_BYTES, n), pos: 0, full: [] };
    } else if (arena.pos + n > arena.buf.length) {
      if (this.reuse) arena.full.push(arena.buf);
      arena.buf = this.chunk(Math.min(CHUNK_BYTES, arena.buf.length * 2), n);
      arena.pos = 0;
    }
    return arena;
  }

  /** A new event (a recycled object with `reuse`). */
  event(
    arrivalMs: number,
    eventType: EventType,
    orderCents: number,
    bytes: Buffer,
    start: number,
    end: number,
  ): TimedEvent {
    const spare = this.spareEvents.pop();
    return spare === undefined
      ? new TimedEvent(arrivalMs, eventType, orderCents, bytes, start, end)
      : spare.reset(arrivalMs, eventType, orderCents, bytes, start, end);
  }

  /**
   * `batch`, holding every event of the minutes before `minute`, has been consumed: its event
   * objects and those minutes' chunks may be written over.
   */
  releaseBefore(minute: number, batch: readonly TimedEvent[]): void {
    if (this.reuse) for (const e of batch) this.spareEvents.push(e);
    for (; this.released < minute; this.released++) {
      const arena = this.arenas[this.released];
      if (arena === undefined) continue;
      this.arenas[this.released] = undefined;
      if (!this.reuse) continue;
      for (const chunk of arena.full) this.recycle(chunk);
      this.recycle(arena.buf);
    }
  }

  /** A chunk of a standard `size` (recycled when one is free), or bigger when `n` needs it. */
  private chunk(size: number, n: number): Buffer {
    return (
      (n <= size ? this.free[chunkClass(size)]!.pop() : undefined) ??
      Buffer.allocUnsafe(Math.max(size, n))
    );
  }

  private recycle(chunk: Buffer): void {
    // Every standard chunk is kept: the lists are as long as the busiest minutes need, and
    // capping them made each busy minute allocate afresh what a quiet one had dropped.
    const c = chunkClass(chunk.length);
    if (Number.isInteger(c) && c >= 0 && c < CHUNK_CLASSES) this.free[c]!.push(chunk);
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Simulates shop sessions and yields their events in batches (one per minute of the window),
 * each sorted by arrival time and all together in arrival order. Each slice draws from its own
 * PRNG stream (seed, hour, slice), and customers are a pure function of (seed, index); only the
 * event count carries from slice to slice.
 *
 * @example
 * for (const batch of simulateEvents({ seed: 1, start: new Date("2026-11-27T00:00:00Z"), hours: 24, events: 50_000 })) {
 *   for (const { event } of batch) console.log(JSON.stringify(event));
 * }
 */
export function* simulateEvents(
  config: SimulationConfig,
  stats: SimulationStats = { sessions: 0, customers: 0 },
  options: SimulationOptions = {},
): Generator<TimedEvent[]> {
  const startMs = config.start.getTime();
  if (startMs % HOUR_MS !== 0)
    throw new Error(`window start ${config.start.toISOString()} is not at a whole hour`);
  const funnel = { ...defaultFunnel, ...config.funnel };
  const perHour = config.events / config.hours;
  const poolSize = config.customers ?? defaultCustomerPool(perHour);
  const seenCustomers = new Uint8Array(poolSize);
  const onSession = (index: number) => {
    stats.sessions++;
    if (seenCustomers[index] === 0) {
      seenCustomers[index] = 1;
      stats.customers++;
    }
  };
  const reuse = options.reuseBuffers === true;
  const writer = new LineWriter(reuse, startMs);
  // The slice's events: first those carried over from earlier slices, then its fresh ones. Kept
  // from slice to slice (with `reuse`, so is the batch array): arrays of tens of thousands of
  // events rebuilt every minute were the bulk of the old generation's garbage.
  const pending: EventList = { items: [], n: 0 };
  const batch: TimedEvent[] = [];
  for (let h = 0; h < config.hours; h++) {
    // Everything about an hour is drawn from streams keyed by its absolute number, so the same
    // hour in any window (a backfill, an overlapping rerun, the Lambda's tick) is the same events.
    const hourStart = startMs + h * HOUR_MS;
    const hour = hourStart / HOUR_MS;
    const quota = hourVolume(perHour, hourStart, new Prng(config.seed, VOLUME_STREAM, hour).next());
    let produced = 0;
    let target = 0;
    for (let slice = 0; slice < SLICES_PER_HOUR; slice++) {
      const sliceStart = hourStart + slice * SLICE_MS;
      // Spread the hour's quota evenly over its slices, remainder to the first ones. Sessions run
      // to completion: a slice may overshoot its share and the hour's next slices make up for it.
      target += Math.floor(quota / SLICES_PER_HOUR) + (slice < quota % SLICES_PER_HOUR ? 1 : 0);
      const carried = pending.n;
      simulateSlice(
        new Prng(config.seed, HOUR_STREAM, hour, slice),
        writer,
        sliceStart,
        target - produced,
        funnel,
        poolSize,
        config.seed,
        onSession,
        pending,
      );
      produced += pending.n - carried;
      const all = pending.items;
      // Only shrinks by the difference between two slices; a big drop trims the array (V8 does).
      all.length = pending.n;
      sortByArrival(all, sliceStart);
      if (h === config.hours - 1 && slice === SLICES_PER_HOUR - 1) {
        yield all;
        return;
      }
      // Sessions that run past the slice carry their tail into the next batch to keep arrival order.
      const sliceEnd = sliceStart + SLICE_MS;
      let cut = all.length;
      while (cut > 0 && all[cut - 1]!.arrivalMs >= sliceEnd) cut--;
      let out: TimedEvent[];
      if (reuse) {
        out = batch;
        for (let i = 0; i < cut; i++) out[i] = all[i]!;
        out.length = cut;
      } else {
        out = all.slice(0, cut);
      }
      for (let i = cut; i < all.length; i++) all[i - cut] = all[i]!;
      pending.n = all.length - cut;
      yield out;
      // This batch holds every event arriving before the next slice (none arrive before their session starts).
      writer.releaseBefore(h * SLICES_PER_HOUR + slice + 1, out);
    }
  }
}

/** Events filled in by index: `items[0..n)`, entries past `n` are stale. */
interface EventList {
  items: TimedEvent[];
  n: number;
}

/** The `,"session":{...}` bytes of a session's channel, device and campaign (-1: none). */
function sessionBlock(profileIndex: number, deviceIndex: number, campaignIndex: number): Buffer {
  const key = (profileIndex * 8 + deviceIndex) * 16 + campaignIndex + 1;
  let block = sessionBlocks[key];
  if (block === undefined) {
    const profile = channelProfiles[profileIndex]!;
    const session: SessionInfo = {
      channel: profile.channel,
      device: devicePicker.items[deviceIndex]!,
    };
    if (campaignIndex >= 0) session.utm_campaign = profile.campaigns[campaignIndex];
    block = sessionBlocks[key] = utf8(`,"session":${JSON.stringify(session)}`);
  }
  return block;
}

function byArrival(a: TimedEvent, b: TimedEvent): number {
  return a.arrivalMs - b.arrivalMs;
}

let wideKeys = new Float64Array(1024);
let narrowKeys = new Uint32Array(1024);
let radixSpare = new Uint32Array(1024);
const radixCounts = new Uint32Array(256);
const sortScratch: TimedEvent[] = [];

/**
 * Sorts events by arrival time, ties in their current order (what a stable sort gives), in
 * place. A comparator sort calls back into JavaScript ~n log n times; instead each event
 * becomes one number, (arrival - base) * 2^k + position: 32-bit keys (the usual case) are
 * radix-sorted, wider ones (exact in a double to 2^53) sorted natively.
 */
function sortByArrival(events: TimedEvent[], base: number): void {
  const n = events.length;
  let shift = 1;
  while (shift < n) shift *= 2;
  let lowest = 0;
  let span = 0;
  for (let i = 0; i < n; i++) {
    const d = events[i]!.arrivalMs - base;
    if (d > span) span = d;
    if (d < lowest) lowest = d;
  }
  if (lowest < 0 || (span + 1) * shift > Number.MAX_SAFE_INTEGER) {
    events.sort(byArrival);
    return;
  }
  let keys: Uint32Array | Float64Array;
  if ((span + 1) * shift <= 2 ** 32) {
    if (narrowKeys.length < n) {
      narrowKeys = new Uint32Array(n * 2);
      radixSpare = new Uint32Array(n * 2);
    }
    for (let i = 0; i < n; i++) narrowKeys[i] = (events[i]!.arrivalMs - base) * shift + i;
    keys = radixSort(narrowKeys, radixSpare, n, (span + 1) * shift - 1);
  } else {
    if (wideKeys.length < n) wideKeys = new Float64Array(n * 2);
    keys = wideKeys.subarray(0, n);
    for (let i = 0; i < n; i++) keys[i] = (events[i]!.arrivalMs - base) * shift + i;
    keys.sort();
  }
  const copy = sortScratch;
  for (let i = 0; i < n; i++) copy[i] = events[i]!;
  for (let i = 0; i < n; i++) events[i] = copy[keys[i]! % shift]!;
  copy.length = 0;
}

/** LSD radix sort of `keys[0..n)` (byte digits, as many as `maxKey` needs); returns the array holding the result. */
function radixSort(keys: Uint32Array, spare: Uint32Array, n: number, maxKey: number): Uint32Array {
  let src = keys;
  let dst = spare;
  const counts = radixCounts;
  for (let bit = 0; bit < 32 && maxKey >>> bit > 0; bit += 8) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const d = (src[i]! >>> bit) & 255;
      counts[d] = counts[d]! + 1;
    }
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = src[i]!;
      const d = (k >>> bit) & 255;
      const at = counts[d]!;
      counts[d] = at + 1;
      dst[at] = k;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

function simulateSlice(
  rng: Prng,
  writer: LineWriter,
  sliceStart: number,
  quota: number,
  funnel: FunnelConfig,
  poolSize: number,
  seed: number,
  onSession: (customerIndex: number) => void,
  out: EventList,
): void {
  const first = out.n;
  while (out.n - first < quota) {
    const sessionStart = sliceStart + Math.floor(rng.next() * SLICE_MS);
    // Squaring the draw skews sessions toward low indexes: a few loyal customers come back often.
    const u = rng.next();
    const index = Math.floor(poolSize * u * u);
    onSession(index);
    simulateSession(rng, writer, funnel, sessionStart, seed, index, out);
  }
}

/** Appends one session's events (in time order) to `out`. */
function simulateSession(
  rng: Prng,
  writer: LineWriter,
  funnel: FunnelConfig,
  t0: number,
  seed: number,
  customerIndex: number,
  out: EventList,
): void {
  const profileIndex = channelPicker.pickIndex(rng);
  const profile = channelProfiles[profileIndex]!;
  const deviceIndex = devicePicker.pickIndex(rng);
  const campaignIndex = profile.campaigns.length > 0 ? rng.index(profile.campaigns.length) : -1;
  let at = put(scratch, 0, SESSION_ID);
  at = rng.uuidInto(scratch, at);
  at = put(scratch, at, CUSTOMER);
  at = writeCustomerJson(scratch, at, seed, customerIndex);
  at = put(scratch, at, sessionBlock(profileIndex, deviceIndex, campaignIndex));
  const sessionBlockBytes = scratch.subarray(0, at);
  let orderBlock: Buffer | undefined = undefined;
  let orderCents = 0;
  let t = t0 + rng.int(0, 999);

  const emit = (
    eventType: EventType,
    product?: Buffer,
    quantity?: number,
    payment?: Buffer,
  ): void => {
    // The id is drawn before the arrival delay (the order fixes the output for a seed), but the
    // arrival picks the chunk the event is written into.
    rng.uuidInto(scratch, ID_SCRATCH);
    const arrivalMs = t + 200 + Math.floor(rng.exp(800));
    const arena = writer.reserve(
      arrivalMs,
      EVENT_FIXED_BYTES +
        sessionBlockBytes.length +
        (orderBlock === undefined ? 0 : orderBlock.length),
    );
    const buf = arena.buf;
    const start = arena.pos;
    let at = put(buf, start, EVENT_ID);
    at = put(buf, at, eventId);
    at = put(buf, at, typeBlocks[eventType]);
    at = writeIsoMillis(buf, at, t);
    at = put(buf, at, sessionBlockBytes);
    if (product !== undefined) at = put(buf, at, product);
    if (quantity !== undefined) {
      at = put(buf, at, QUANTITY);
      at = putUint(buf, at, quantity);
    }
    if (orderBlock !== undefined) at = put(buf, at, orderBlock);
    if (payment !== undefined) at = put(buf, at, payment);
    buf[at++] = 125; // }
    buf[at++] = 10; // \n
    arena.pos = at;
    out.items[out.n++] = writer.event(
      arrivalMs,
      eventType,
      orderBlock === undefined ? 0 : orderCents,
      buf,
      start,
      at,
    );
  };

  let views = 1 + viewsBeyondFirst(rng, funnel);
  let adds = 0;
  if (rng.chance(channelCartRate(funnel, profile))) {
    adds = 1;
    while (adds < 8 && rng.chance(channelExtraItemRate(funnel, profile))) adds++;
  }
  views = Math.max(views, adds);
  // Which views are followed by an add_to_cart: `adds` distinct view positions.
  const addAfter = new Set<number>();
  while (addAfter.size < adds) addAfter.add(rng.int(0, views - 1));

  const interest = categoryPickers.get(categoryPicker.pick(rng))!;
  const seen: CatalogueProduct[] = [];
  const cart = new Map<number, number>();
  for (let i = 0; i < views; i++) {
    let p: CatalogueProduct;
    if (seen.length > 0 && rng.chance(funnel.repeatViewRate)) p = rng.pick(seen);
    else p = rng.chance(0.6) ? interest.pick(rng) : productPicker.pick(rng);
    seen.push(p);
    if (i > 0) t += 3000 + Math.floor(rng.exp(35_000));
    const product = productBlocks.get(p.product_id)!;
    emit("product_view", product);
    if (addAfter.has(i)) {
      t += 2000 + Math.floor(rng.exp(20_000));
      const x = rng.next();
      const quantity = x < 0.75 ? 1 : x < 0.93 ? 2 : 3;
      cart.set(p.product_id, (cart.get(p.product_id) ?? 0) + quantity);
      emit("add_to_cart", product, quantity);
    }
  }
  if (cart.size === 0 || !rng.chance(funnel.cartToCheckout)) return;

  // `,"order":{...}` as JSON.stringify writes an Order: id, currency, total, items in cart order.
  let total = 0;
  for (const [id, quantity] of cart) total += quantity * productJson.get(id)!.price;
  let o = put(scratch, ORDER_SCRATCH, ORDER_ID);
  o = rng.uuidInto(scratch, o);
  o = put(scratch, o, ORDER_TOTAL);
  const orderTotal = round2(total);
  o = putAscii(scratch, o, JSON.stringify(orderTotal));
  o = put(scratch, o, ITEMS);
  let first = true;
  for (const [id, quantity] of cart) {
    if (!first) scratch[o++] = 44; // ,
    first = false;
    o = put(scratch, o, itemHeads.get(id)!);
    o = putUint(scratch, o, quantity);
    o = put(scratch, o, itemTails.get(id)!);
  }
  scratch[o++] = 93; // ]
  scratch[o++] = 125; // }
  orderBlock = scratch.subarray(ORDER_SCRATCH, o);
  orderCents = Math.round(orderTotal * 100);
  t += 5000 + Math.floor(rng.exp(60_000));
  emit("checkout_started");
  if (!rng.chance(funnel.checkoutToPaid)) return;
  t += 10_000 + Math.floor(rng.exp(45_000));
  emit("order_paid", undefined, undefined, paymentBlocks[paymentPicker.pickIndex(rng)]);
}

/**
 * Product views after the first: Lomax (Pareto II) with tail index `viewsTail` and mean
 * `meanViews - 1`, rounded, so most sessions are short and a few browse for long.
 */
function viewsBeyondFirst(rng: Prng, funnel: FunnelConfig): number {
  const tail = funnel.viewsTail;
  const scale = (funnel.meanViews - 1) * (tail - 1);
  const extra = Math.round(scale * (Math.pow(1 - rng.next(), -1 / tail) - 1));
  return Math.min(maxViews - 1, extra);
}
