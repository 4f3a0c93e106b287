import { catalogue, categories, type CatalogueProduct } from "./catalogue.js";
import { customerAt } from "./customers.js";
import { channelCartRate, channelProfiles, defaultFunnel, deviceWeights, paymentWeights, type FunnelConfig } from "./funnel.js";
import { Prng, WeightedPicker, hashString } from "./prng.js";
import type { Customer, Device, EventType, Order, OrderItem, Payment, PaymentMethod, Product, SessionInfo, ShopEvent } from "./schema.js";
import { isoMillis } from "./iso-time.js";
import { composeEventJson } from "./serialize.js";
import { allocateEvents } from "./traffic.js";

const HOUR_MS = 3_600_000;
/** Hours are simulated in 1-minute slices so memory stays flat (and objects die young) however many events an hour has. */
const SLICES_PER_HOUR = 60;
/** How many batches `simulateEvents` yields per hour of the window (one per simulated minute). */
export const batchesPerHour = SLICES_PER_HOUR;
const SLICE_MS = HOUR_MS / SLICES_PER_HOUR;
const HOUR_STREAM = hashString("hour");

/** What to simulate. */
export interface SimulationConfig {
  seed: number;
  /** Start of the window (UTC). */
  start: Date;
  /** Length of the window in whole hours. */
  hours: number;
  /** Exactly this many events are produced, spread over the hours by the traffic curve. */
  events: number;
  funnel?: Partial<FunnelConfig>;
  /** Size of the customer pool (default: one customer per 12 events, at least 50). */
  customers?: number;
}

/** Counters the simulation fills in while it runs. */
export interface SimulationStats {
  sessions: number;
  /** Distinct customers with at least one session. */
  customers: number;
}

/** An event, its JSON line (no newline) and the instant Firehose receives it (a little after it happened). */
export interface TimedEvent {
  arrivalMs: number;
  event: ShopEvent;
  /** `JSON.stringify(event)`, computed faster; stale if `event` is changed afterwards. */
  json: string;
}

const channelPicker = new WeightedPicker(channelProfiles, channelProfiles.map((p) => p.weight));
const devicePicker = new WeightedPicker(Object.keys(deviceWeights) as Device[], Object.values(deviceWeights));
const paymentPicker = new WeightedPicker(Object.keys(paymentWeights) as PaymentMethod[], Object.values(paymentWeights));
const productPicker = new WeightedPicker(catalogue, catalogue.map((p) => p.popularity));
const categoryPickers = new Map(
  categories.map((c) => {
    const items = catalogue.filter((p) => p.category === c);
    return [c, new WeightedPicker(items, items.map((p) => p.popularity))] as const;
  }),
);
const categoryPicker = new WeightedPicker(categories, categories.map(() => 1));
const productJson = new Map<number, Product>(
  catalogue.map((p) => [p.product_id, { product_id: p.product_id, product_name: p.product_name, category: p.category, price: p.price }]),
);
const productText = new Map<Product, string>([...productJson.values()].map((p) => [p, JSON.stringify(p)]));

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
): Generator<TimedEvent[]> {
  const funnel = { ...defaultFunnel, ...config.funnel };
  const poolSize = config.customers ?? Math.max(50, Math.round(config.events / 12));
  const seenCustomers = new Uint8Array(poolSize);
  const quotas = allocateEvents(config.events, config.start, config.hours);
  const onSession = (index: number) => {
    stats.sessions++;
    if (seenCustomers[index] === 0) {
      seenCustomers[index] = 1;
      stats.customers++;
    }
  };
  let carry: TimedEvent[] = [];
  let produced = 0;
  let target = 0;
  for (let h = 0; h < config.hours; h++) {
    for (let slice = 0; slice < SLICES_PER_HOUR; slice++) {
      const sliceStart = config.start.getTime() + h * HOUR_MS + slice * SLICE_MS;
      // Spread the hour's quota evenly over its slices, remainder to the first ones.
      target += Math.floor(quotas[h]! / SLICES_PER_HOUR) + (slice < quotas[h]! % SLICES_PER_HOUR ? 1 : 0);
      const last = h === config.hours - 1 && slice === SLICES_PER_HOUR - 1;
      // Sessions run to completion (a slice may overshoot its share; the next slices make up
      // for it); only the very last session may be cut, to hit the exact event count.
      const fresh = simulateSlice(new Prng(config.seed, HOUR_STREAM, h, slice), sliceStart, target - produced, config.events - produced, funnel, poolSize, config, onSession);
      produced += fresh.length;
      const all = carry.length ? carry.concat(fresh) : fresh;
      all.sort(byArrival);
      if (last) {
        yield all;
        return;
      }
      // Sessions that run past the slice carry their tail into the next batch to keep arrival order.
      const sliceEnd = sliceStart + SLICE_MS;
      let cut = all.length;
      while (cut > 0 && all[cut - 1]!.arrivalMs >= sliceEnd) cut--;
      carry = all.slice(cut);
      all.length = cut;
      yield all;
    }
  }
}

function byArrival(a: TimedEvent, b: TimedEvent): number {
  return a.arrivalMs - b.arrivalMs;
}

function simulateSlice(
  rng: Prng,
  sliceStart: number,
  quota: number,
  /** Never more events than this (what is left of the whole run). */
  limit: number,
  funnel: FunnelConfig,
  poolSize: number,
  config: SimulationConfig,
  onSession: (customerIndex: number) => void,
): TimedEvent[] {
  const out: TimedEvent[] = [];
  while (out.length < quota) {
    const sessionStart = sliceStart + Math.floor(rng.next() * SLICE_MS);
    // Squaring the draw skews sessions toward low indexes: a few loyal customers come back often.
    const u = rng.next();
    const index = Math.floor(poolSize * u * u);
    onSession(index);
    simulateSession(rng, funnel, sessionStart, customerAt(config.seed, index, config.start), out, limit);
  }
  return out;
}

/** Appends one session's events (in time order) to `out`, stopping at `limit` events. */
function simulateSession(rng: Prng, funnel: FunnelConfig, t0: number, customer: Customer, out: TimedEvent[], limit: number): void {
  const profile = channelPicker.pick(rng);
  const session: SessionInfo = { channel: profile.channel, device: devicePicker.pick(rng) };
  if (profile.campaigns.length > 0) session.utm_campaign = rng.pick(profile.campaigns);
  const sessionId = rng.uuid();
  const customerJson = JSON.stringify(customer);
  const sessionJson = JSON.stringify(session);
  let orderJson: string | undefined = undefined;
  let t = t0 + rng.int(0, 999);

  // Fields are assigned in contract order, so JSON.stringify(event) equals the composed text.
  const emit = (event_type: EventType, product?: Product, quantity?: number, order?: Order, payment?: Payment): boolean => {
    if (out.length >= limit) return false;
    const event: ShopEvent = {
      event_id: rng.uuid(),
      event_type,
      event_timestamp: isoMillis(t),
      session_id: sessionId,
      customer,
      session,
    };
    if (product !== undefined) event.product = product;
    if (quantity !== undefined) event.quantity = quantity;
    if (order !== undefined) event.order = order;
    if (payment !== undefined) event.payment = payment;
    const json = composeEventJson(event, customerJson, sessionJson, product && productText.get(product), orderJson);
    out.push({ arrivalMs: t + 200 + Math.floor(rng.exp(800)), event, json });
    return true;
  };

  let views = 1;
  while (views < 15 && rng.chance(1 - 1 / funnel.meanViews)) views++;
  let adds = 0;
  if (rng.chance(channelCartRate(funnel, profile))) {
    adds = 1;
    while (adds < 5 && rng.chance(funnel.extraCartRate)) adds++;
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
    const product = productJson.get(p.product_id)!;
    if (!emit("product_view", product)) return;
    if (addAfter.has(i)) {
      t += 2000 + Math.floor(rng.exp(20_000));
      const x = rng.next();
      const quantity = x < 0.75 ? 1 : x < 0.93 ? 2 : 3;
      cart.set(p.product_id, (cart.get(p.product_id) ?? 0) + quantity);
      if (!emit("add_to_cart", product, quantity)) return;
    }
  }
  if (cart.size === 0 || !rng.chance(funnel.cartToCheckout)) return;

  const items: OrderItem[] = [];
  let total = 0;
  for (const [id, quantity] of cart) {
    const p = productJson.get(id)!;
    items.push({ product_id: id, product_name: p.product_name, category: p.category, quantity, unit_price: p.price });
    total += quantity * p.price;
  }
  const order: Order = { order_id: rng.uuid(), currency: "USD", order_total: round2(total), items };
  orderJson = JSON.stringify(order);
  t += 5000 + Math.floor(rng.exp(60_000));
  if (!emit("checkout_started", undefined, undefined, order)) return;
  if (!rng.chance(funnel.checkoutToPaid)) return;
  t += 10_000 + Math.floor(rng.exp(45_000));
  emit("order_paid", undefined, undefined, order, { method: paymentPicker.pick(rng) });
}
