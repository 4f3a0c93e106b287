// Docs site (issue #15): `docs generate` on the models project after a build (budget < 1 s) and
// on a 10,000-model synthetic project (< 15 s); the generated site's load and a search in
// Debian's Chromium (< 300 ms each). Wall times of the CLI as users run it.
//
//   node tests/bench/docs.mjs [models]   (default 10000)
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { generateRaw, medianOf, report, sluiceBin, tempProject, timeCommand } from "./lib.mjs";
import { writeSyntheticProject } from "./synthetic-project.mjs";

const size = Number(process.argv[2] ?? 10000);
const docs = (dir) =>
  timeCommand(process.execPath, [sluiceBin, "--project-dir", dir, "docs", "generate"]).ms;

/** Page load (navigation start to the site's ready flag) and one search, in ms, in Chromium. */
async function inBrowser(dir, term) {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage();
    const url = pathToFileURL(path.join(dir, "target/docs/index.html")).href;
    const load = [];
    const search = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(`${url}#/`);
      await page.waitForFunction(() => window.SLUICE_DOCS_READY);
      load.push(await page.evaluate(() => performance.now()));
      search.push(
        await page.evaluate(async (q) => {
          const t0 = performance.now();
          const done = new Promise((r) =>
            addEventListener("hashchange", () => setTimeout(r, 0), { once: true }),
          );
          location.hash = `#/search/${q}`;
          await done;
          if (!document.querySelector("[data-testid=search-results] li"))
            throw new Error("no result");
          return performance.now() - t0;
        }, term),
      );
    }
    const m = (xs) => [...xs].sort((a, b) => a - b)[1];
    return { load: m(load), search: m(search) };
  } finally {
    await browser.close();
  }
}

const models = tempProject();
try {
  generateRaw(models.dir, 5000);
  timeCommand(process.execPath, [sluiceBin, "--project-dir", models.dir, "build"]);
  const ms = medianOf(3, () => docs(models.dir));
  const page = await inBrowser(models.dir, "revenue");
  report("docs: the models project (after a build)", {
    "docs generate ms (median of 3)": ms,
    "page load ms (Chromium)": page.load,
    "search ms": page.search,
  });
} finally {
  models.cleanup();
}

const root = mkdtempSync(path.join(os.tmpdir(), "sluice-docs-"));
try {
  writeSyntheticProject(size, root);
  const ms = docs(root);
  const page = await inBrowser(root, "m_9999");
  report(`docs: a ${size}-model synthetic project (not built)`, {
    "docs generate ms (first, no compile cache)": ms,
    "docs generate ms (again)": docs(root),
    "page load ms (Chromium)": page.load,
    "search ms": page.search,
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
