// `state:modified` selection at scale (issue #17): on a synthetic project of 10,000 models (or
// the size passed), compile once and keep its manifest as the state, change one model's SQL, then
// time `ls --select state:modified+ --state DIR` against `ls --select m_<last>+` (the same warm
// load and compile, a plain selector). The difference is what the state costs: reading the
// state's manifest, the project's checksums and the comparison. Budget: under 0.5 s at 10k.
// Measured through the CLI, medians of 3; on a shared machine wall time grows with the other
// load (CPU time much less).
//
//   node tests/bench/state-selection.mjs [10000]
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { medianRun, report, timedSluice as sluice } from "./lib.mjs";
import { modelName, writeAgedSyntheticProject } from "./synthetic-project.mjs";

const n = Number(process.argv[2] ?? 10_000);

const root = mkdtempSync(path.join(os.tmpdir(), "sluice-state-bench-"));
try {
  writeAgedSyntheticProject(n, root);
  sluice(root, ["compile"]);
  const state = path.join(root, "state");
  cpSync(path.join(root, "target/manifest.json"), path.join(state, "manifest.json"));
  const last = modelName(n - 1);
  const changed = path.join(
    root,
    "models/marts",
    `f${String(Math.floor((n - 1) / 100)).padStart(4, "0")}`,
    `${last}.sql`,
  );
  appendFileSync(changed, "\nunion all select * from (select 1) where false\n");
  sluice(root, ["compile"]); // warm the compile memo for the edited project
  const plain = medianRun(3, () =>
    sluice(root, ["ls", "--format", "name", "--select", `${last}+`]),
  );
  const withState = medianRun(3, () =>
    sluice(root, ["ls", "--format", "name", "--select", "state:modified+", "--state", state]),
  );
  const selected = sluice(root, [
    "ls",
    "--format",
    "name",
    "--select",
    "state:modified+",
    "--state",
    state,
  ])
    .stdout.split("\n")
    .filter((l) => l.startsWith("model."));
  if (selected.length !== 1 || selected[0] !== `model.${last}`)
    throw new Error(`state:modified+ selected ${selected.length} models: ${selected.slice(0, 5)}`);
  report(`state:modified selection, ${n.toLocaleString("en-US")} models`, {
    "ls --select model+ ms (warm)": plain.ms,
    "ls --select state:modified+ --state ms (warm)": withState.ms,
    "state selection cost ms (difference)": withState.ms - plain.ms,
    "state selection cost CPU ms (difference)": withState.cpuMs - plain.cpuMs,
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
