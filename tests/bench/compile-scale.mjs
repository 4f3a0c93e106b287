// Compile at scale (issue #14): synthetic projects of 1k and 10k models (and more: pass sizes),
// measured through the CLI as users run it.
//
//   node tests/bench/compile-scale.mjs [1000 10000 50000]
//
// For each size: cold compile (no target/), no-change compile, compile after one model's SQL
// changed, `ls --select` with graph operators (warm), and the cold compile's peak RSS. Budgets at
// 10k on a quiet 2-core machine: cold < 1.5 s, no change < 0.2 s, one change < 0.3 s, ls < 0.3 s,
// peak RSS < 600 MB; and time linear in size (ms per model printed for each size).
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { medianOf, report, sluiceBin } from "./lib.mjs";
import { modelName, writeSyntheticProject } from "./synthetic-project.mjs";

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(1000, 10000);

/** Wall ms and peak RSS (MB, from GNU time) of one sluice command in `dir`. */
function sluice(dir, args) {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, sluiceBin, ...args], {
    cwd: dir,
    encoding: "utf8",
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`sluice ${args.join(" ")} exited ${r.status}\n${r.stderr}`);
  const rssKb = Number(r.stderr.trim().split("\n").at(-1));
  return { ms, rssMb: rssKb / 1024 };
}

const perModel = [];
for (const n of sizes) {
  const root = mkdtempSync(path.join(os.tmpdir(), "sluice-scale-"));
  try {
    writeSyntheticProject(n, root);
    const cold = sluice(root, ["compile"]);
    const noChange = medianOf(3, () => sluice(root, ["compile"]).ms);
    const changed = path.join(
      root,
      "models/marts",
      `f${String(Math.floor((n - 1) / 100)).padStart(4, "0")}`,
      `${modelName(n - 1)}.sql`,
    );
    let edits = 0;
    const oneChange = medianOf(3, () => {
      appendFileSync(changed, `-- edit ${edits++}\n`);
      return sluice(root, ["compile"]).ms;
    });
    const ls = medianOf(3, () => sluice(root, ["ls", "--select", `+${modelName(n - 1)}`]).ms);
    perModel.push([n, cold.ms / n]);
    report(`compile, ${n.toLocaleString("en-US")} models`, {
      "cold compile ms": cold.ms,
      "no-change compile ms": noChange,
      "one model changed compile ms": oneChange,
      "ls --select +model ms (warm)": ls,
      "cold peak RSS MB": cold.rssMb,
      "cold ms per model": cold.ms / n,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
if (perModel.length > 1) {
  const [n0, base] = perModel[0];
  report(
    "linearity (cold ms per model vs the smallest size)",
    Object.fromEntries(perModel.map(([n, v]) => [`${n} models`, v / base])),
  );
  void n0;
}
