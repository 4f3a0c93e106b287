// Budget (issue #18): `cdk synth` of the seed's stack under 20 s.
//
// Run `npx nx run-many -t build -p infra generator` first: the CDK app is apps/infra/dist/main.js.
//
// Measures, each in a fresh process (GNU time when present: wall, user + system CPU of the whole
// process tree, peak RSS), medians of BENCH_RUNS (default 3):
//   - `cdk synth -c stage=prod -q` through the CDK CLI, as a user or CI runs it (offline: no
//     account or region is looked up; the Lambda bundle is rebuilt every time);
//   - the app alone (`node dist/main.js` with the CLI's output directory), the part sluice owns;
//   - the baseline, in the same run: a node process that only imports aws-cdk-lib and cdk-nag
//     (what any CDK app pays before its first construct); ratios are printed against it.
// CPU seconds are the fair figure on a shared machine; the load average is printed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const infra = path.resolve(here, "../../apps/infra");
const cdkBin = path.resolve(here, "../../node_modules/.bin/cdk");
const runs = Number(process.env.BENCH_RUNS ?? 3);
const BUDGET_S = 20;
const gnuTime = spawnSync("/usr/bin/time", ["-f", "%e", "true"]).status === 0;

/** Runs `cmd args` in apps/infra; returns wall s, CPU s (user + system, children included) and peak RSS MB. */
function timed(cmd, args, env = {}) {
  const out = mkdtempSync(path.join(os.tmpdir(), "sluice-synth-"));
  const timeFile = path.join(out, "time.txt");
  const began = performance.now();
  const r = gnuTime
    ? spawnSync("/usr/bin/time", ["-o", timeFile, "-f", "%e %U %S %M", cmd, ...args], {
        cwd: infra,
        encoding: "utf8",
        env: { ...process.env, CDK_OUTDIR: path.join(out, "cdk.out"), ...env },
        maxBuffer: 256 * 2 ** 20,
      })
    : spawnSync(cmd, args, { cwd: infra, encoding: "utf8", env: { ...process.env, ...env } });
  const wall = (performance.now() - began) / 1000;
  try {
    if (r.status !== 0)
      throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    if (!gnuTime) return { wall, cpu: NaN, rssMb: NaN };
    const [, user, sys, rssKb] = readFileSync(timeFile, "utf8").trim().split("\n").pop().split(" ");
    return { wall, cpu: Number(user) + Number(sys), rssMb: Number(rssKb) / 1024 };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function measure(label, cmd, args, env) {
  const results = Array.from({ length: runs }, () => timed(cmd, args, env));
  return {
    label,
    wall: median(results.map((r) => r.wall)),
    cpu: median(results.map((r) => r.cpu)),
    rssMb: median(results.map((r) => r.rssMb)),
    all: results,
  };
}

if (!existsSync(path.join(infra, "dist/main.js")))
  throw new Error("apps/infra/dist/main.js is missing: run `npx nx run infra:build` first");

const loadBefore = os.loadavg()[0];
const baseline = measure("baseline: import aws-cdk-lib + cdk-nag", process.execPath, [
  "--input-type=module",
  "-e",
  'await import("aws-cdk-lib"); await import("cdk-nag");',
]);
const app = measure(
  "app alone: node dist/main.js (stage prod)",
  process.execPath,
  ["dist/main.js"],
  { CDK_CONTEXT_JSON: JSON.stringify({ stage: "prod" }) },
);
const cli = measure("cdk synth -c stage=prod -q (CLI)", cdkBin, [
  "synth",
  "-c",
  "stage=prod",
  "-q",
  "--no-notices",
  "--no-version-reporting",
  "-o",
  path.join(os.tmpdir(), `sluice-synth-cli-${process.pid}`),
]);
rmSync(path.join(os.tmpdir(), `sluice-synth-cli-${process.pid}`), {
  recursive: true,
  force: true,
});

const row = (k, v) => console.log(`${k.padEnd(52)} ${v}`);
console.log(
  `\n## cdk synth (apps/infra; medians of ${runs}; GNU time: ${gnuTime ? "yes" : "no, CPU n/a"})`,
);
for (const m of [baseline, app, cli])
  row(
    m.label,
    `${m.wall.toFixed(1)} s wall, ${m.cpu.toFixed(1)} CPU-s, ${m.rssMb.toFixed(0)} MB peak RSS` +
      (m === baseline ? "" : `  (${(m.cpu / baseline.cpu).toFixed(1)}x baseline CPU)`),
  );
row(
  `budget cdk synth < ${BUDGET_S} s (CPU | wall)`,
  `${cli.cpu < BUDGET_S ? "met" : "NOT met"} | ${cli.wall < BUDGET_S ? "met" : "NOT met"}  ` +
    `(load average ${loadBefore.toFixed(1)} -> ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} CPUs)`,
);
