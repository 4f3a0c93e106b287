// Compile at scale (issue #14): synthetic projects of 1k, 10k and 50k models (or the sizes
// passed), measured through the CLI as users run it.
//
//   node tests/bench/compile-scale.mjs [1000 10000 50000]
//
// For each size: cold compile (no target/), no-change compile, compile after one model's SQL
// changed, `ls --select` with graph operators (the first after the compile, and warm: replayed),
// a one-model build after a build and after a compile, the compile after that build, and the
// cold compile's peak RSS; and a build of a model not built before. Budgets at
// 10k on a quiet 2-core machine: cold < 1.5 s, no change < 0.2 s, one change < 0.3 s, ls < 0.3 s,
// peak RSS < 600 MB; and time linear in size (ms per model printed for each size, and its ratio
// to the smallest size's, for the cold compile and for each warm figure by wall and CPU time).
// Each row also gives the CPU seconds (user + system) of the command: on a shared machine wall
// time grows with the other load, CPU time much less; the load average is printed per size.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { medianRun, report, timedSluice as sluice } from "./lib.mjs";
import { modelName, writeAgedSyntheticProject } from "./synthetic-project.mjs";

/** The medians of runs already made (see `medianRun`). */
const medianOf = (runs) => medianRun(runs.length, (_, i) => runs[i]);

/** One raw hour of one event, where the synthetic project's source reads it. */
function writeRawHour(root) {
  const hour = path.join(root, ".lake/raw/events/2026/12/01/00");
  mkdirSync(hour, { recursive: true });
  writeFileSync(
    path.join(hour, "sluice-events-1-2026-12-01-00-00-00-bench.gz"),
    gzipSync('{"event_id":"e1"}\n'),
  );
}

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(1000, 10000, 50000);

/** Per size: each figure's ms per model, for the linearity ratios. */
const perModel = [];
for (const n of sizes) {
  const root = mkdtempSync(path.join(os.tmpdir(), "sluice-scale-"));
  try {
    writeAgedSyntheticProject(n, root);
    const cold = sluice(root, ["compile"]);
    const noChange = medianRun(3, () => sluice(root, ["compile"]));
    const changed = path.join(
      root,
      "models/marts",
      `f${String(Math.floor((n - 1) / 100)).padStart(4, "0")}`,
      `${modelName(n - 1)}.sql`,
    );
    let edits = 0;
    const oneChange = medianRun(3, () => {
      appendFileSync(changed, `-- edit ${edits++}\n`);
      return sluice(root, ["compile"]);
    });
    // The first ls after a compile loads the cached compile; the same ls again replays its output.
    const lsArgs = ["ls", "--select", `+${modelName(n - 1)}`];
    const lsFirst = sluice(root, lsArgs);
    const ls = medianRun(3, () => sluice(root, lsArgs));
    // A build of one model, as a developer runs it: the lake gets one raw hour and the source's
    // view once, then `build -s m_0` after a build, after a compile, and a compile after it (each
    // rewrote the manifest and the packed artifacts of the other before stop 45).
    writeRawHour(root);
    sluice(root, ["build", "--select", `+${modelName(0)}`]);
    const buildArgs = ["build", "--select", modelName(0)];
    const buildAgain = medianRun(3, () => sluice(root, buildArgs));
    const alternating = [];
    for (let i = 0; i < 3; i++)
      alternating.push([sluice(root, buildArgs), sluice(root, ["compile"])]);
    const buildAfterCompile = medianOf(alternating.slice(1).map(([build]) => build));
    const compileAfterBuild = medianOf(alternating.map(([, compile]) => compile));
    // Each a selection not built before: the Athena check compiles what it reads, not all.
    const buildOther = medianOf(
      [1, 2, 3].map((i) => sluice(root, ["build", "--select", modelName(i)])),
    );
    perModel.push([
      n,
      {
        cold: cold.ms / n,
        "no-change": noChange.ms / n,
        "no-change CPU": noChange.cpuMs / n,
        "one change": oneChange.ms / n,
        "one change CPU": oneChange.cpuMs / n,
        "ls warm": ls.ms / n,
        "ls warm CPU": ls.cpuMs / n,
      },
    ]);
    report(`compile, ${n.toLocaleString("en-US")} models`, {
      "load average (1 min) at the end": os.loadavg()[0],
      "cold compile ms": cold.ms,
      "cold compile CPU ms": cold.cpuMs,
      "cold compile main-thread CPU ms": cold.mainCpuMs,
      "no-change compile ms": noChange.ms,
      "no-change compile CPU ms": noChange.cpuMs,
      "no-change compile main-thread CPU ms": noChange.mainCpuMs,
      "one model changed compile ms": oneChange.ms,
      "one model changed compile CPU ms": oneChange.cpuMs,
      "one model changed compile main-thread CPU ms": oneChange.mainCpuMs,
      "ls --select +model ms (first, loads the compile)": lsFirst.ms,
      "ls --select +model CPU ms (first, loads the compile)": lsFirst.cpuMs,
      "ls --select +model ms (warm, replayed)": ls.ms,
      "ls --select +model CPU ms (warm, replayed)": ls.cpuMs,
      "build -s one model ms (after a build)": buildAgain.ms,
      "build -s one model CPU ms (after a build)": buildAgain.cpuMs,
      "build -s one model ms (after a compile)": buildAfterCompile.ms,
      "build -s one model CPU ms (after a compile)": buildAfterCompile.cpuMs,
      "build -s another model ms (a selection not built before)": buildOther.ms,
      "build -s another model CPU ms (a selection not built before)": buildOther.cpuMs,
      "compile ms (after that build)": compileAfterBuild.ms,
      "compile CPU ms (after that build)": compileAfterBuild.cpuMs,
      "cold peak RSS MB": cold.rssMb,
      "cold ms per model": cold.ms / n,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
if (perModel.length > 1) {
  const [n0, base] = perModel[0];
  for (const figure of Object.keys(base))
    report(
      `linearity, ${figure} (ms per model / ms per model at ${n0.toLocaleString("en-US")}; 1 is linear)`,
      Object.fromEntries(perModel.map(([n, v]) => [`${n} models`, v[figure] / base[figure]])),
    );
}
