// What the slow test files' helpers cost, old way against new way in the same run (CPU ms are
// user + system of the process and its children; the machine may be shared: read CPU first).
// 1. A crash point's two checks (tableHashes, then leftovers: two `sluice query` start-ups) vs
//    one combined query (tests/incremental/lake-fixture.ts lakeState).
// 2. Copying a built project: fs.cp (the old copyDir) vs `cp -r` (the new one).
// 3. parity's comparison of 8 tables on the lake: 8 `sluice query` spawns vs one engine opened
//    in this process reading the 8 (tests/support/relation-reader.ts; Athena's side is the same).
// 4. A prod build on athena-local (latency 0) with the default poll_interval (0.1 s) vs 0.01
//    (what the test targets set): wall, CPU and GetQueryExecution calls.
// 5. One check statement (a count): a `sluice query` spawn vs tests/support/lake-reader.ts
//    queryLake (load the project, open the lake from a catalog snapshot, read, close, in this
//    process), what the lake-side e2e files' checks now use.
// Usage: node tests/bench/test-spawns.mjs   (BENCH_RUNS, default 3, interleaved; BENCH_ONLY=poll
// for part 4 alone, BENCH_ONLY=lake for all but part 4)
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateRaw, median, report, sluiceBin, tempProject, timedSluice } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TABLES = ["silver.events", "silver.rejected_events", "silver.order_items", "marts.funnel"];
const { dir, cleanup } = tempProject();
const root = path.dirname(dir);
const env = { ...process.env, AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };

/** CPU ms (user + system) of this process and its waited-for children, and wall ms, of `fn`. */
async function measured(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const hashSql = TABLES.map(
  (t) => `select '${t}' as t, count(*) as c, coalesce(sum(hash(x)::hugeint), 0) as h from ${t} x`,
).join(" union all ");
const viewSql = "select view_name, sql from duckdb_views() where not internal";
const combined = `select t, c::varchar || ':' || h::varchar as v from (${hashSql}) union all select view_name, sql from duckdb_views() where not internal`;
const query = (sql) => timedSluice(dir, ["--project-dir", dir, "query", sql, "--format", "json"]);
const sum = (rs) => ({
  ms: rs.reduce((a, r) => a + r.ms, 0),
  cpuMs: rs.reduce((a, r) => a + r.cpuMs, 0),
});

try {
  generateRaw(dir, 3000, 11);
  timedSluice(dir, ["--project-dir", dir, "build"]);
  const only = process.env["BENCH_ONLY"];
  const checks = { two: [], one: [] };
  const copies = { fsCp: [], cpR: [] };
  const reads = { spawns: [], inProcess: [] };
  const checkReads = { spawn: [], queryLake: [] };
  const { loadProject } = await import("@sluice/project");
  const countSql = "select count(*) as n from silver.events";
  const { openEngine } = await import("@sluice/engines");
  const { rowsToJson } = await import("@sluice/cli");
  for (let i = 0; i < (only === "poll" ? 0 : RUNS); i++) {
    checks.two.push(sum([query(hashSql), query(viewSql)]));
    checks.one.push(query(combined));
    const to = path.join(root, "copy");
    copies.fsCp.push(await measured(() => cpSync(dir, to, { recursive: true })));
    rmSync(to, { recursive: true, force: true });
    const t0 = performance.now();
    const cp = spawnSync("/usr/bin/time", ["-f", "%U %S", "cp", "-r", dir, to], {
      encoding: "utf8",
    });
    const [u, s] = cp.stderr.trim().split("\n").at(-1).split(" ").map(Number);
    copies.cpR.push({ ms: performance.now() - t0, cpuMs: (u + s) * 1000 });
    rmSync(to, { recursive: true, force: true });
    reads.spawns.push(sum(TABLES.map((t) => query(`select * from ${t}`))));
    reads.inProcess.push(
      await measured(async () => {
        const engine = await openEngine({ engine: "duckdb", lake: ".lake", threads: 4 }, dir, {
          readOnly: true,
          snapshot: true,
        });
        for (const t of TABLES) {
          const r = await engine.execute(`select * from ${t}`, { label: "query" });
          JSON.parse(rowsToJson(r.columns, r.rows));
        }
        await engine.close();
      }),
    );
    checkReads.spawn.push(query(countSql));
    checkReads.queryLake.push(
      await measured(async () => {
        const project = await loadProject(dir, { env: {} });
        const target = project.config.targets[project.config["default-target"]];
        const engine = await openEngine(target, dir, { readOnly: true, snapshot: true });
        const r = await engine.execute(countSql, { label: "query" });
        JSON.parse(rowsToJson(r.columns, r.rows));
        await engine.close();
      }),
    );
  }
  const med = (rs) => ({ ms: median(rs.map((r) => r.ms)), cpuMs: median(rs.map((r) => r.cpuMs)) });
  const pair = (name, before, after) =>
    report(name, {
      "before wall ms": med(before).ms,
      "before CPU ms": med(before).cpuMs,
      "after wall ms": med(after).ms,
      "after CPU ms": med(after).cpuMs,
      "CPU ratio after/before": med(after).cpuMs / med(before).cpuMs,
    });
  if (only !== "poll") pair("crash point checks: 2 queries -> 1", checks.two, checks.one);
  if (only !== "poll") pair("copy a built project: fs.cp -> cp -r", copies.fsCp, copies.cpR);
  if (only !== "poll")
    pair(
      `read ${TABLES.length} tables: CLI spawns -> one engine in process`,
      reads.spawns,
      reads.inProcess,
    );
  if (only !== "poll")
    pair(
      "one check statement: sluice query spawn -> queryLake",
      checkReads.spawn,
      checkReads.queryLake,
    );

  // 4. poll_interval on athena-local.
  const yml = readFileSync(path.join(dir, "sluice.yml"), "utf8");
  const polls = { default: [], fast: [] };
  for (let i = 0; i < (only === "lake" ? 0 : RUNS); i++)
    for (const [name, extra] of [
      ["default", ""],
      ["fast", "\n    poll_interval: 0.01"],
    ]) {
      const aws = path.join(root, `aws-${name}-${i}`);
      for (const b of ["sluice-lake", "sluice-athena-results"])
        mkdirSync(path.join(aws, b), { recursive: true });
      cpSync(path.join(dir, ".lake/raw"), path.join(aws, "sluice-lake/raw"), { recursive: true });
      const child = spawn(
        process.execPath,
        [sluiceBin, "athena-local", "--dir", aws, "--port", "0", "--latency-ms", "0"],
        {
          env,
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      const url = await new Promise((resolve) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
      });
      writeFileSync(
        path.join(dir, "sluice.yml"),
        yml.replace(/^ {4}engine: athena$/m, `    engine: athena\n    endpoint: ${url}${extra}`),
      );
      const t0 = performance.now();
      const run = spawnSync(
        "/usr/bin/time",
        [
          "-f",
          "%U %S",
          process.execPath,
          sluiceBin,
          "--project-dir",
          dir,
          "build",
          "--target",
          "prod",
        ],
        { env, encoding: "utf8" },
      );
      const [u, s] = run.stderr.trim().split("\n").at(-1).split(" ").map(Number);
      const calls = await (await fetch(`${url}/_aws-local/calls/log`)).json();
      polls[name].push({
        ms: performance.now() - t0,
        cpuMs: (u + s) * 1000,
        gets: calls.filter((c) => c.api === "Athena.GetQueryExecution").length,
        queries: calls.filter((c) => c.api === "Athena.StartQueryExecution").length,
      });
      if (run.status !== 0) throw new Error(`prod build failed:\n${run.stdout}\n${run.stderr}`);
      // Its catalog file is written on exit: remove the folder after it has stopped.
      await new Promise((resolve) => {
        child.on("close", resolve);
        child.kill("SIGTERM");
      });
      rmSync(aws, { recursive: true, force: true });
    }
  writeFileSync(path.join(dir, "sluice.yml"), yml);
  if (only !== "lake")
    report("prod build on athena-local: poll_interval 0.1 (default) -> 0.01", {
      "queries per build": median(polls.fast.map((r) => r.queries)),
      "before build wall ms (CLI spawn)": median(polls.default.map((r) => r.ms)),
      "before CLI CPU ms": median(polls.default.map((r) => r.cpuMs)),
      "before GetQueryExecution": median(polls.default.map((r) => r.gets)),
      "after build wall ms (CLI spawn)": median(polls.fast.map((r) => r.ms)),
      "after CLI CPU ms": median(polls.fast.map((r) => r.cpuMs)),
      "after GetQueryExecution": median(polls.fast.map((r) => r.gets)),
      "wall ratio after/before":
        median(polls.fast.map((r) => r.ms)) / median(polls.default.map((r) => r.ms)),
    });
} finally {
  cleanup();
}
