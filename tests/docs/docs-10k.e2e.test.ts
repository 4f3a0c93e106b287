/// <reference lib="dom" />
// The page callbacks run in Chromium: DOM types for them.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain ESM bench helper without types
import { writeSyntheticProject } from "../bench/synthetic-project.mjs";
import { launchChromium } from "../support/chromium.js";
import { runSluice } from "../support/cli.js";

// The docs site of the 10,000-model synthetic project (20,000 tests): what the page loads first
// is small (tests, columns and descriptions load on demand), and in Chromium a model with many
// tests shows them all, a test's page opens, search finds tests and columns, the tree lists every
// test, the graph of a source read by 1,000 models stays readable.
const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-docs-10k-"));
const docs = path.join(dir, "target/docs");
const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
const description = "Cents of three upstream amounts, the widest of the synthetic marts.";
/** m_9999's tests: the synthetic project's two, and five more on two more columns. */
let expected: string[] = [];

beforeAll(async () => {
  writeSyntheticProject(10_000, dir);
  const schema = path.join(dir, "models/marts/f0099/schema.yml");
  const yml = readFileSync(schema, "utf8");
  const block =
    "  - name: m_9999\n    columns:\n      - name: id\n        tests: [not_null, unique]\n";
  expect(yml).toContain(block);
  writeFileSync(
    schema,
    yml.replace(
      block,
      [
        "  - name: m_9999",
        "    columns:",
        "      - name: id",
        "        tests: [not_null, unique]",
        "      - name: amount",
        `        description: ${description}`,
        "        tests:",
        "          - not_null",
        "          - unique",
        "          - accepted_values: {values: [1, 2, 3]}",
        "      - name: dt",
        "        tests:",
        "          - not_null",
        "          - relationships: {to: \"ref('m_0')\", field: dt}",
        "",
      ].join("\n"),
    ),
  );
  const ls = await sluice("ls", "--format", "name");
  expect(ls.code, ls.stderr).toBe(0);
  expected = ls.stdout
    .trim()
    .split("\n")
    .filter((id) => id.startsWith("test.") && /m_9999(_|$)/.test(id))
    .sort();
  expect(expected).toHaveLength(7);
  const r = await sluice("docs", "generate");
  expect(r.code, r.stderr).toBe(0);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("docs generate at 10,000 models", () => {
  it("the page loads a small index first; tests, columns and descriptions on demand", () => {
    const first = readFileSync(path.join(docs, "assets/data.js"), "utf8");
    // Was 4.25 MB with the 20,000 tests in it (496 ms to ready in Chromium).
    expect(first.length).toBeLessThan(500_000);
    expect(first).not.toContain("not_null_m_");
    expect(first).not.toContain(description);
    const search = readFileSync(path.join(docs, "assets/search.js"), "utf8");
    expect(search).toContain("accepted_values_m_9999");
    expect(search).toContain(description);
    expect(statSync(path.join(docs, "assets/search.js")).size).toBeLessThan(1_000_000);
  });
});

describe("the 10,000-model site in Chromium", () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const url = pathToFileURL(path.join(docs, "index.html")).href;
  /** Go to a route of the page and wait until it is drawn. */
  const show = async (hash: string) => {
    await page.evaluate(async (to) => {
      const drawn = new Promise((r) => addEventListener("sluice:rendered", r, { once: true }));
      location.hash = to;
      await drawn;
    }, hash);
  };

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${url}#/`);
    await page.waitForFunction(() => (window as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY);
  });
  afterAll(async () => browser?.close());

  it("home counts every node: 10,000 models, 20,005 tests", async () => {
    const text = await page.locator("#main").textContent();
    expect(text).toContain("1 sources · 0 seeds · 10000 models · 20005 tests");
  });

  it("a model's page lists all its tests with links; a test's page opens", async () => {
    await show("#/node/model.m_9999");
    const rows = page.locator('[data-testid="tests"] tr td:first-child a');
    const shown = await rows.evaluateAll((as) =>
      as.map((a) => decodeURIComponent(a.getAttribute("href")!.slice("#/node/".length))),
    );
    expect(shown.sort()).toEqual(expected);
    // The relationships test is m_0's too.
    const relationship = expected.find((t) => t.includes("relationships"))!;
    const test = expected.find((t) => t.includes("accepted_values"))!;
    await show(`#/node/${test}`);
    expect(await page.locator("#main h1").textContent()).toBe(`test${test}`);
    expect(await page.locator("#main").textContent()).toContain("Tests model.m_9999");
    // Its graph: the test (current) reads m_9999, which reads three models.
    const graph = page.locator('[data-testid="model-graph"] g.node');
    const ids = await graph.evaluateAll((gs) => gs.map((g) => g.getAttribute("data-id")));
    expect(ids).toContain("model.m_9999");
    expect(ids.length).toBeGreaterThan(2); // and what m_9999 reads
    expect(
      await page.locator('[data-testid="model-graph"] g.node.current').getAttribute("data-id"),
    ).toBe(test);
    await show("#/node/model.m_0");
    const m0 = await page.locator('[data-testid="tests"]').textContent();
    expect(m0).toContain(relationship.slice("test.".length));
    expect(await page.locator('[data-testid="columns"]').textContent()).toContain("id");
    expect(errors).toEqual([]);
  });

  it("search finds a test by name and a column by its description", async () => {
    await show(`#/search/${encodeURIComponent("accepted_values_m_9999")}`);
    const hits = page.locator('[data-testid="search-results"] > li > a');
    expect(await hits.allTextContents()).toEqual(
      expected.filter((t) => t.includes("accepted_values_m_9999")),
    );
    await show(`#/search/${encodeURIComponent("widest of the synthetic")}`);
    expect(await page.locator('[data-column="model.m_9999.amount"]').textContent()).toContain(
      description,
    );
    expect(errors).toEqual([]);
  });

  it("the tree lists every test when opened; a source read by 1,000 models draws 12 of them", async () => {
    await page.locator('#tree details[data-type="test"] > summary').click();
    const links = page.locator('#tree details[data-type="test"] a');
    await links.nth(20_004).waitFor({ state: "attached" });
    expect(await links.count()).toBe(20_005);
    await show("#/node/source.raw.events");
    const svg = page.locator('[data-testid="model-graph"] svg');
    expect(await svg.locator("g.node").count()).toBe(1 + 12 + 12);
    expect(await svg.textContent()).toContain("+988 more");
    expect(errors).toEqual([]);
  });
});
