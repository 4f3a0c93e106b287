// Warm compiles of two sluice builds, paired in one run (issue #14): the figures of a change
// as ratios against the build before it, measured at the same time on the same machine.
//
//   node tests/bench/compile-warm-pair.mjs <baseline bin/sluice.js> [models=10000] [rounds=5]
//     [new bin/sluice.js=this checkout's]
//
// The baseline is another build's apps/cli/bin/sluice.js (e.g. a copy of apps/cli's bin/ and
// dist/ built from main, beside a node_modules link). Each build compiles its own copy of one
// synthetic project (their caches would evict each other's). Per round, alternating which build
// goes first: a compile after one model's SQL changed, a no-change compile, and a warm
// `ls --select` with a graph operator. The edited file is aged past the racy window (see below). Prints medians of wall and CPU ms (user + system), the
// new/baseline ratios, and the load average, which on a shared machine moves wall times most.
import { appendFileSync, cpSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { median, report, sluiceBin, timedSluice } from "./lib.mjs";
import { modelName, writeAgedSyntheticProject } from "./synthetic-project.mjs";

const [baseline, models = "10000", rounds = "5", newBin = sluiceBin] = process.argv.slice(2);
if (!baseline)
  throw new Error("usage: compile-warm-pair.mjs <baseline bin/sluice.js> [models] [rounds]");
const n = Number(models);
const root = mkdtempSync(path.join(os.tmpdir(), "sluice-pair-"));
try {
  writeAgedSyntheticProject(n, path.join(root, "baseline"));
  cpSync(path.join(root, "baseline"), path.join(root, "new"), {
    recursive: true,
    preserveTimestamps: true,
  });
  // A copy of this checkout's build keeps a rebuild during the run from changing it.
  const builds = { baseline, new: newBin };
  const figures = {};
  const edited = (dir) =>
    path.join(
      dir,
      "models/marts",
      `f${String(Math.floor((n - 1) / 100)).padStart(4, "0")}`,
      `${modelName(n - 1)}.sql`,
    );
  const lsArgs = ["ls", "--select", `+${modelName(n - 1)}`];
  for (const [name, bin] of Object.entries(builds)) {
    timedSluice(path.join(root, name), ["compile"], bin);
    timedSluice(path.join(root, name), lsArgs, bin);
  }
  for (let round = 0; round < Number(rounds); round++) {
    const order = round % 2 === 0 ? Object.entries(builds) : Object.entries(builds).reverse();
    for (const [name, bin] of order) {
      const dir = path.join(root, name);
      appendFileSync(edited(dir), `-- edit ${round}\n`);
      // Aged past the partial-parse cache's racy window (2 s), so the compile after it caches.
      const aged = Date.now() / 1000 - 60 + round;
      utimesSync(edited(dir), aged, aged);
      const record = (figure, r) => {
        (figures[`${name} ${figure} ms`] ??= []).push(r.ms);
        (figures[`${name} ${figure} CPU ms`] ??= []).push(r.cpuMs);
      };
      record("one change", timedSluice(dir, ["compile"], bin));
      record("no change", timedSluice(dir, ["compile"], bin));
      timedSluice(dir, lsArgs, bin);
      record("ls warm", timedSluice(dir, lsArgs, bin));
    }
  }
  const medians = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, median(v)]));
  const ratios = {};
  for (const key of Object.keys(medians))
    if (key.startsWith("new "))
      ratios[`${key.slice(4)} new/baseline`] = medians[key] / medians[`baseline ${key.slice(4)}`];
  report(`warm compile pair, ${n.toLocaleString("en-US")} models, ${rounds} rounds`, {
    "load average (1 min) at the end": os.loadavg()[0],
    ...medians,
    ...ratios,
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
