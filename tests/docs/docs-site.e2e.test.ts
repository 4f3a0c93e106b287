/// <reference lib="dom" />
// The page callbacks run in Chromium: DOM types for them.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { XMLParser } from "fast-xml-parser";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, copyModelsProject, repoRoot, runSluice, readRunResults } from "../support/cli.js";
import { queryLake } from "../support/lake-reader.js";
import { launchChromium } from "../support/chromium.js";
import { expectDashboardMatchesMarts } from "../support/dashboard-marks.js";
import { readSite } from "../support/docs-site.js";

// The models project on a two-day local lake, built, then `docs generate`: the site's data, the
// column lineage, the Tableau data sources, and the pages in Debian's Chromium checked against
// SQL over the marts.
let dir = "";
let cleanup = async (): Promise<void> => {};
const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
const sluiceBin = path.join(repoRoot, "apps/cli/bin/sluice.js");

/** A statement's rows as `sluice query --format json` prints them (read in this process). */
const query = <T = Record<string, unknown>>(sql: string): Promise<T[]> => queryLake<T>(dir, sql);

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
    const data = await readSite(docs);
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
    const results = await readRunResults(dir);
    const rows = results.results.find((r: { id: string }) => r.id === mart.id)!.rows;
    expect(mart.last).toMatchObject({ status: "success", rows });
    // A node's page lists the tests and rules that depend on it.
    const tests = data.nodes.filter((n) => /test|rule/.test(n.type));
    expect(mart.tests.map((t) => t.id).sort()).toEqual(
      tests
        .filter((t) => t.dependsOn.includes(mart.id))
        .map((t) => t.id)
        .sort(),
    );
    expect(mart.tests.length).toBeGreaterThan(0);
    // What the page loads first holds no test and no column: they load on demand.
    const first = await readFile(path.join(docs, "assets/data.js"), "utf8");
    expect(data.index.nodes.some(([id]) => id.startsWith("test."))).toBe(false);
    expect(first).not.toContain(tests[0]!.name);
    expect(first).not.toContain("the exact sum of quantity");
    const rule = data.nodes.find((n) => n.type === "rule" && n.last?.dq?.metric !== undefined);
    expect(rule?.last?.status).toMatch(/pass|fail|warn/);
    expect(data.index.exposures.map((e) => e.name)).toContain("sales_dashboard");
  });

  it("column lineage resolves at least 95% of the model columns", async () => {
    const lineage = JSON.parse(await readFile(path.join(dir, "target/lineage.json"), "utf8"));
    const { columns, resolved, unknown } = lineage.stats;
    expect(resolved + unknown).toBe(columns);
    expect(columns).toBeGreaterThan(90);
    expect(resolved / columns).toBeGreaterThanOrEqual(0.95);
  });

  it("a damaged lineage cache is parsed again, not read: the same lineage", async () => {
    const file = path.join(dir, "target/lineage_cache.json");
    const lineage = () => readFile(path.join(dir, "target/lineage.json"), "utf8");
    const before = await lineage();
    const cached = await readFile(file, "utf8");
    // Half of it (a write stopped midway, before it was written through a renamed file).
    await writeFile(file, cached.slice(0, cached.length / 2));
    const again = await sluice("docs", "generate");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/unexpected/i);
    expect(await lineage()).toBe(before);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(JSON.parse(cached));
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
    // A model without a column was read as 'marts.sales_by_countr' + 'y': named, with its columns.
    const bare = await sluice("lineage", "marts.sales_by_country");
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(
      /^lineage: name a column of model\.sales_by_country: marts\.sales_by_country\.<column> \(its columns: country, /,
    );
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

describe("sluice docs serve", () => {
  it("serves the generated site on 127.0.0.1, byte for byte, until stopped", async () => {
    const served = spawn(
      process.execPath,
      [sluiceBin, "--project-dir", dir, "docs", "serve", "--port", "0"],
      { env: { ...process.env, ...cliEnv }, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      let stdout = "";
      const url = await new Promise<string>((resolve, reject) => {
        served.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          const m = /Docs listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        served.on("close", (code) => reject(new Error(`docs serve exited ${code}: ${stdout}`)));
      });
      for (const file of ["index.html", "assets/data.js", "dashboard.html"]) {
        const res = await fetch(new URL(file, url));
        expect(res.status, file).toBe(200);
        const local = await readFile(path.join(dir, "target/docs", file));
        expect(Buffer.from(await res.arrayBuffer()).equals(local), file).toBe(true);
      }
      expect((await fetch(new URL("assets/nope.js", url))).status).toBe(404);
    } finally {
      served.kill("SIGTERM");
      await once(served, "close");
    }
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
    browser = await launchChromium();
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

  it("the model graph draws the exposures that read a mart; an exposure's page draws its marts", async () => {
    await page.goto(`${site("index.html")}#/node/model.sales_by_country`);
    const graph = page.locator('[data-testid="model-graph"]');
    await graph.waitFor();
    const boxes = async () =>
      graph.locator("g.node").evaluateAll((gs) =>
        gs.map((g) => ({
          id: g.getAttribute("data-id"),
          current: g.classList.contains("current"),
          href: g.parentElement!.getAttribute("href"),
        })),
      );
    // exposures.yml: the dashboard and its heatmap view read sales_by_country.
    const downstream = (await boxes()).filter((b) => b.id!.startsWith("exposure."));
    expect(downstream.map((b) => b.id).sort()).toEqual([
      "exposure.global_sales_heatmap",
      "exposure.sales_dashboard",
    ]);
    expect(downstream.map((b) => b.href)).toContain("#/exposure/exposure.sales_dashboard");
    await page.locator('g.node[data-id="exposure.sales_dashboard"]').click();
    await page.waitForFunction(() => location.hash === "#/exposure/exposure.sales_dashboard");
    await page.locator('[data-testid="model-graph"] g.node.current').waitFor();
    const around = await boxes();
    expect(around.filter((b) => b.current).map((b) => b.id)).toEqual(["exposure.sales_dashboard"]);
    for (const mart of [
      "sales_by_country",
      "hourly_sales_by_category",
      "customer_lifetime_value",
      "funnel",
      "channel_performance",
    ])
      expect(around.map((b) => b.id)).toContain(`model.${mart}`);
    await page.screenshot({ path: path.join(artifacts, "exposure-graph.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("the dashboard's views hold the marts' rows, and the date filter gives SQL's totals", async () => {
    await page.goto(site("dashboard.html"));
    await page.waitForFunction(
      () => (window as { SLUICE_DASHBOARD_READY?: boolean }).SLUICE_DASHBOARD_READY,
    );
    await expectDashboardMatchesMarts(page, query, "marts", { dir: artifacts, prefix: "" });
    expect(errors).toEqual([]);
  });
});
