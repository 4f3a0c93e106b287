// Docs site (issue #15): `docs generate` on the models project after a build (budget < 1 s) and
// on a 10,000-model synthetic project (< 15 s); the generated site's load and a search in
// Debian's Chromium (< 300 ms each; tests/bench/docs-page.mjs, which also compares two sites).
// Wall times of the CLI as users run it, and its CPU seconds (user + sys: the machine may be
// shared); in the page, wall ms and the main thread's script and task time from the DevTools
// protocol. Baseline in the same run: `sluice ls -s <model>` on the
// same project (load, compile, select: what every command pays), as a ratio of CPU seconds.
//
//   node tests/bench/docs.mjs [models]   (default 10000)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { measurePages, pageFigures } from "./docs-page.mjs";
import {
  generateRaw,
  median,
  medianRun,
  report,
  repoRoot,
  sluiceBin,
  tempProject,
  timeCommand,
  timedSluice,
} from "./lib.mjs";
import { writeSyntheticProject } from "./synthetic-project.mjs";

const size = Number(process.argv[2] ?? 10000);
/** `sluice docs generate`: wall ms and CPU seconds (user + sys, from GNU time). */
function docs(dir, { lineageCache = true } = {}) {
  if (!lineageCache) rmSync(path.join(dir, "target/lineage_cache.json"), { force: true });
  const t0 = performance.now();
  const r = spawnSync(
    "/usr/bin/time",
    ["-f", "cpu %U %S", process.execPath, sluiceBin, "--project-dir", dir, "docs", "generate"],
    { encoding: "utf8", cwd: repoRoot },
  );
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`docs generate exited ${r.status}\n${r.stderr}`);
  const [, user, sys] = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr) ?? [];
  return { ms, cpu: Number(user) + Number(sys) };
}

/**
 * `sluice ls -s <one model>` on the same project: the baseline every command pays (load,
 * compile, select; one line printed), CPU s, median of 3.
 */
function lsBaseline(dir, model) {
  const args = ["--project-dir", dir, "ls", "-s", model];
  return medianRun(3, () => timedSluice(dir, args)).cpuMs / 1000;
}

/** Median wall ms and CPU s of `runs` runs. */
function docsMedian(runs, dir, options) {
  const all = Array.from({ length: runs }, () => docs(dir, options));
  return { ms: median(all.map((r) => r.ms)), cpu: median(all.map((r) => r.cpu)) };
}

const models = tempProject();
try {
  generateRaw(models.dir, 5000);
  timeCommand(process.execPath, [sluiceBin, "--project-dir", models.dir, "build"]);
  const run = docsMedian(3, models.dir);
  const ls = lsBaseline(models.dir, "sales_by_country");
  const site = { dir: models.dir, term: "revenue", node: "model.sales_by_country" };
  const [page] = await measurePages([site]);
  report("docs: the models project (after a build)", {
    "docs generate ms (median of 3)": run.ms,
    "docs generate CPU s": run.cpu,
    "baseline: sluice ls CPU s": ls,
    "docs generate / ls (CPU)": `${(run.cpu / ls).toFixed(2)}x`,
    ...pageFigures(page),
  });
} finally {
  models.cleanup();
}

const root = mkdtempSync(path.join(os.tmpdir(), "sluice-docs-"));
try {
  writeSyntheticProject(size, root);
  const first = docs(root);
  const noLineageCache = docs(root, { lineageCache: false });
  const again = docs(root);
  const ls = lsBaseline(root, "m_9999");
  const [page] = await measurePages([{ dir: root, term: "m_9999", node: "model.m_9999" }]);
  report(`docs: a ${size}-model synthetic project (not built)`, {
    "docs generate ms (first: compiles, no caches)": first.ms,
    "  CPU s": first.cpu,
    "docs generate ms (compiled before, no lineage cache)": noLineageCache.ms,
    "  CPU s ": noLineageCache.cpu,
    "docs generate ms (again)": again.ms,
    "  CPU s  ": again.cpu,
    "baseline: sluice ls CPU s": ls,
    "docs generate again / ls (CPU)": `${(again.cpu / ls).toFixed(2)}x`,
    ...pageFigures(page),
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
