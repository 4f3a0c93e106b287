/// <reference lib="dom" />
// The page callbacks run in Chromium: DOM types for them.
import path from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";

/** A query on the target the dashboard read (`sluice query --format json`). */
export type Query = <T = Record<string, unknown>>(sql: string) => Promise<T[]>;

/**
 * Check the dashboard page (loaded, ready) against SQL over the marts on the same target: the
 * funnel's stages and the conversion between them, every country of the map (coloured, or named
 * as too small for it), one dot per (hour, category), the channels' orders, revenue and
 * conversion, the top customer and the CLV table's re-sorting; then a one-day date filter
 * gives SQL's totals. `schema` is the marts' schema or Glue database; the SQL is Trino's and
 * DuckDB's both. Screenshots go to `artifacts` as `<prefix>dashboard*.png`.
 */
export async function expectDashboardMatchesMarts(
  page: Page,
  query: Query,
  schema: string,
  screenshots: { dir: string; prefix: string },
): Promise<void> {
  const m = (mart: string) => `${schema}.${mart}`;
  // Funnel: four stages with the mart's summed sessions.
  const stages = await page.$$eval('[data-testid="funnel"] tr[data-stage]', (rows) =>
    rows.map((r) => [
      (r as HTMLElement).dataset.stage,
      Number((r as HTMLElement).dataset.sessions),
    ]),
  );
  const funnel = await query<{ stage: string; sessions: string }>(
    `select stage, cast(sum(sessions) as varchar) as sessions from ${m("funnel")} group by stage, stage_order order by stage_order`,
  );
  expect(funnel.length).toBeGreaterThan(0);
  expect(stages).toEqual(funnel.map((f) => [f.stage, Number(f.sessions)]));
  // Map: every country of the mart is coloured, or named as too small for the 1:110m map.
  const coloured = await page.$$eval("path[data-iso3]", (p) =>
    p.map((x) => ({
      iso3: x.getAttribute("data-iso3"),
      revenue: x.getAttribute("data-revenue"),
      fill: x.getAttribute("fill"),
    })),
  );
  const countries = await query<{ iso3: string; revenue: string }>(
    `select country_iso3 as iso3, cast(sum(revenue) as varchar) as revenue from ${m("sales_by_country")} group by 1`,
  );
  expect(countries.length).toBeGreaterThan(0);
  // The note of countries too small for the map is there only when there are some.
  const note = page.locator('[data-testid="not-on-map"]');
  const missing = (await note.count()) > 0 ? ((await note.textContent()) ?? "") : "";
  for (const c of countries) {
    const shown = coloured.find((x) => x.iso3 === c.iso3);
    if (shown) {
      expect(shown.revenue, c.iso3).toBe(c.revenue);
      expect(shown.fill, c.iso3).toMatch(/^rgb\(/);
    } else expect(missing, c.iso3).toContain(c.revenue);
  }
  expect(coloured.length).toBeGreaterThanOrEqual(countries.length - 3);
  // Hourly trend: one dot per (hour, category) row; channels: the mart's orders per channel.
  const hourly = await query<{ n: number }>(
    `select count(*) as n from (select distinct order_hour, category from ${m("hourly_sales_by_category")})`,
  );
  const dots = await page.locator('#hourly_sales_trend g[aria-label="dot"] circle').count();
  expect(dots).toBe(Number(hourly[0]!.n));
  const channels = await page.$$eval('[data-testid="channels"] tr[data-channel]', (rows) =>
    rows.map((r) => [(r as HTMLElement).dataset.channel, r.children[2]!.textContent]).sort(),
  );
  const byChannel = await query<{ channel: string; orders: string }>(
    `select channel, cast(sum(orders) as varchar) as orders from ${m("channel_performance")} group by 1 order by 1`,
  );
  expect(channels).toEqual(byChannel.map((c) => [c.channel, c.orders]));
  const top = page.locator('[data-testid="clv"] tr[data-customer]').first();
  const [best] = await query<{ customer_id: string; value: string }>(
    `select cast(customer_id as varchar) as customer_id, cast(sum(order_value) as varchar) as value from ${m("customer_lifetime_value")} group by 1 order by sum(order_value) desc, customer_id limit 1`,
  );
  expect(await top.getAttribute("data-customer")).toBe(best!.customer_id);
  expect(await top.locator("td").last().textContent()).toBe(best!.value);
  await expectFunnelConversions(page, query, m("funnel"));
  await expectChannelFigures(page, query, m("channel_performance"));
  await expectClvSorting(page, query, m("customer_lifetime_value"));
  const shot = (name: string) =>
    page.screenshot({
      path: path.join(screenshots.dir, `${screenshots.prefix}${name}`),
      fullPage: true,
    });
  await shot("dashboard.png");

  // The date filter: one day, every view follows; totals equal SQL over the same range.
  const revenueOf = async () => page.getAttribute("#kpi-revenue", "data-value");
  const all = await revenueOf();
  const [first] = await query<{ d: string }>(
    `select cast(min(order_date) as varchar) as d from ${m("sales_by_country")}`,
  );
  await page.evaluate((d) => {
    for (const id of ["from", "to"]) {
      const input = document.getElementById(id) as HTMLInputElement;
      input.value = d;
      input.dispatchEvent(new Event("change"));
    }
  }, first!.d);
  const [day] = await query<{ revenue: string; orders: string }>(
    `select cast((select sum(revenue) from ${m("sales_by_country")} where order_date = date '${first!.d}') as varchar) as revenue, ` +
      `cast((select sum(orders) from ${m("channel_performance")} where event_date = date '${first!.d}') as varchar) as orders`,
  );
  expect(await revenueOf()).toBe(day!.revenue);
  expect(await revenueOf()).not.toBe(all);
  expect(await page.getAttribute("#kpi-orders", "data-value")).toBe(day!.orders);
  await shot("dashboard-one-day.png");
}

/** Cents of a DECIMAL's text, exactly (no float sums of money). */
const cents = (v: unknown): number => Math.round(Number(v) * 100);
const pct = (a: number, b: number): string => `${((a / b) * 100).toFixed(1)}%`;

/**
 * The funnel table's "conversion from previous" cells equal sessions of a stage over the stage
 * before it, summed by hand from the mart's rows (not SQL's aggregate).
 */
async function expectFunnelConversions(page: Page, query: Query, funnel: string): Promise<void> {
  const rows = await query<{ stage: string; stage_order: number; sessions: number }>(
    `select stage, stage_order, sessions from ${funnel}`,
  );
  const byOrder = new Map<number, { stage: string; sessions: number }>();
  for (const r of rows) {
    const s = byOrder.get(Number(r.stage_order)) ?? { stage: r.stage, sessions: 0 };
    s.sessions += Number(r.sessions);
    byOrder.set(Number(r.stage_order), s);
  }
  const stages = [...byOrder.entries()].sort(([a], [b]) => a - b).map(([, s]) => s);
  expect(stages.length).toBe(4);
  const expected = stages.map((s, i) => [
    s.stage,
    i === 0 ? "" : pct(s.sessions, stages[i - 1]!.sessions),
  ]);
  const shown = await page.$$eval('[data-testid="funnel"] tr[data-stage]', (trs) =>
    trs.map((r) => [(r as HTMLElement).dataset.stage, r.children[3]!.textContent]),
  );
  expect(shown).toEqual(expected);
}

/** Each channel's revenue and conversion (converted / all sessions), by hand from the rows. */
async function expectChannelFigures(page: Page, query: Query, mart: string): Promise<void> {
  const rows = await query<{ channel: string; revenue: string; sessions: number; c: number }>(
    `select channel, cast(revenue as varchar) as revenue, sessions, converted_sessions as c from ${mart}`,
  );
  const sums = new Map<string, { revenue: number; sessions: number; converted: number }>();
  for (const r of rows) {
    const s = sums.get(r.channel) ?? { revenue: 0, sessions: 0, converted: 0 };
    s.revenue += cents(r.revenue);
    s.sessions += Number(r.sessions);
    s.converted += Number(r.c);
    sums.set(r.channel, s);
  }
  const expected = [...sums.entries()]
    .map(([channel, s]) => [channel, (s.revenue / 100).toFixed(2), pct(s.converted, s.sessions)])
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
  const shown = await page.$$eval('[data-testid="channels"] tr[data-channel]', (trs) =>
    trs.map((r) => [
      (r as HTMLElement).dataset.channel!,
      r.children[3]!.textContent!,
      r.children[4]!.textContent!,
    ]),
  );
  expect(shown.sort((a, b) => a[0]!.localeCompare(b[0]!))).toEqual(expected);
}

/**
 * The CLV table re-sorts on a header click: by units, most first (ties by customer id), then,
 * clicked again, fewest first; its 25 rows equal a hand sort of the mart's rows summed per
 * customer. The value order is restored at the end.
 */
async function expectClvSorting(page: Page, query: Query, mart: string): Promise<void> {
  const rows = await query<{ customer_id: string; units: number; order_value: string }>(
    `select cast(customer_id as varchar) as customer_id, units, cast(order_value as varchar) as order_value from ${mart}`,
  );
  const sums = new Map<string, { units: number; value: number }>();
  for (const r of rows) {
    const s = sums.get(r.customer_id) ?? { units: 0, value: 0 };
    s.units += Number(r.units);
    s.value += cents(r.order_value);
    sums.set(r.customer_id, s);
  }
  const customers = [...sums.entries()].map(([id, s]) => ({ id, ...s }));
  const byId = (a: { id: string }, b: { id: string }) => Number(a.id) - Number(b.id);
  const top = (sorted: typeof customers) =>
    sorted.slice(0, 25).map((c) => [c.id, String(c.units), (c.value / 100).toFixed(2)]);
  const table = () =>
    page.$$eval('[data-testid="clv"] tr[data-customer]', (trs) =>
      trs.map((r) => [
        (r as HTMLElement).dataset.customer!,
        r.children[3]!.textContent!,
        r.children[4]!.textContent!,
      ]),
    );
  const header = page.locator('[data-testid="clv"] th[data-sort="units"]');
  expect(await table()).toEqual(
    top([...customers].sort((a, b) => b.value - a.value || byId(a, b))),
  );
  await header.click();
  expect(await header.textContent()).toBe("Units ▼");
  const most = [...customers].sort((a, b) => b.units - a.units || byId(a, b));
  expect(await table()).toEqual(top(most));
  await header.click();
  expect(await header.textContent()).toBe("Units ▲");
  const fewest = [...customers].sort((a, b) => a.units - b.units || byId(a, b));
  expect(await table()).toEqual(top(fewest));
  expect(fewest[0]!.units).toBeLessThan(most[0]!.units); // the two orders differ
  await page.locator('[data-testid="clv"] th[data-sort="order_value"]').click();
}
