// Budget: the local build's overhead over running the same statements directly in DuckDB is
// under 15%. Same process, same lake, alternating runs: (a) sluice's loader + compiler + runner
// on the DuckDB engine, recording every statement it sends; (b) those statements replayed on a
// bare @duckdb/node-api connection. Ratio of medians.
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { compileProject, dialectFor } from "@sluice/compiler";
import { openEngine } from "@sluice/engines";
import { loadProject } from "@sluice/project";
import { runProject } from "@sluice/runner";
import { trinoCompatStatements } from "@sluice/dialects";
import { generateRaw, median, report, tempProject } from "./lib.mjs";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const { dir, cleanup } = tempProject();
const lake = path.join(dir, ".lake");
const resetLake = () => {
  for (const entry of readdirSync(lake))
    if (entry !== "raw") rmSync(path.join(lake, entry), { recursive: true, force: true });
};

async function viaSluice(runId) {
  resetLake();
  const t0 = performance.now();
  const project = await loadProject(dir);
  const target = project.config.targets.local;
  const dialect = dialectFor(target);
  const compiled = compileProject(project, { runId, dialect, env: {} });
  const inner = await openEngine(target, dir);
  const log = [];
  // Every Engine method as is, execute recorded.
  const engine = new Proxy(inner, {
    get: (target, key) =>
      key === "execute"
        ? (sql, o) => (log.push(sql), target.execute(sql, o))
        : typeof target[key] === "function"
          ? target[key].bind(target)
          : target[key],
  });
  const results = await runProject({
    command: "build",
    compiled,
    engine,
    dialect,
    runId,
    threads: 1,
  });
  await engine.close();
  const ms = performance.now() - t0;
  const bad = results.results.filter((r) => r.status === "error" || r.status === "fail");
  if (bad.length)
    throw new Error(`build failed: ${bad.map((r) => `${r.id}: ${r.message}`).join("; ")}`);
  return { ms, log };
}

async function direct(statements) {
  resetLake();
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(path.join(lake, "catalog.duckdb"));
  const connection = await instance.connect();
  for (const s of trinoCompatStatements()) await connection.run(s.sql);
  for (const sql of statements) {
    const m = /\)\s+TO\s+'([^']+)'\s+\(FORMAT/i.exec(sql);
    if (m)
      (await import("node:fs")).mkdirSync(m[1].endsWith(".parquet") ? path.dirname(m[1]) : m[1], {
        recursive: true,
      });
    await connection.runAndReadAll(sql);
  }
  connection.closeSync?.();
  instance.closeSync?.();
  return performance.now() - t0;
}

try {
  generateRaw(dir, EVENTS);
  const sluiceTimes = [];
  const directTimes = [];
  let statements = 0;
  for (let i = 0; i < 3; i++) {
    const a = await viaSluice(`20261128T00000${i}Z_bench`);
    statements = a.log.length;
    sluiceTimes.push(a.ms);
    directTimes.push(await direct(a.log));
  }
  const s = median(sluiceTimes);
  const d = median(directTimes);
  report(
    `Local build overhead, ${EVENTS.toLocaleString("en-US")} events, ${statements} statements (median of 3, ms)`,
    {
      "sluice build (load + compile + run)": s,
      "same statements on bare DuckDB": d,
      "overhead ratio (sluice / direct - 1)": s / d - 1,
      "budget overhead < 15%": s / d - 1 < 0.15 ? "ok" : "OVER",
    },
  );
} finally {
  cleanup();
}
