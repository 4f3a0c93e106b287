// Column lineage at scale (issue #15, commit 8c2cde2's "~0.3 s"): `buildLineage` on a synthetic
// project of N models (default 10,000), with the fast path for simple SELECTs and, as the
// baseline in the same run, with node-sql-parser for every model. Wall ms and CPU ms of this
// process (process.cpuUsage: the machine may be shared), and the models project's unknown columns
// (the 95% budget).
//
//   node tests/bench/lineage.mjs [models]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileProject, dialectFor } from "@sluice/compiler";
import { buildLineage } from "@sluice/lineage";
import { loadProject } from "@sluice/project";
import { median, repoRoot, report } from "./lib.mjs";
import { writeSyntheticProject } from "./synthetic-project.mjs";

const size = Number(process.argv[2] ?? 10000);

async function compiled(dir, targetName) {
  const project = await loadProject(dir);
  return compileProject(project, {
    targetName,
    runId: "20261128T000000Z_bench",
    dialect: dialectFor(project.config.targets[targetName]),
    env: {},
  });
}

/** Wall and CPU ms of `fn`, and its result. */
function timed(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, result };
}

/** Median wall and CPU ms of `runs` runs. */
function medianTimed(runs, fn) {
  const all = Array.from({ length: runs }, () => timed(fn));
  return {
    ms: median(all.map((r) => r.ms)),
    cpuMs: median(all.map((r) => r.cpuMs)),
    result: all[0].result,
  };
}

const root = mkdtempSync(path.join(os.tmpdir(), "sluice-lineage-bench-"));
try {
  writeSyntheticProject(size, root);
  const c = await compiled(root, "local");
  const fast = medianTimed(3, () => buildLineage(c));
  const parser = timed(() => buildLineage(c, {}, undefined, { simpleSelects: false }));
  report(`lineage: a ${size}-model synthetic project (compiled, no cache)`, {
    "fast path ms (median of 3)": fast.ms,
    "  CPU ms": fast.cpuMs,
    "node-sql-parser for all ms (baseline)": parser.ms,
    "  CPU ms ": parser.cpuMs,
    "fast / baseline (CPU)": `${((100 * fast.cpuMs) / parser.cpuMs).toFixed(1)}%`,
    "columns / unknown": `${fast.result.stats.columns} / ${fast.result.stats.unknown}`,
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}

for (const target of ["local", "prod"]) {
  const c = await compiled(path.join(repoRoot, "models"), target);
  const { stats } = buildLineage(c);
  report(`lineage: the models project (${target})`, {
    "model columns": stats.columns,
    "resolved to upstream columns": stats.resolved,
    unknown: stats.unknown,
    resolved: `${((100 * stats.resolved) / stats.columns).toFixed(1)}%`,
  });
}
