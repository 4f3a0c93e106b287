import { describe, expect, it } from "vitest";
import { defaultFunnel, expectedStageRates } from "./funnel.js";
import type { Channel, ShopEvent } from "./schema.js";
import { simulateEvents } from "./simulate.js";

/** A session as the rates below count it. */
interface Session {
  channel: Channel;
  customer: number;
  views: number;
  cart: boolean;
  checkout: boolean;
  /** order_total of its order_paid event; 0 when unpaid. */
  paid: number;
  day: string;
}

/** Sessions of a window of default traffic, from the events' JSON (not the simulator's counters). */
function sessionsOf(config: { start: string; hours: number; events: number }): Session[] {
  const sessions = new Map<string, Session>();
  const batches = simulateEvents({ seed: 5, ...config, start: new Date(config.start) });
  for (const batch of batches) {
    for (const { event } of batch) {
      const e: ShopEvent = event;
      let s = sessions.get(e.session_id);
      if (s === undefined) {
        s = {
          channel: e.session.channel,
          customer: e.customer.customer_id,
          views: 0,
          cart: false,
          checkout: false,
          paid: 0,
          day: e.event_timestamp.slice(0, 10),
        };
        sessions.set(e.session_id, s);
      }
      if (e.event_type === "product_view") s.views++;
      if (e.event_type === "add_to_cart") s.cart = true;
      if (e.event_type === "checkout_started") s.checkout = true;
      if (e.event_type === "order_paid") s.paid = e.order!.order_total;
    }
  }
  return [...sessions.values()];
}

const share = (part: number, whole: number) => part / whole;
const quantile = (sorted: number[], q: number) => sorted[Math.floor(sorted.length * q)]!;

describe("default traffic looks like a real shop's (2 days, ~200k events)", () => {
  const sessions = sessionsOf({ start: "2026-11-27T00:00:00Z", hours: 48, events: 200_000 });
  const carts = sessions.filter((s) => s.cart);
  const paid = sessions.filter((s) => s.paid > 0);

  it("converts 2-4% of sessions to a paid order and abandons ~70% of carts", () => {
    expect(sessions.length).toBeGreaterThan(40_000);
    const conversion = share(paid.length, sessions.length);
    expect(conversion).toBeGreaterThan(0.02);
    expect(conversion).toBeLessThan(0.04);
    const expected = expectedStageRates(defaultFunnel);
    expect(Math.abs(conversion - expected.sessionToOrder)).toBeLessThan(0.003);
    const abandonment = 1 - share(paid.length, carts.length);
    expect(Math.abs(abandonment - 0.7)).toBeLessThan(0.04);
    expect(Math.abs(abandonment - expected.cartAbandonment)).toBeLessThan(0.025);
    expect(Math.abs(share(carts.length, sessions.length) - expected.sessionToCart)).toBeLessThan(
      0.005,
    );
    const checkouts = sessions.filter((s) => s.checkout).length;
    expect(Math.abs(share(checkouts, carts.length) - expected.cartToCheckout)).toBeLessThan(0.025);
    expect(Math.abs(share(paid.length, checkouts) - expected.checkoutToPaid)).toBeLessThan(0.03);
  });

  it("has a long tail of product views per session around the configured mean", () => {
    const views = sessions.map((s) => s.views).sort((a, b) => a - b);
    const mean = views.reduce((a, b) => a + b, 0) / views.length;
    expect(Math.abs(mean - defaultFunnel.meanViews)).toBeLessThan(0.4);
    expect(quantile(views, 0.5)).toBeLessThanOrEqual(3);
    // A geometric count with the same mean would put p99 near 17 and almost nothing past 40.
    expect(quantile(views, 0.99)).toBeGreaterThanOrEqual(20);
    expect(views.filter((v) => v >= 50).length).toBeGreaterThan(50);
  });

  it("has channels that differ in conversion and order value", () => {
    const of = (channel: Channel) => {
      const all = sessions.filter((s) => s.channel === channel);
      const orders = all.filter((s) => s.paid > 0);
      return {
        conversion: share(orders.length, all.length),
        aov: orders.reduce((a, s) => a + s.paid, 0) / orders.length,
      };
    };
    const email = of("email");
    const social = of("social");
    expect(email.conversion).toBeGreaterThan(social.conversion * 2);
    expect(email.aov).toBeGreaterThan(social.aov * 1.2);
    expect(of("direct").conversion).toBeGreaterThan(of("affiliate").conversion);
  });

  it("brings customers back on later days, some for many orders", () => {
    const byCustomer = new Map<number, Session[]>();
    for (const s of sessions)
      byCustomer.set(s.customer, [...(byCustomer.get(s.customer) ?? []), s]);
    const bothDays = [...byCustomer.values()].filter(
      (l) => new Set(l.map((s) => s.day)).size === 2,
    );
    expect(share(bothDays.length, byCustomer.size)).toBeGreaterThan(0.1);
    const buyers = [...byCustomer.values()].map((l) => l.filter((s) => s.paid > 0));
    const paidBothDays = buyers.filter((l) => new Set(l.map((s) => s.day)).size === 2);
    expect(paidBothDays.length).toBeGreaterThan(20);
    // Loyal customers (the pool is drawn with a skew) order again and again.
    expect(Math.max(...buyers.map((l) => l.length))).toBeGreaterThanOrEqual(5);
  });

  it("follows a configured funnel instead of the default", () => {
    const config = { start: new Date("2026-11-27T00:00:00Z"), hours: 2, events: 20_000 };
    const funnel = { sessionToCart: 0.5, cartToCheckout: 1, checkoutToPaid: 1, meanViews: 2 };
    const s = new Map<string, Set<string>>();
    for (const batch of simulateEvents({ seed: 5, ...config, funnel }))
      for (const { event } of batch)
        s.set(event.session_id, (s.get(event.session_id) ?? new Set()).add(event.event_type));
    const ordered = [...s.values()].filter((t) => t.has("order_paid")).length;
    const expected = expectedStageRates({ ...defaultFunnel, ...funnel }).sessionToOrder;
    expect(Math.abs(ordered / s.size - expected)).toBeLessThan(0.03);
  });
});
