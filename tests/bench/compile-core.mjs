// The cold compile's core alone (issue #14): loadProject + compileProject of a synthetic project,
// each round in a fresh Node process (cold JIT, as the CLI runs), nothing written to target/.
// What `sluice compile` spends in libs/project, libs/compiler and libs/dialects, without the CLI's
// start-up and artifact writing, which compile-scale.mjs includes.
//
//   node tests/bench/compile-core.mjs [models=10000] [rounds=5] [baseline root]
//
// Prints medians of CPU ms (user + system: on a shared machine wall time follows the other load)
// for the load and the compile, the main thread's share of each (Linux; what the wall time
// follows when work moves to worker threads and a core is free), and the load average. With a baseline root (another checkout, or
// a copy of its libs/{project,compiler,dialects}/dist with a node_modules link) the rounds
// alternate between the two builds, print the new/baseline ratios, and fail unless both
// compiles give the same sha1 of the compiled project, its compile memo and the loaded Project.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, repoRoot, report } from "./lib.mjs";
import { writeAgedSyntheticProject } from "./synthetic-project.mjs";

/** One cold load + compile of `dir` with the libs built under `root`; prints its figures. */
async function child(root, dir) {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  // The main thread's own CPU ms (Linux: its schedstat, in ns), without worker and GC threads:
  // on an idle second core the wall time follows it, not the process's CPU.
  const stat = `/proc/self/task/${process.pid}/schedstat`;
  const mainCpu = () =>
    existsSync(stat) ? Number(readFileSync(stat, "utf8").split(" ")[0]) / 1e6 : NaN;
  const lib = (name) => import(pathToFileURL(path.join(root, `libs/${name}/dist/index.js`)).href);
  const { loadProject } = await lib("project");
  const { compileProject, dialectFor } = await lib("compiler");
  const t0 = cpu();
  const m0 = mainCpu();
  // As the CLI calls them on a cold compile: empty parse and compile memos, filled as it goes.
  const project = await loadProject(dir, { env: {}, properties: { previous: {}, next: {} } });
  const t1 = cpu();
  const m1 = mainCpu();
  const memo = { previous: {}, next: {}, previousOrders: {} };
  const compiled = compileProject(project, {
    vars: {},
    env: {},
    runId: "19700101T000000Z_cafe",
    dialect: dialectFor(project.config.targets[project.config["default-target"]]),
    flag: () => undefined,
    memo,
  });
  const t2 = cpu();
  const m2 = mainCpu();
  const sha1 = (value) => createHash("sha1").update(JSON.stringify(value)).digest("hex");
  const digest = sha1([sha1(compiled), sha1(memo), sha1(project)]);
  const main = { load: m1 - m0, compile: m2 - m1 };
  console.log(JSON.stringify({ load: t1 - t0, compile: t2 - t1, main, digest }));
}

if (process.argv[2] === "--child") {
  await child(process.argv[3], process.argv[4]);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [models = "10000", rounds = "5", baseline] = process.argv.slice(2);
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-core-"));
  try {
    writeAgedSyntheticProject(Number(models), dir);
    const builds = baseline
      ? { baseline: path.resolve(baseline), new: repoRoot }
      : { new: repoRoot };
    const runs = Object.fromEntries(Object.keys(builds).map((k) => [k, []]));
    for (let r = 0; r < Number(rounds); r++) {
      // Alternate which build goes first, so a change in the machine's load hits both.
      const order = Object.entries(builds);
      if (r % 2 === 1) order.reverse();
      for (const [name, root] of order) {
        const self = fileURLToPath(import.meta.url);
        const out = spawnSync(process.execPath, [self, "--child", root, dir], { encoding: "utf8" });
        if (out.status !== 0) throw new Error(`${name} build failed:\n${out.stderr}`);
        runs[name].push(JSON.parse(out.stdout));
      }
    }
    const figures = {};
    for (const [name, list] of Object.entries(runs)) {
      figures[`${name}: load CPU ms`] = median(list.map((x) => x.load));
      figures[`${name}: compile CPU ms`] = median(list.map((x) => x.compile));
      figures[`${name}: load + compile CPU ms`] = median(list.map((x) => x.load + x.compile));
      figures[`${name}: main thread, load CPU ms`] = median(list.map((x) => x.main.load));
      figures[`${name}: main thread, compile CPU ms`] = median(list.map((x) => x.main.compile));
    }
    if (baseline) {
      const digests = new Set(Object.values(runs).flatMap((list) => list.map((x) => x.digest)));
      if (digests.size !== 1) throw new Error(`the builds' outputs differ: ${[...digests]}`);
      for (const phase of ["load", "compile", "load + compile", "main thread, load"])
        figures[`new / baseline, ${phase}`] =
          figures[`new: ${phase} CPU ms`] / figures[`baseline: ${phase} CPU ms`];
    }
    figures["load average (1 min) at the end"] = os.loadavg()[0];
    report(`compile core, ${Number(models).toLocaleString("en-US")} models, cold`, figures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
