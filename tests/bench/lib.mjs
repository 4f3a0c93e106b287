// Shared helpers for the benchmark scripts: time a command several times, report the median.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The CLI the benches run: this checkout's, or SLUICE_BENCH_BIN (a copy of a build, e.g.). */
export const sluiceBin =
  process.env["SLUICE_BENCH_BIN"] ?? path.join(repoRoot, "apps/cli/bin/sluice.js");

/** Run a command, fail loudly on a non-zero exit, return wall milliseconds. */
export function timeCommand(cmd, args, options = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: repoRoot, ...options });
  const ms = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time of `runs` runs. */
export function medianOf(runs, fn) {
  return median(Array.from({ length: runs }, fn));
}

/** A temp copy of models/ without lake and target; remove it with `cleanup()`. */
export function tempProject() {
  const root = mkdtempSync(path.join(os.tmpdir(), "sluice-bench-"));
  const dir = path.join(root, "models");
  cpSync(path.join(repoRoot, "models"), dir, {
    recursive: true,
    filter: (src) => !/[\\/](\.lake|target)([\\/]|$)/.test(src.slice(repoRoot.length)),
  });
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** `sluice generate`: `events` events over 24 hours from 2026-11-27 into the project's lake. */
export function generateRaw(dir, events, seed = 42) {
  timeCommand(process.execPath, [
    ...[sluiceBin, "--project-dir", dir, "generate", "--events", String(events)],
    ...["--start", "2026-11-27T00:00:00Z", "--hours", "24", "--seed", String(seed)],
    ...["--sink", "local"],
  ]);
}

export function report(name, figures) {
  console.log(`\n## ${name}`);
  for (const [k, v] of Object.entries(figures))
    console.log(`${k.padEnd(40)} ${typeof v === "number" ? v.toFixed(v < 10 ? 3 : 0) : v}`);
}

const threadCpu = path.join(repoRoot, "tests/bench/thread-cpu.mjs");

/**
 * Wall ms, CPU ms (user + system), main-thread CPU ms (`mainCpuMs`, {@link threadCpu}'s figure;
 * 10 ms ticks), peak RSS (MB, from GNU time) and stdout of one sluice command in `dir`; `bin`:
 * another build's bin/sluice.js (default: this checkout's).
 */
export function timedSluice(dir, args, bin = sluiceBin) {
  const t0 = performance.now();
  const node = [process.execPath, "--import", threadCpu, bin, ...args];
  const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", ...node], {
    cwd: dir,
    encoding: "utf8",
    // `ls` of a 10,000-model project prints more than spawnSync's default 1 MB buffer.
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`sluice ${args.join(" ")} exited ${r.status}\n${r.stderr}`);
  const [rssKb, user, sys] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  const mainCpuMs = Number(/^SLUICE_MAIN_CPU_MS (\d+)$/m.exec(r.stderr)?.[1] ?? NaN);
  return { ms, cpuMs: (user + sys) * 1000, mainCpuMs, rssMb: rssKb / 1024, stdout: r.stdout };
}

/** Median wall, CPU and main-thread CPU ms of `runs` runs of `fn` ({@link timedSluice} results). */
export function medianRun(runs, fn) {
  const all = Array.from({ length: runs }, fn);
  const mid = (key) => median(all.map((r) => r[key]));
  return { ms: mid("ms"), cpuMs: mid("cpuMs"), mainCpuMs: mid("mainCpuMs") };
}
