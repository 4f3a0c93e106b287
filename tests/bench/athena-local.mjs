// Budgets (issue #12) on the production path, measured on `sluice athena-local` (the real SDK
// clients over HTTP, SQL on DuckDB):
// 1. The models project's full build on the endpoint (latency 0) is at most 3x the local lake's
//    build of the same raw files (medians of alternating runs; each endpoint run starts on an
//    empty catalog and bucket, like the local run on an empty lake).
// 2. Per table model, 1 Athena query and at most 4 Glue/S3 calls, counted on the endpoint's call
//    log (`GET /_aws-local/calls/log`), on four builds of one endpoint: the first (empty catalog),
//    the next after one more raw hour, a third after another hour (the first generation of the
//    replaced partitions expires: deleted by key, run-wide), and a rerun with no new data (0
//    queries expected). The budget, 1 query and at most 4 Glue/S3 calls per model, is asserted on
//    all four (exit 1 when a model is over it). A query is a node's when run_results.json lists its id
//    under the node; a Glue call when it names the model's table (or one of its staging tables,
//    `<name>__...`), an S3 call when its key is under the table's folder. Everything else (the
//    raw table's registration, schema set-up, the sweep, end-of-run cleanup, tests' own queries)
//    is run-level and reported as such.
// 3. DAG orchestration overhead with Athena-like latencies: the build's wall time over the
//    critical path of its nodes' own times (the longest dependency chain of elapsed seconds in
//    run_results.json), on the endpoint with --latency-ms 600 and the target's 4 threads; and
//    over max(critical path, node time / 4), as 45 tests fan out wider than 4 threads. The
//    endpoint runs one statement at a time (latencies overlap, SQL does not), so this is an
//    upper bound of the runner's own overhead; athena-orchestration.mjs measures it alone.
import { readSluiceRunResults, sluiceNodeId } from "@sluice/runner";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateRaw, median, report, sluiceBin, tempProject, timeCommand } from "./lib.mjs";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LATENCY_MS = 600;
/** The prod target's threads. */
const THREADS = 4;
const env = { ...process.env, AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };
const { dir, cleanup } = tempProject();
const root = path.dirname(dir);
const yml = readFileSync(path.join(dir, "sluice.yml"), "utf8");
const sluice = (...args) =>
  timeCommand(process.execPath, [sluiceBin, "--project-dir", dir, ...args], { env });

/** Start `sluice athena-local` over a fresh folder holding the prod target's buckets. */
function startEndpoint(latencyMs) {
  const aws = mkdtempSync(path.join(root, "aws-"));
  mkdirSync(path.join(aws, "sluice-athena-results"));
  cpSync(path.join(dir, ".lake/raw"), path.join(aws, "sluice-lake/raw"), { recursive: true });
  const child = spawn(
    process.execPath,
    [sluiceBin, "athena-local", "--dir", aws, "--latency-ms", String(latencyMs)],
    { env, stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (!url) return;
      writeFileSync(
        path.join(dir, "sluice.yml"),
        yml.replace(/^ {4}engine: athena$/m, `    engine: athena\n    endpoint: ${url}`),
      );
      resolve({
        url,
        aws,
        stop: () =>
          new Promise((done) => {
            child.on("close", () => (rmSync(aws, { recursive: true, force: true }), done()));
            child.kill("SIGTERM");
          }),
      });
    });
    child.on("error", reject);
  });
}

/** One full build on a fresh endpoint: wall ms, the call log and run_results.json. */
async function prodBuild(latencyMs) {
  const endpoint = await startEndpoint(latencyMs);
  try {
    const { ms } = sluice("build", "--target", "prod");
    const log = await (await fetch(`${endpoint.url}/_aws-local/calls/log`)).json();
    const results = readSluiceRunResults(
      JSON.parse(readFileSync(path.join(dir, "target/run_results.json"), "utf8")),
    );
    return { ms, log, results };
  } finally {
    await endpoint.stop();
  }
}

/**
 * Calls per table model on four builds of one endpoint: the first, the next build after one more
 * raw hour (the hour after the generated day, copied into the endpoint's bucket as Firehose
 * would deliver it), a third after another hour (an expiry), then a rerun with no new data.
 */
async function rebuildCalls() {
  const endpoint = await startEndpoint(0);
  const logSince = async () => {
    const url = `${endpoint.url}/_aws-local/calls/log`;
    // A new connection each time: a kept-alive one idle through a build may be closed under it.
    const headers = { connection: "close" };
    const log = await (await fetch(url, { headers })).json();
    await fetch(url, { method: "DELETE", headers });
    return log;
  };
  const build = async () => {
    const { ms } = sluice("build", "--target", "prod");
    const results = readSluiceRunResults(
      JSON.parse(readFileSync(path.join(dir, "target/run_results.json"), "utf8")),
    );
    return { ms, log: await logSince(), results };
  };
  const deliverHour = (hour, seed) => {
    timeCommand(process.execPath, [
      ...[sluiceBin, "--project-dir", dir, "generate", "--events", String(Math.ceil(EVENTS / 24))],
      ...["--start", `2026-11-28T${hour}:00:00Z`, "--hours", "1", "--seed", String(seed)],
      ...["--sink", "local"],
    ]);
    const day = "raw/events/2026/11/28";
    cpSync(path.join(dir, ".lake", day), path.join(endpoint.aws, "sluice-lake", day), {
      recursive: true,
    });
  };
  try {
    const first = await build();
    deliverHour("00", 7);
    const next = await build();
    deliverHour("01", 8);
    const third = await build();
    const unchanged = await build();
    return { first, next, third, unchanged };
  } finally {
    await endpoint.stop();
  }
}

/** The calls per model of {@link rebuildCalls}' builds, added to `figures`. */
function rebuildFigures(again, figures) {
  for (const [label, run] of builds(again)) {
    const calls = callsPerModel(run.log, run.results);
    for (const [id, c] of calls.perModel)
      figures[`${label}: ${id}: queries, glue+s3`] = `${c.queries}, ${c.glue + c.s3}`;
    // Per run, not per model: listings, lease, raw table, tests' queries, end-of-run cleanup.
    const r = calls.runLevel;
    figures[`${label}: per run (not per model): queries, glue, s3`] =
      `${r.queries}, ${r.glue}, ${r.s3}`;
    // The calls themselves, in order, where they are over budget: what to look at first.
    for (const [id, c] of calls.perModel) {
      if (c.glue + c.s3 > 4) figures[`${label}: ${id}: calls`] = c.apis.join(" ");
      if (c.queries > 1)
        figures[`${label}: ${id}: queries`] = c.sql.map((q) => q.slice(0, 60)).join(" | ");
    }
    for (const [api, n] of [...calls.byApi].sort((a, b) => b[1] - a[1]).slice(0, 6))
      figures[`${label}: model calls of ${api}`] = n;
  }
  return figures;
}

/** {@link rebuildCalls}' builds, labelled. */
const builds = (again) => [
  ["first build", again.first],
  ["next hour", again.next],
  ["third hour (expiry)", again.third],
  ["no new data", again.unchanged],
];

/**
 * The budget, asserted on every build: 1 Athena query and at most 4 Glue/S3 calls per table
 * model. Per model: the queries the endpoint started whose ids run_results.json lists under it,
 * calls naming its table or its staging tables, S3 calls under its folder (a DeleteObjects by the
 * common prefix of its keys); per run (not counted here): the listings, the lease, the raw
 * table, BatchDeleteTable of staging entries, DeleteObjects shared by several tables, CREATE
 * DATABASE and the reconciliation's read. A run-level query that writes a table or probes one
 * (CTAS, INSERT, ALTER, MERGE, a LIMIT 0) is a model's query no node listed: over budget too.
 * Prints what is over it; true when anything is.
 */
function overBudget(again) {
  let over = false;
  for (const [label, run] of builds(again)) {
    const calls = callsPerModel(run.log, run.results);
    for (const [id, c] of calls.perModel) {
      if (c.glue + c.s3 > 4) {
        console.error(`over budget: ${label}: ${id}: ${c.apis.join(" ")}`);
        over = true;
      }
      if (c.queries > 1) {
        const sql = c.sql.map((q) => q.slice(0, 100)).join(" | ");
        console.error(`over budget: ${label}: ${id}: ${c.queries} queries: ${sql}`);
        over = true;
      }
    }
    for (const sql of calls.runLevel.sql)
      if (/^\s*(CREATE TABLE|INSERT|ALTER|MERGE)\b|LIMIT 0\s*$/i.test(sql)) {
        console.error(`over budget: ${label}: a table's query no node lists: ${sql.slice(0, 120)}`);
        over = true;
      }
  }
  return over;
}

function localBuild() {
  rmSync(path.join(dir, "target"), { recursive: true, force: true });
  for (const entry of ["silver", "staging", "marts", "seeds", ".sluice", "catalog.duckdb"])
    rmSync(path.join(dir, ".lake", entry), { recursive: true, force: true });
  return sluice("build").ms;
}

/** The manifest's nodes (dbt v12) by sluice id: their schema and the sluice ids they read. */
const manifest = () => {
  const m = JSON.parse(readFileSync(path.join(dir, "target/manifest.json"), "utf8"));
  const nodes = Object.values({ ...m.nodes, ...m.sources }).map((n) => [
    sluiceNodeId(n.unique_id),
    { schema: n.schema, depends_on: (n.depends_on?.nodes ?? []).map(sluiceNodeId) },
  ]);
  return { nodes: Object.fromEntries(nodes) };
};

/** Calls per table model (see the header), plus the run-level rest. */
function callsPerModel(log, results) {
  const models = results.results.filter(
    (r) => r.kind === "model" && ["table", "incremental"].includes(r.materialization),
  );
  const owner = new Map();
  for (const r of models) for (const id of r.query_ids ?? []) owner.set(id, r.id);
  // Queries of the run's other nodes (seeds, tests): run-level here, but listed by a node.
  const listed = new Set(results.results.flatMap((r) => r.query_ids ?? []));
  const perModel = new Map(
    models.map((r) => [r.id, { queries: 0, glue: 0, s3: 0, apis: [], sql: [] }]),
  );
  /** `sql`: the queries no node lists. */
  const runLevel = { queries: 0, glue: 0, s3: 0, sql: [] };
  const byApi = new Map();
  for (const call of log) {
    const [service] = call.api.split(".");
    if (call.api !== "Athena.StartQueryExecution" && service === "Athena") continue;
    let model;
    if (service === "Athena") model = owner.get(call.queryId);
    else
      model = models.find((r) => {
        const [db, table] = r.relation.split(".");
        if (service === "Glue")
          return call.resource === r.relation || call.resource.startsWith(`${db}.${table}__`);
        // `sluice-lake/<zone>/<table>/…` (the zone is not the schema: silver, marts, staging).
        return new RegExp(`^sluice-lake/(?!raw/)[^/]+/${table}/`).test(call.resource);
      })?.id;
    const counts = model === undefined ? runLevel : perModel.get(model);
    counts[service === "Athena" ? "queries" : service.toLowerCase()] += 1;
    if (service === "Athena" && (model !== undefined || !listed.has(call.queryId)))
      counts.sql.push(call.resource.replace(/\s+/g, " ").trim());
    if (model !== undefined && service !== "Athena") {
      byApi.set(call.api, (byApi.get(call.api) ?? 0) + 1);
      perModel.get(model).apis.push(call.api.replace(/^\w+\./, ""));
    }
  }
  return { perModel, runLevel, byApi };
}

/** The longest dependency chain of node seconds (manifest's depends_on, run_results' elapsed). */
function criticalPathMs(results) {
  const nodes = manifest().nodes;
  const elapsed = new Map(results.results.map((r) => [r.id, r.elapsed_ms]));
  const memo = new Map();
  const longest = (id) => {
    if (memo.has(id)) return memo.get(id);
    const deps = nodes[id]?.depends_on ?? [];
    const v = (elapsed.get(id) ?? 0) + Math.max(0, ...deps.map(longest));
    memo.set(id, v);
    return v;
  };
  return Math.max(...[...elapsed.keys()].map(longest));
}

try {
  generateRaw(dir, EVENTS);
  if (process.env.BENCH_CALLS_ONLY === "1") {
    // Only the calls per model of the builds after the first (no timings).
    const again = await rebuildCalls();
    const figures = rebuildFigures(again, {});
    report("athena-local: calls per table model on four builds", figures);
    process.exit(overBudget(again) ? 1 : 0);
  }
  // Alternating runs, so load from other processes falls on both sides alike.
  const local = [];
  const prod = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    local.push(localBuild());
    last = await prodBuild(0);
    prod.push(last.ms);
  }
  const { perModel, runLevel, byApi } = callsPerModel(last.log, last.results);
  const again = await rebuildCalls();
  const figures = {
    events: EVENTS,
    "local lake full build (s, median)": median(local) / 1000,
    "athena-local full build (s, median)": median(prod) / 1000,
    "athena-local / local (target <= 3)": median(prod) / median(local),
  };
  for (const [id, c] of perModel)
    figures[`${id}: queries, glue+s3 (1, <=4)`] = `${c.queries}, ${c.glue + c.s3}`;
  figures["run level: queries, glue, s3"] = `${runLevel.queries}, ${runLevel.glue}, ${runLevel.s3}`;
  for (const [api, n] of [...byApi].sort((a, b) => b[1] - a[1]).slice(0, 5))
    figures[`model calls of ${api}`] = n;
  rebuildFigures(again, figures);
  if (overBudget(again)) process.exitCode = 1;
  const slow = await prodBuild(LATENCY_MS);
  const path_ = criticalPathMs(slow.results);
  // With 4 threads the wall time is at least the critical path and at least the work / 4.
  const work = slow.results.results.reduce((n, r) => n + r.elapsed_ms, 0) / THREADS;
  figures[`latency ${LATENCY_MS} ms: wall (s)`] = slow.ms / 1000;
  figures[`latency ${LATENCY_MS} ms: critical path (s)`] = path_ / 1000;
  figures[`latency ${LATENCY_MS} ms: node time / ${THREADS} threads (s)`] = work / 1000;
  figures["wall / critical path (target <= 1.10)"] = slow.ms / path_;
  figures["wall / max(critical path, node time / threads)"] = slow.ms / Math.max(path_, work);
  report("athena-local: the production path on the local endpoint", figures);
} finally {
  cleanup();
}
