// Budget (issue #3): the wall time of a 50-model DAG on Athena, with 4 threads, is within 10% of
// the critical-path sum of its latencies. A synthetic project (a 12-model spine of slow models,
// 38 faster models fanning out of and back into it, two schemas) is compiled for an Athena target
// and run by the runner against a fake AWS that takes a realistic time per call
// (athena-latency-fake.mjs). Per node, latency = what the services spend on it: StartQueryExecution
// + the query's RUNNING time + the one GetQueryExecution that sees it finished + GetQueryResults
// + its Glue/S3 calls. Polls that only see RUNNING are orchestration overhead, as is everything
// else (scheduling, the staging sweep, the end-of-run cleanup). The schemas' CREATE DATABASE
// queries run before any node, so they are the root of every path.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileProject, dialectFor } from "@sluice/compiler";
import { openAthenaEngineWith } from "@sluice/engines";
import { loadProject } from "@sluice/project";
import { runProject } from "@sluice/runner";
import { report } from "./lib.mjs";
import { LatencyAws } from "./athena-latency-fake.mjs";

const THREADS = 4;
const SPINE = 12;
const SIDE = 38;

/** The DAG: name -> { schema, deps, runMs }. */
function dag() {
  const nodes = new Map();
  const spine = (i) => `s${String(i).padStart(2, "0")}`;
  const side = (j) => `m${String(j).padStart(2, "0")}`;
  for (let j = 0; j < SIDE; j++) {
    const parent = spine(Math.floor((j * (SPINE - 1)) / SIDE));
    const deps = [parent, ...(j % 3 === 2 ? [side(j - 1)] : [])];
    nodes.set(side(j), { schema: "marts", deps, runMs: 200 + ((j * 137) % 600) });
  }
  for (let i = 0; i < SPINE; i++) {
    // Fan-in: a spine model also reads a side model of the level before.
    const deps =
      i === 0
        ? []
        : [
            spine(i - 1),
            ...(i % 2 === 0 ? [side(Math.floor(((i - 1) * SIDE) / (SPINE - 1)))] : []),
          ];
    nodes.set(spine(i), { schema: "silver", deps, runMs: 1200 + ((i * 311) % 800) });
  }
  return nodes;
}

function writeProject(dir, nodes) {
  writeFileSync(
    path.join(dir, "sluice.yml"),
    [
      "name: bench",
      "model-paths: [silver, marts]",
      "models:",
      "  silver: { +schema: silver, +materialized: table }",
      "  marts: { +schema: marts, +materialized: table }",
      "targets:",
      "  prod:",
      "    engine: athena",
      "    region: eu-west-1",
      "    workgroup: sluice",
      "    s3_staging_dir: s3://bench-results/queries/",
      "    s3_lake_root: s3://bench-lake",
      "    databases: { silver: bench_silver, marts: bench_marts }",
      "    threads: 4",
      "default-target: prod",
      "",
    ].join("\n"),
  );
  for (const [name, node] of nodes) {
    mkdirSync(path.join(dir, node.schema), { recursive: true });
    const from =
      node.deps.length === 0
        ? "(VALUES 1) AS t(id)"
        : node.deps.map((d, i) => `{{ ref('${d}') }} AS d${i}`).join(" CROSS JOIN ");
    writeFileSync(path.join(dir, node.schema, `${name}.sql`), `SELECT 1 AS id FROM ${from}\n`);
  }
}

/** Per-node latency from the recorded calls (see the header). */
function latencies(calls) {
  const byNode = new Map();
  for (const call of calls) {
    if (call.node === undefined || (call.command === "GetQueryExecution" && !call.final)) continue;
    byNode.set(call.node, (byNode.get(call.node) ?? 0) + call.ms + (call.runMs ?? 0));
  }
  return byNode;
}

function criticalPath(nodes, latency) {
  const memo = new Map();
  const longest = (name) => {
    if (!memo.has(name))
      memo.set(name, (latency.get(name) ?? 0) + Math.max(0, ...nodes.get(name).deps.map(longest)));
    return memo.get(name);
  };
  return (latency.get("schemas") ?? 0) + Math.max(...[...nodes.keys()].map(longest));
}

const root = mkdtempSync(path.join(os.tmpdir(), "sluice-athena-bench-"));
try {
  const nodes = dag();
  writeProject(root, nodes);
  const project = await loadProject(root);
  const target = project.config.targets.prod;
  const dialect = dialectFor(target);
  const aws = new LatencyAws({
    runMs: (sql, node) => (node === "schemas" ? 300 : (nodes.get(node)?.runMs ?? 200)),
  });
  const figures = {};
  for (const runId of ["r1", "r2"]) {
    const compiled = compileProject(project, { targetName: "prod", runId, dialect, env: {} });
    const bad = compiled.diagnostics?.filter((d) => d.severity === "error") ?? [];
    if (bad.length > 0) throw new Error(bad.map((d) => d.message).join("\n"));
    const engine = await openAthenaEngineWith({ target, clients: aws.clients });
    const from = aws.calls.length;
    const t0 = performance.now();
    const results = await runProject({
      command: "run",
      compiled,
      engine,
      dialect,
      runId,
      threads: THREADS,
    });
    const wall = performance.now() - t0;
    await engine.close();
    const failed = results.results.filter((r) => r.status !== "success");
    if (failed.length > 0 || results.results.length !== nodes.size)
      throw new Error(`run ${runId}: ${failed.map((r) => `${r.id}: ${r.message}`).join("; ")}`);
    const calls = aws.calls.slice(from);
    const critical = criticalPath(nodes, latencies(calls));
    const polls = calls.filter((c) => c.command === "GetQueryExecution").length;
    const label = runId === "r1" ? "first build (CreateTable)" : "rebuild (Glue swap)";
    figures[`${label}: wall ms`] = wall;
    figures[`${label}: critical path ms`] = critical;
    figures[`${label}: wall / critical path`] = wall / critical;
    figures[`${label}: GetQueryExecution per query`] =
      polls / calls.filter((c) => c.command === "StartQueryExecution").length;
    if (runId === "r2") {
      const glueS3 = calls.filter((c) => c.service !== "athena").length;
      figures["rebuild: Glue/S3 calls per model"] = glueS3 / nodes.size;
      figures["budget wall <= 1.10 x critical path"] = wall / critical <= 1.1 ? "ok" : "OVER";
    }
  }
  report(`Athena orchestration, ${nodes.size} models, ${THREADS} threads, latency fake`, figures);
} finally {
  rmSync(root, { recursive: true, force: true });
}
