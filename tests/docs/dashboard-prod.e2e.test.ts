import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import vm from "node:vm";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaLocalProject } from "../support/athena-local.js";
import { launchChromium } from "../support/chromium.js";
import { repoRoot } from "../support/cli.js";
import { expectDashboardMatchesMarts } from "../support/dashboard-marks.js";

/**
 * `sluice dashboard --target prod`: the dashboard's queries go through the Athena path (the SDK
 * v3 clients against `sluice athena-local`), and the served page's marks equal SQL over the
 * marts there (`sluice query --target prod`).
 */
describe("sluice dashboard --target prod on athena-local", () => {
  let local: Awaited<ReturnType<typeof athenaLocalProject>>;
  let browser: Browser | undefined;

  beforeAll(async () => {
    local = await athenaLocalProject();
    const lake = path.join(local.aws, "sluice-lake");
    const hours = ["--start", "2026-11-27T00:00:00Z", "--hours", "48", "--seed", "7"];
    const gen = await local.sluice("generate", "--events", "3000", ...hours, "--lake", lake);
    expect(gen.code, gen.stderr).toBe(0);
    const register = await local.sluice("sources", "register", "--target", "prod");
    expect(register.code, register.stderr).toBe(0);
    const build = await local.sluice("build", "--target", "prod");
    expect(build.code, build.stdout + build.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await local?.cleanup();
  });

  it("serves the five views from the marts on Athena; marks equal SQL over them", async () => {
    const served = local.start("dashboard", "--target", "prod", "--port", "0");
    try {
      let stdout = "";
      const url = await new Promise<string>((resolve, reject) => {
        served.stdout!.on("data", (d: Buffer) => {
          stdout += d.toString();
          const m = /Dashboard listening on (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        void served.done.then((r) => reject(new Error(`dashboard exited: ${r.stderr}`)));
      });
      // The data it serves was read on prod, not on the local lake (which was never built).
      const window: { SLUICE_DASHBOARD?: { target: string; error?: string } } = {};
      vm.runInNewContext(
        await readFile(path.join(local.dir, "target/dashboard/assets/dashboard-data.js"), "utf8"),
        { window, JSON },
      );
      expect(window.SLUICE_DASHBOARD).toMatchObject({ target: "prod" });
      expect(window.SLUICE_DASHBOARD?.error).toBeUndefined();

      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("console", (m) => (m.type() === "error" ? errors.push(m.text()) : undefined));
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("response", (r) => (r.status() >= 400 ? errors.push(`${r.status()} ${r.url()}`) : 0));
      await page.goto(url);
      await page.waitForFunction(
        () => (window as { SLUICE_DASHBOARD_READY?: boolean }).SLUICE_DASHBOARD_READY,
      );
      const query = async <T>(sql: string): Promise<T[]> => {
        const r = await local.sluice("query", "--target", "prod", sql, "--format", "json");
        if (r.code !== 0) throw new Error(`query failed: ${r.stderr}`);
        return JSON.parse(r.stdout) as T[];
      };
      const artifacts = path.join(repoRoot, "tests/artifacts/docs");
      await mkdir(artifacts, { recursive: true });
      await expectDashboardMatchesMarts(page, query, "ecommerce_marts", {
        dir: artifacts,
        prefix: "prod-",
      });
      expect(errors).toEqual([]);
    } finally {
      served.kill("SIGTERM");
      await served.done;
    }
  });
});
