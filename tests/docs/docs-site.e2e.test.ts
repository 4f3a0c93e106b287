/// <reference lib="dom" />
// The page callbacks run in Chromium: DOM types for them.
import { mkdir, readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";
import { XMLParser } from "fast-xml-parser";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, repoRoot, runSluice } from "../support/cli.js";

// The models project on a two-day local lake, built, then `docs generate`: the site's data, the
// column lineage, the Tableau data sources, and the pages in Debian's Chromium checked against
// SQL over the marts.
let dir = "";
let cleanup = async (): Promise<void> => {};
const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);

async function query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const r = await sluice("query", sql, "--format", "json");
  if (r.code !== 0) throw new Error(`query failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T[];
}

/** A generated `assets/*.js` file's `window.<name>` value. */
async function windowValue<T>(file: string, name: string): Promise<T> {
  const window: Record<string, unknown> = {};
  vm.runInNewContext(await readFile(file, "utf8"), { window, JSON });
  return window[name] as T;
}

interface DocsNode {
  id: string;
  type: string;
  description?: string;
  columns: { name: string; type?: string; description?: string }[];
  last?: { status: string; rows?: number; dq?: { metric?: number } };
}

beforeAll(async () => {
  ({ dir, cleanup } = await copyModelsProject());
  const days = ["--events", "3000", "--start", "2026-11-27T00:00:00Z", "--hours", "48"];
  const gen = await sluice("generate", ...days, "--seed", "7");
  expect(gen.code, gen.stderr).toBe(0);
  const build = await sluice("build");
  expect(build.code, build.stdout + build.stderr).toBe(0);
  const docs = await sluice("docs", "generate");
  expect(docs.code, docs.stderr).toBe(0);
}, 240_000);
afterAll(async () => cleanup());

describe("sluice docs generate", () => {
  it("writes every node with its description, catalog types and last result", async () => {
    const docs = path.join(dir, "target/docs");
    expect((await readdir(docs)).sort()).toEqual(["assets", "dashboard.html", "index.html"]);
    const data = await windowValue<{ nodes: DocsNode[]; exposures: { name: string }[] }>(
      path.join(docs, "assets/data.js"),
      "SLUICE_DOCS",
    );
    const ls = await sluice("ls", "--format", "name");
    expect(data.nodes.map((n) => n.id).sort()).toEqual(ls.stdout.trim().split("\n").sort());
    expect(new Set(data.nodes.map((n) => n.type))).toEqual(
      new Set(["source", "seed", "model", "test", "rule"]),
    );
    const mart = data.nodes.find((n) => n.id === "model.sales_by_country")!;
    expect(mart.description).toMatch(/Global sales heatmap/);
    expect(mart.columns.find((c) => c.name === "revenue")).toEqual({
      name: "revenue",
      type: "DECIMAL(38,2)",
      description: "Revenue (USD), the exact sum of quantity * unit_price of the items.",
    });
    const results = JSON.parse(await readFile(path.join(dir, "target/run_results.json"), "utf8"));
    const rows = results.results.find((r: { id: string }) => r.id === mart.id).rows;
    expect(mart.last).toMatchObject({ status: "success", rows });
    const rule = data.nodes.find((n) => n.type === "rule" && n.last?.dq?.metric !== undefined);
    expect(rule?.last?.status).toMatch(/pass|fail|warn/);
    expect(data.exposures.map((e) => e.name)).toContain("sales_dashboard");
  });

  it("column lineage resolves at least 95% of the model columns", async () => {
    const lineage = JSON.parse(await readFile(path.join(dir, "target/lineage.json"), "utf8"));
    const { columns, resolved, unknown } = lineage.stats;
    expect(resolved + unknown).toBe(columns);
    expect(columns).toBeGreaterThan(90);
    expect(resolved / columns).toBeGreaterThanOrEqual(0.95);
  });

  it("sluice lineage: marts.sales_by_country.revenue leads back to raw.events.line", async () => {
    const r = await sluice("lineage", "marts.sales_by_country.revenue", "--upstream");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("<- model.order_items.unit_price (aggregated, via revenue)");
    expect(r.stdout).toMatch(/<- source\.raw\.events\.line \(transformed/);
    const down = await sluice("lineage", "raw.events.line", "--downstream", "--format", "json");
    const steps = JSON.parse(down.stdout).downstream as {
      column: { node: string; column: string };
    }[];
    expect(steps.map((s) => `${s.column.node}.${s.column.column}`)).toContain(
      "model.sales_by_country.revenue",
    );
    const typo = await sluice("lineage", "marts.sales_by_country.revenu");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/has no column 'revenu'; did you mean 'revenue'\?/);
  });

  it("writes a .tds per mart for Tableau's Athena connector on the prod target", async () => {
    const folder = path.join(dir, "target/tableau");
    const files = (await readdir(folder)).sort();
    expect(files).toEqual([
      "athena.properties",
      "channel_performance.tds",
      "customer_lifetime_value.tds",
      "funnel.tds",
      "hourly_sales_by_category.tds",
      "sales_by_country.tds",
      "sales_dashboard.twb",
    ]);
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });
    const tds = parser.parse(await readFile(path.join(folder, "sales_by_country.tds"), "utf8"));
    const source = tds.datasource;
    const named = source.connection["named-connections"]["named-connection"];
    expect(named.connection).toMatchObject({
      class: "athena",
      server: "athena.eu-west-1.amazonaws.com",
      port: "443",
      workgroup: "sluice",
      "s3-staging-directory": "s3://sluice-athena-results/queries/",
      dbname: "ecommerce_marts",
    });
    expect(source.connection.relation).toMatchObject({
      connection: named.name,
      table: "[ecommerce_marts].[sales_by_country]",
      type: "table",
    });
    const columns = Object.fromEntries(
      (source.column as Record<string, string>[]).map((c) => [c.name, c]),
    );
    const described = await query<{ column_name: string }>("describe marts.sales_by_country");
    expect(Object.keys(columns).sort()).toEqual(described.map((c) => `[${c.column_name}]`).sort());
    expect(columns["[country_iso2]"]).toMatchObject({
      role: "dimension",
      "semantic-role": "[Country].[ISO3166_2]",
    });
    expect(columns["[revenue]"]).toMatchObject({ role: "measure", datatype: "real" });
    expect(columns["[revenue]"]!.caption).toContain("the exact sum of quantity * unit_price");
    expect(columns["[order_date]"]).toMatchObject({ role: "dimension", datatype: "date" });
    expect(await readFile(path.join(folder, "athena.properties"), "utf8")).toBe(
      "Workgroup=sluice\n",
    );
  });

  it("writes the dashboard's .twb: a worksheet per view exposure over the .tds data sources", async () => {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });
    const xml = await readFile(path.join(dir, "target/tableau/sales_dashboard.twb"), "utf8");
    const workbook = parser.parse(xml).workbook;
    const sheets = (workbook.worksheets.worksheet as { name: string }[]).map((w) => w.name);
    expect(sheets).toEqual([
      "Global sales heatmap",
      "Hourly sales trend by category",
      "Customer lifetime value",
      "E-commerce funnel",
      "Marketing channel performance",
    ]);
    expect(workbook.dashboards.dashboard.name).toBe("Real-Time E-commerce Sales Dashboard");
    // The embedded data source of the map is the .tds's, column for column.
    const tds = parser.parse(
      await readFile(path.join(dir, "target/tableau/sales_by_country.tds"), "utf8"),
    ).datasource;
    const embedded = (workbook.datasources.datasource as Record<string, unknown>[]).find(
      (d) => d.name === "federated.sales_by_country",
    )!;
    expect(embedded.column).toEqual(tds.column);
    expect(embedded.connection).toEqual(tds.connection);
  });
});

describe("the site in Chromium", () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const artifacts = path.join(repoRoot, "tests/artifacts/docs");
  const site = (file: string) => pathToFileURL(path.join(dir, "target/docs", file)).href;

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
  });
  afterAll(async () => browser?.close());

  it("search finds a column by its description; its lineage reaches raw.events.line", async () => {
    await page.goto(site("index.html"));
    await page.waitForFunction(() => (window as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY);
    await page.fill("#search", "exact sum of quantity");
    const hit = page.locator('[data-column="model.sales_by_country.revenue"]');
    await hit.waitFor();
    await hit.locator("a").click();
    const lineage = page.locator('[data-testid="column-lineage"]');
    await lineage.waitFor();
    expect(await lineage.locator('[data-column="source.raw.events.line"]').count()).toBe(1);
    expect(await lineage.locator('[data-column="model.order_items.unit_price"]').count()).toBe(1);
    expect(await page.locator('[data-testid="model-graph"] g.node').count()).toBeGreaterThan(2);
    await page.screenshot({ path: path.join(artifacts, "column-lineage.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("the dashboard's views hold the marts' rows, and the date filter gives SQL's totals", async () => {
    await page.goto(site("dashboard.html"));
    await page.waitForFunction(
      () => (window as { SLUICE_DASHBOARD_READY?: boolean }).SLUICE_DASHBOARD_READY,
    );
    // Funnel: four stages with the mart's summed sessions.
    const stages = await page.$$eval('[data-testid="funnel"] tr[data-stage]', (rows) =>
      rows.map((r) => [
        (r as HTMLElement).dataset.stage,
        Number((r as HTMLElement).dataset.sessions),
      ]),
    );
    const funnel = await query<{ stage: string; sessions: string }>(
      "select stage, sum(sessions)::varchar as sessions from marts.funnel group by stage, stage_order order by stage_order",
    );
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
      "select country_iso3 as iso3, sum(revenue)::varchar as revenue from marts.sales_by_country group by 1",
    );
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
      "select count(*) as n from (select distinct order_hour, category from marts.hourly_sales_by_category)",
    );
    const dots = await page.locator('#hourly_sales_trend g[aria-label="dot"] circle').count();
    expect(dots).toBe(Number(hourly[0]!.n));
    const channels = await page.$$eval('[data-testid="channels"] tr[data-channel]', (rows) =>
      rows.map((r) => [(r as HTMLElement).dataset.channel, r.children[2]!.textContent]).sort(),
    );
    const byChannel = await query<{ channel: string; orders: string }>(
      "select channel, sum(orders)::varchar as orders from marts.channel_performance group by 1 order by 1",
    );
    expect(channels).toEqual(byChannel.map((c) => [c.channel, c.orders]));
    const top = await page.locator('[data-testid="clv"] tr[data-customer]').first();
    const [best] = await query<{ customer_id: string; value: string }>(
      "select customer_id::varchar as customer_id, sum(order_value)::varchar as value from marts.customer_lifetime_value group by 1 order by sum(order_value) desc, customer_id limit 1",
    );
    expect(await top.getAttribute("data-customer")).toBe(best!.customer_id);
    expect(await top.locator("td").last().textContent()).toBe(best!.value);
    await page.screenshot({ path: path.join(artifacts, "dashboard.png"), fullPage: true });

    // The date filter: one day, every view follows; totals equal SQL over the same range.
    const revenueOf = async () => page.getAttribute("#kpi-revenue", "data-value");
    const all = await revenueOf();
    const [first] = await query<{ d: string }>(
      "select min(order_date)::varchar as d from marts.sales_by_country",
    );
    await page.evaluate((d) => {
      for (const id of ["from", "to"]) {
        const input = document.getElementById(id) as HTMLInputElement;
        input.value = d;
        input.dispatchEvent(new Event("change"));
      }
    }, first!.d);
    const [day] = await query<{ revenue: string; orders: string }>(
      `select (select sum(revenue) from marts.sales_by_country where order_date = date '${first!.d}')::varchar as revenue, ` +
        `(select sum(orders) from marts.channel_performance where event_date = date '${first!.d}')::varchar as orders`,
    );
    expect(await revenueOf()).toBe(day!.revenue);
    expect(await revenueOf()).not.toBe(all);
    expect(await page.getAttribute("#kpi-orders", "data-value")).toBe(day!.orders);
    await page.screenshot({ path: path.join(artifacts, "dashboard-one-day.png"), fullPage: true });
    expect(errors).toEqual([]);
  });
});
