import { describe, expect, it } from "vitest";
import { catalogue, categories } from "./catalogue.js";
import { countries, countryCodesCsv } from "./countries.js";
import { Prng } from "./prng.js";
import { shopEventSchema, type ShopEvent } from "./schema.js";
import { simulateEvents, type SimulationConfig, type SimulationStats } from "./simulate.js";
import type { TimedEvent } from "./timed-event.js";
import { diurnalWeights, hourVolume } from "./traffic.js";

const start = new Date("2026-11-27T00:00:00.000Z"); // a Friday

function run(config: Partial<SimulationConfig> = {}, stats?: SimulationStats): TimedEvent[] {
  return [
    ...simulateEvents({ seed: 11, start, hours: 24, events: 20_000, ...config }, stats),
  ].flat();
}

const day = run({ events: 60_000 });
const sessions = new Map<string, ShopEvent[]>();
for (const { event } of day) {
  const list = sessions.get(event.session_id) ?? [];
  list.push(event);
  sessions.set(event.session_id, list);
}

describe("simulateEvents", () => {
  it("produces each hour's volume of the traffic curve, in arrival order", () => {
    // One expect over the whole day: an expect per event costs seconds at 60,000 events.
    const unordered = day.findIndex((t, i) => i > 0 && t.arrivalMs < day[i - 1]!.arrivalMs);
    expect(unordered, "first event arriving before its predecessor").toBe(-1);
    // Each hour gets its curve's share of 60,000 / 24 an hour, rounded either way; every session
    // runs to its end, so an hour may overshoot by less than one session (at most ~410 events).
    let low = 0;
    let high = 0;
    for (let h = 0; h < 24; h++) {
      low += hourVolume(2500, start.getTime() + h * 3_600_000, 0.999_999);
      high += hourVolume(2500, start.getTime() + h * 3_600_000, 0) + 410;
    }
    expect(day.length).toBeGreaterThanOrEqual(low);
    expect(day.length).toBeLessThanOrEqual(high);
    // A Friday is a little busier than the week's average day.
    expect(day.length / 60_000).toBeGreaterThan(1);
    expect(day.length / 60_000).toBeLessThan(1.08);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const a = JSON.stringify(run({ events: 3000, hours: 3 }));
    const b = JSON.stringify(run({ events: 3000, hours: 3 }));
    const c = JSON.stringify(run({ events: 3000, hours: 3, seed: 12 }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it("makes events that all validate against the schema", () => {
    const wrong: string[] = [];
    for (const { event, json } of day) {
      // The hand-built line is exactly JSON.stringify's text of the event.
      if (json !== JSON.stringify(event)) wrong.push(`line ${json} of ${JSON.stringify(event)}`);
      const r = shopEventSchema.safeParse(JSON.parse(json));
      if (!r.success) wrong.push(`${JSON.stringify(event)}\n${r.error.message}`);
    }
    expect(wrong.slice(0, 3), `${wrong.length} events`).toEqual([]);
  });

  it("has unique event ids and arrival shortly after the event time", () => {
    expect(new Set(day.map((t) => t.event.event_id)).size).toBe(day.length);
    const lags = day.map((t) => t.arrivalMs - Date.parse(t.event.event_timestamp));
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...lags)).toBeLessThan(60_000);
  });

  it("walks the funnel in order, one customer/channel/device and one order per session", () => {
    const rank = { product_view: 0, add_to_cart: 1, checkout_started: 2, order_paid: 3 };
    // What is wrong with each session, checked for all of them, then one expect.
    const wrong: string[] = [];
    for (const [id, events] of sessions) {
      const sorted = [...events].sort((a, b) => a.event_timestamp.localeCompare(b.event_timestamp));
      const stages = sorted.map((e) => rank[e.event_type]);
      const lastView = stages.lastIndexOf(0);
      const orders = new Set(events.filter((e) => e.order).map((e) => e.order!.order_id));
      const problems = [
        sorted[0]!.event_type !== "product_view" && `starts with ${sorted[0]!.event_type}`,
        new Set(events.map((e) => JSON.stringify([e.customer, e.session]))).size !== 1 &&
          "more than one customer/channel/device",
        orders.size > 1 && `${orders.size} orders`,
        !stages.slice(lastView + 1).every((s) => s >= 1) && "a view after the funnel went on",
        stages.includes(3) && !stages.includes(2) && "paid without checkout",
        stages.includes(2) && !stages.includes(1) && "checkout without cart",
      ].filter((p) => p !== false);
      if (problems.length > 0) wrong.push(`${id}: ${problems.join(", ")}`);
    }
    expect(wrong.slice(0, 5), `${wrong.length} sessions`).toEqual([]);
  });

  it("orders contain the cart: totals equal the sum of items, several items sometimes", () => {
    let multi = 0;
    for (const events of sessions.values()) {
      const order = events.find((e) => e.order)?.order;
      if (!order) continue;
      const cart = new Map<number, number>();
      for (const e of events)
        if (e.event_type === "add_to_cart")
          cart.set(e.product!.product_id, (cart.get(e.product!.product_id) ?? 0) + e.quantity!);
      expect(new Map(order.items.map((i) => [i.product_id, i.quantity]))).toEqual(cart);
      const sum = order.items.reduce((s, i) => s + i.quantity * i.unit_price, 0);
      expect(order.order_total).toBeCloseTo(sum, 2);
      if (order.items.length > 1) multi++;
    }
    const orders = [...sessions.values()].filter((e) => e.some((x) => x.order)).length;
    expect(multi / orders).toBeGreaterThan(0.2);
  });

  it("follows a configured funnel", () => {
    const events = run({ events: 20_000, funnel: { sessionToCart: 0, cartToCheckout: 1 } });
    expect(events.every((t) => t.event.event_type === "product_view")).toBe(true);
  });

  it("keeps a customer's country, city and email in every session", () => {
    const ids = new Map<number, string>();
    const changed: string[] = [];
    for (const { event } of day) {
      const key = JSON.stringify(event.customer);
      const before = ids.get(event.customer.customer_id) ?? key;
      if (before !== key) changed.push(`${before} became ${key}`);
      ids.set(event.customer.customer_id, key);
    }
    expect(changed.slice(0, 3), `${changed.length} events`).toEqual([]);
  });

  it("follows the diurnal curve in UTC", () => {
    const perHour = new Array<number>(24).fill(0);
    for (const { event } of day) perHour[new Date(event.event_timestamp).getUTCHours()]!++;
    const peak = perHour[20]! / perHour[5]!;
    expect(peak).toBeGreaterThan((diurnalWeights[20]! / diurnalWeights[5]!) * 0.85);
    expect(peak).toBeLessThan((diurnalWeights[20]! / diurnalWeights[5]!) * 1.15);
  });

  it("is busier on a Sunday than on a Tuesday", () => {
    // Sessions' lengths are long-tailed, so a day needs some thousands of sessions to show its curve.
    // The two days alone (not the week from Sunday to Saturday: 3.5x the events), each from its
    // midnight as the week's Sunday was.
    const events = (date: string) =>
      run({ start: new Date(`${date}T00:00:00Z`), events: 60_000, hours: 24 }).filter((t) =>
        t.event.event_timestamp.startsWith(date),
      ).length;
    const sunday = events("2026-11-29");
    const tuesday = events("2026-12-01");
    expect(sunday / tuesday).toBeGreaterThan(1.15);
  });

  it("uses every country and category, with products from the fixed catalogue", () => {
    const names = new Set(day.map((t) => t.event.customer.country));
    expect(names.size).toBe(countries.length);
    const viewed = new Set(
      day.filter((t) => t.event.product).map((t) => t.event.product!.category),
    );
    expect([...viewed].sort()).toEqual([...categories].sort());
    const byId = new Map(catalogue.map((p) => [p.product_id, p]));
    for (const { event } of day.slice(0, 2000)) {
      if (event.product)
        expect(byId.get(event.product.product_id)?.price).toBe(event.product.price);
    }
  });
});

describe("catalogue and countries", () => {
  it("has ~60 products in 8 categories with unique ids and 2-decimal prices", () => {
    expect(catalogue).toHaveLength(60);
    expect(categories).toHaveLength(8);
    expect(new Set(catalogue.map((p) => p.product_id)).size).toBe(60);
    for (const p of catalogue) expect(Math.round(p.price * 100) / 100).toBe(p.price);
  });

  it("has ~30 countries with unique codes, written as a seed CSV", () => {
    expect(countries.length).toBeGreaterThanOrEqual(30);
    expect(new Set(countries.map((c) => c.iso2)).size).toBe(countries.length);
    for (const c of countries) {
      expect(c.iso2).toMatch(/^[A-Z]{2}$/);
      expect(c.iso3).toMatch(/^[A-Z]{3}$/);
    }
    const csv = countryCodesCsv().split("\n");
    expect(csv[0]).toBe("country,iso2,iso3");
    expect(csv).toContain("Germany,DE,DEU");
  });
});

describe("schema", () => {
  const paid = day.find((t) => t.event.event_type === "order_paid")!.event;

  it("rejects an order whose total is not the sum of its items", () => {
    const bad = { ...paid, order: { ...paid.order!, order_total: paid.order!.order_total + 1 } };
    expect(shopEventSchema.safeParse(bad).success).toBe(false);
  });

  it("rejects fields that do not belong to the event type, and bad timestamps", () => {
    expect(shopEventSchema.safeParse({ ...paid, payment: undefined }).success).toBe(false);
    expect(shopEventSchema.safeParse({ ...paid, product: catalogue[0] }).success).toBe(false);
    expect(
      shopEventSchema.safeParse({ ...paid, event_timestamp: "2026-11-27 13:04:05" }).success,
    ).toBe(false);
    expect(
      shopEventSchema.safeParse({ ...paid, customer: { ...paid.customer, customer_id: "1" } })
        .success,
    ).toBe(false);
  });
});

describe("Prng", () => {
  it("repeats for a seed and draws version-4 UUIDs", () => {
    const a = new Prng(5, 6);
    const b = new Prng(5, 6);
    const ids = Array.from({ length: 100 }, () => a.uuid());
    expect(ids).toEqual(Array.from({ length: 100 }, () => b.uuid()));
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(100);
  });

  it("writes with uuidInto the ids uuid returns, from the same draws", () => {
    // Pinned: the ids (and so every generated event and object key) must not change.
    const pinned = new Prng(5, 6);
    expect([pinned.uuid(), pinned.uuid(), pinned.uuid()]).toEqual([
      "129f124e-d4d4-48f1-9bd2-a8cc2e7dcb6e",
      "e451938b-df14-4951-82dc-e7a2faca00c2",
      "82bcfbab-c9d7-4961-bbe0-d93be688a9ef",
    ]);
    const a = new Prng(2026, 11, 27);
    const b = new Prng(2026, 11, 27);
    const buf = Buffer.alloc(40, 32);
    for (let i = 0; i < 50; i++) {
      const id = a.uuid();
      expect(b.uuidInto(buf, 2)).toBe(38);
      expect(buf.toString("latin1", 2, 38)).toBe(id);
      // Both consumed the same draws: the streams stay in step.
      expect(a.int(1, 1_000_000)).toBe(b.int(1, 1_000_000));
    }
    expect(buf.toString("latin1", 0, 2) + buf.toString("latin1", 38)).toBe("    ");
  });
});

describe("simulateEvents with reuseBuffers", () => {
  it("yields the same batches as without, each valid until the next is requested", () => {
    const config = { seed: 11, start, hours: 3, events: 30_000 };
    const fresh = [...simulateEvents(config)].map((batch) =>
      batch.map((e) => [e.arrivalMs, e.eventType, e.orderCents, e.json] as const),
    );
    const reused: (typeof fresh)[number][] = [];
    const seen = new Set<TimedEvent>();
    let recycled = 0;
    for (const batch of simulateEvents(config, undefined, { reuseBuffers: true })) {
      for (const e of batch) {
        if (seen.has(e)) recycled++;
        seen.add(e);
      }
      reused.push(batch.map((e) => [e.arrivalMs, e.eventType, e.orderCents, e.json] as const));
    }
    expect(reused).toEqual(fresh);
    // Event objects are recycled from batch to batch rather than made anew.
    expect(recycled).toBeGreaterThan(20_000);
    expect(seen.size).toBeLessThan(10_000);
  });
});
