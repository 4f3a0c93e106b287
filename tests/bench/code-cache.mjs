// What caching the packages' bytecode saves (apps/cli/src/code-cache.ts, `packages`): Athena
// commands on athena-local, through the CLI as shipped (bundle + node_modules packages cached) vs
// a launcher that caches the bundle only, interleaved, caches warm. CPU s (user + system, GNU
// time) counts first: the machine may be shared. Usage: node tests/bench/code-cache.mjs (BENCH_RUNS,
// default 5). Last (load 14-22, 2 cores): run -s events 0.91 -> 0.83 CPU-s (0.91x), query 0.77 ->
// 0.69 (0.90x), --version unchanged (0.21 -> 0.23, noise).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { median, report, repoRoot, sluiceBin, tempProject } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const { dir, cleanup } = tempProject();
const aws = path.join(path.dirname(dir), "aws");
for (const bucket of ["sluice-lake", "sluice-athena-results"])
  mkdirSync(path.join(aws, bucket), { recursive: true });
const env = { ...process.env, AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };
const bundle = path.join(repoRoot, "apps/cli/dist/bundle");
const bundleOnly = path.join(path.dirname(dir), "bundle-only.mjs");
writeFileSync(
  bundleOnly,
  [
    `import { createRequire } from "node:module";`,
    `const { installCodeCache } = await import(${JSON.stringify(path.join(repoRoot, "apps/cli/dist/code-cache.js"))});`,
    `installCodeCache({ sourceDir: ${JSON.stringify(bundle)}, cacheDir: ${JSON.stringify(path.join(bundle, ".v8-cache"))}, packages: false });`,
    `createRequire(import.meta.url)(${JSON.stringify(path.join(bundle, "main.cjs"))});`,
  ].join("\n"),
);

/** CPU s and wall s of one command through `launcher`. */
function timed(launcher, args) {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", process.execPath, launcher, ...args], {
    env,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`sluice ${args.join(" ")} exited ${r.status}\n${r.stderr}`);
  const [user, sys] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  return { cpu: user + sys, wall: (performance.now() - t0) / 1000 };
}

const endpoint = spawn(process.execPath, [sluiceBin, "athena-local", "--dir", aws], {
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
try {
  const url = await new Promise((resolve, reject) => {
    let out = "";
    endpoint.on("exit", (code) => reject(new Error(`athena-local exited ${code}`)));
    endpoint.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
  });
  const yml = path.join(dir, "sluice.yml");
  writeFileSync(
    yml,
    readFileSync(yml, "utf8").replace(
      /^ {4}engine: athena$/m,
      `    engine: athena\n    endpoint: ${url}\n    poll_interval: 0.04`,
    ),
  );
  const sluice = (launcher, ...args) => timed(launcher, ["--project-dir", dir, ...args]);
  sluice(
    sluiceBin,
    "generate",
    "--events",
    "200",
    "--start",
    "2026-11-27T00:00:00Z",
    ...["--hours", "2", "--seed", "9", "--lake", path.join(aws, "sluice-lake")],
  );
  sluice(sluiceBin, "sources", "register", "--target", "prod");
  sluice(sluiceBin, "run", "--target", "prod", "-s", "+events");
  const commands = {
    "run --target prod -s events": ["run", "--target", "prod", "-s", "events"],
    "query --target prod": ["query", "select 1", "--target", "prod"],
    "--version": ["--version"],
  };
  const launchers = { "bundle only": bundleOnly, "bundle + packages": sluiceBin };
  const times = {};
  for (const args of Object.values(commands))
    for (const l of Object.values(launchers)) sluice(l, ...args);
  for (let i = 0; i < RUNS; i++)
    for (const [what, args] of Object.entries(commands))
      for (const [which, l] of Object.entries(launchers))
        (times[`${what}: ${which}`] ??= []).push(sluice(l, ...args));
  const figures = {};
  for (const what of Object.keys(commands)) {
    const [old, now] = Object.keys(launchers).map((which) => times[`${what}: ${which}`]);
    const cpu = (rs) => median(rs.map((r) => r.cpu));
    const wall = (rs) => median(rs.map((r) => r.wall));
    figures[`${what}: CPU s, bundle only`] = cpu(old);
    figures[`${what}: CPU s, + packages`] = cpu(now);
    figures[`${what}: CPU ratio`] = cpu(now) / cpu(old);
    figures[`${what}: wall ratio`] = wall(now) / wall(old);
  }
  figures["load average (1 min)"] = Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  report(`Code cache of packages (median of ${RUNS}, interleaved)`, figures);
} finally {
  endpoint.kill("SIGTERM");
  cleanup();
}
