// Budgets: `npx sluice --help` under 0.5 s; a rejected invocation (bad flag, value or command)
// under 0.3 s, since it loads no project; `sluice compile` of the models project under 1 s.
// Baseline in the same run: a bare `node -e ""` start, so the ratio survives a noisy machine.
import { spawnSync } from "node:child_process";
import { median, medianOf, report, repoRoot, sluiceBin, timeCommand } from "./lib.mjs";

/** Wall ms of an invocation that must be refused: exit 2, one line on stderr. */
function timeRejected(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [sluiceBin, ...args], { encoding: "utf8", cwd: repoRoot });
  const ms = performance.now() - t0;
  if (r.status !== 2 || r.stderr.trim().split("\n").length !== 1)
    throw new Error(`sluice ${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return ms;
}

const rejected = [
  ["build", "--selct", "funnel"],
  ["build", "--threads", "abc"],
  ["query", "select 1", "--format", "yaml"],
  ["biuld"],
];

const node = medianOf(7, () => timeCommand(process.execPath, ["-e", ""]).ms);
const help = medianOf(7, () => timeCommand(process.execPath, [sluiceBin, "--help"]).ms);
const refused = rejected.map((args) => [args.join(" "), medianOf(7, () => timeRejected(args))]);
const slowestRefusal = Math.max(...refused.map(([, ms]) => ms));
const compileLocal = medianOf(5, () => timeCommand(process.execPath, [sluiceBin, "compile"]).ms);
const compileProd = medianOf(
  5,
  () => timeCommand(process.execPath, [sluiceBin, "compile", "--target", "prod"]).ms,
);
report("CLI start-up and compile (median ms)", {
  "node -e '' (baseline)": node,
  "sluice --help": help,
  "sluice --help / node baseline": help / node,
  ...Object.fromEntries(refused.map(([what, ms]) => [`refused: sluice ${what}`, ms])),
  "refused, median of the above": median(refused.map(([, ms]) => ms)),
  "refused, slowest / node baseline": slowestRefusal / node,
  "sluice compile (local)": compileLocal,
  "sluice compile --target prod": compileProd,
  "budget --help < 500 ms": help < 500 ? "ok" : "OVER",
  "budget refused < 300 ms": slowestRefusal < 300 ? "ok" : "OVER",
  "budget compile < 1000 ms": Math.max(compileLocal, compileProd) < 1000 ? "ok" : "OVER",
});
