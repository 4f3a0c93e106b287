// The generated docs site in Debian's Chromium (issue #15: loads and searches in < 300 ms at
// 10,000 models): a fresh navigation to the ready flag, a search from a just-loaded page (what
// it loads on demand counted in), and a node page opened from it. Wall ms, and the main
// thread's script and task ms (DevTools protocol `Performance`: the CPU the page spent).
// Several sites are measured interleaved in one browser, so the first is the others' baseline.
//
//   node tests/bench/docs-page.mjs SITE [SITE...] [--runs 5]
//
// A SITE is DIR[:TERM:NODE] (default m_9999:model.m_9999), DIR a project folder with target/docs/
// written by `sluice docs generate`: the search for TERM must find something, NODE's page open.
// Ratios are to the first site.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { median, report } from "./lib.mjs";

/** Each route change of the page, until it is drawn (sites before the event: a tick later). */
function routed(page, hash) {
  return page.evaluate(async (to) => {
    const t0 = performance.now();
    const legacy = !window.SLUICE_DOCS.counts;
    const done = new Promise((resolve) => {
      addEventListener("sluice:rendered", resolve, { once: true });
      if (legacy) addEventListener("hashchange", () => setTimeout(resolve, 0), { once: true });
    });
    location.hash = to;
    await done;
    return { ms: performance.now() - t0, html: document.getElementById("main").innerHTML };
  }, hash);
}

/**
 * Median figures of `runs` rounds; each round loads every site once, in turn.
 * @param {{ dir: string, term: string, node: string }[]} sites project folders, what to search
 *   and which node page to open in each
 * @param {number} runs
 */
export async function measurePages(sites, runs = 5) {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const metrics = async () =>
      Object.fromEntries(
        (await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]),
      );
    const cpu = (a, b) => ({
      script: (b.ScriptDuration - a.ScriptDuration) * 1000,
      task: (b.TaskDuration - a.TaskDuration) * 1000,
    });
    const figures = sites.map(() => ({
      load: [],
      search: [],
      node: [],
      loadCpu: [],
      searchCpu: [],
    }));
    for (let round = 0; round < runs; round++)
      for (const [k, { dir, term, node }] of sites.entries()) {
        const f = figures[k];
        const url = pathToFileURL(path.join(dir, "target/docs/index.html")).href;
        await page.goto("about:blank"); // a new document each time (a hash change would not load)
        const before = await metrics();
        await page.goto(`${url}#/`);
        await page.waitForFunction(() => window.SLUICE_DOCS_READY);
        f.load.push(await page.evaluate(() => performance.now()));
        const loaded = await metrics();
        f.loadCpu.push(cpu(before, loaded));
        const found = await routed(page, `#/search/${encodeURIComponent(term)}`);
        if (!found.html.includes("<li>"))
          throw new Error(`${dir}: search for ${term} found nothing`);
        f.search.push(found.ms);
        f.searchCpu.push(cpu(loaded, await metrics()));
        const opened = await routed(page, `#/node/${encodeURIComponent(node)}`);
        if (!opened.html.includes(node)) throw new Error(`${dir}: ${node}'s page did not open`);
        f.node.push(opened.ms);
      }
    return figures.map((f) => ({
      load: median(f.load),
      loadScript: median(f.loadCpu.map((c) => c.script)),
      loadTask: median(f.loadCpu.map((c) => c.task)),
      search: median(f.search),
      searchTask: median(f.searchCpu.map((c) => c.task)),
      node: median(f.node),
    }));
  } finally {
    await browser.close();
  }
}

/** Report lines of {@link measurePages}' figures for one site (and ratios to a baseline's). */
export function pageFigures(p, base) {
  const ratio = (a, b) => (b ? ` (${(a / b).toFixed(2)}x baseline)` : "");
  return {
    "page load ms (Chromium)": `${p.load.toFixed(0)}${ratio(p.load, base?.load)}`,
    "page load script / task ms (main thread)": `${p.loadScript.toFixed(0)} / ${p.loadTask.toFixed(0)}${ratio(p.loadTask, base?.loadTask)}`,
    "search ms (its data loaded on demand)": `${p.search.toFixed(0)}${ratio(p.search, base?.search)}`,
    "search task ms (main thread)": p.searchTask.toFixed(0),
    "node page ms": `${p.node.toFixed(0)}${ratio(p.node, base?.node)}`,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(name);
    return i < 0 ? fallback : args.splice(i, 2)[1];
  };
  const runs = Number(flag("--runs", "5"));
  if (args.length === 0) {
    console.error("usage: node tests/bench/docs-page.mjs DIR[:TERM:NODE]... [--runs N]");
    process.exit(2);
  }
  const sites = args.map((a) => {
    const [dir, term = "m_9999", node = "model.m_9999"] = a.split(":");
    return { dir: path.resolve(dir), term, node };
  });
  const all = await measurePages(sites, runs);
  sites.forEach((site, k) =>
    report(
      `docs page: ${site.dir}${k === 0 && sites.length > 1 ? " (baseline)" : ""} (median of ${runs}, interleaved)`,
      pageFigures(all[k], k > 0 ? all[0] : undefined),
    ),
  );
}
