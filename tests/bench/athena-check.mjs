// The Athena grammar check's cost on a fresh copy of the models project (a new clone, a CI
// checkout, each end-to-end test's temp copy): with an empty grammar cache (what every fresh
// copy paid while results were kept per project in target/), with the user cache another copy
// filled (SLUICE_CACHE_DIR, shared by projects), and without the check (--no-athena-check).
// Wall and CPU (user + system) milliseconds, medians of 3; CPU needs /usr/bin/time.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateRaw, median, report, repoRoot, sluiceBin, tempProject } from "./lib.mjs";

const haveTime = existsSync("/usr/bin/time");

/** Wall and CPU ms of one sluice command on a fresh project copy, with `cache` as its cache dir. */
function fresh(args, cache, { data = false } = {}) {
  const project = tempProject();
  try {
    if (data) generateRaw(project.dir, 500);
    const cmd = [process.execPath, sluiceBin, "--project-dir", project.dir, ...args];
    const t0 = performance.now();
    const r = haveTime
      ? spawnSync("/usr/bin/time", ["-f", "cpu %U %S", ...cmd], {
          encoding: "utf8",
          cwd: repoRoot,
          env: { ...process.env, SLUICE_CACHE_DIR: cache },
        })
      : spawnSync(cmd[0], cmd.slice(1), {
          encoding: "utf8",
          cwd: repoRoot,
          env: { ...process.env, SLUICE_CACHE_DIR: cache },
        });
    const wall = performance.now() - t0;
    if (r.status !== 0) throw new Error(`sluice ${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
    const [, user, sys] = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr) ?? [];
    return { wall, cpu: user === undefined ? NaN : (Number(user) + Number(sys)) * 1000 };
  } finally {
    project.cleanup();
  }
}

/** Medians of 3 fresh copies; `cold`: each with an empty cache folder. */
function scenario(args, { cold, data }) {
  const warm = mkdtempSync(path.join(os.tmpdir(), "sluice-bench-cache-"));
  if (!cold) fresh(args, warm, { data }); // fill it, as an earlier copy or clone would have
  const runs = Array.from({ length: 3 }, () => {
    const cache = cold ? mkdtempSync(path.join(os.tmpdir(), "sluice-bench-cache-")) : warm;
    try {
      return fresh(args, cache, { data });
    } finally {
      if (cold) rmSync(cache, { recursive: true, force: true });
    }
  });
  rmSync(warm, { recursive: true, force: true });
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
}

const figures = {};
for (const [name, args, data] of [
  ["compile --target prod", ["compile", "--target", "prod"], false],
  ["build (local, 500 events)", ["build"], true],
]) {
  const cold = scenario(args, { cold: true, data });
  const warm = scenario(args, { cold: false, data });
  const off = scenario([...args, "--no-athena-check"], { cold: true, data });
  Object.assign(figures, {
    [`${name}: empty cache, wall`]: cold.wall,
    [`${name}: empty cache, cpu`]: cold.cpu,
    [`${name}: shared cache, wall`]: warm.wall,
    [`${name}: shared cache, cpu`]: warm.cpu,
    [`${name}: --no-athena-check, wall`]: off.wall,
    [`${name}: --no-athena-check, cpu`]: off.cpu,
    [`${name}: check cost saved (cpu ms)`]: cold.cpu - warm.cpu,
  });
}
report("Athena grammar check on a fresh project copy (median ms)", figures);
