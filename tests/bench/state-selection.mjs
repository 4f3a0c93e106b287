// `state:modified` selection at scale (issue #17): on a synthetic project of 10,000 models (or
// the size passed), compile once and keep its manifest as the state, change one model's SQL, then
// time `ls --select state:modified+ --state DIR` against `ls --select m_<last>+` (the same warm
// load and compile, a plain selector). The difference is what the state costs: reading the
// state's manifest, the project's checksums and the comparison. Budget: under 0.5 s at 10k.
// With no cache, a selection parses the state's manifest and hashes every node, then keeps both
// in target/ (state_manifest.json, state_checksums.json; compile keeps the checksums too); the
// warm figures read those. Runs
// alternate plain and state (ls replays only its last output). Medians of 3 through the CLI; on
// a shared machine wall time grows with the other load (CPU time much less).
//
//   node tests/bench/state-selection.mjs [10000]
import { appendFileSync, cpSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { median, report, timedSluice as sluice } from "./lib.mjs";
import { modelName, writeAgedSyntheticProject } from "./synthetic-project.mjs";

const n = Number(process.argv[2] ?? 10_000);

/** Median wall and CPU ms of timed runs. */
const medianOf = (all) => ({
  ms: median(all.map((r) => r.ms)),
  cpuMs: median(all.map((r) => r.cpuMs)),
});

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
  const plainLs = () => sluice(root, ["ls", "--format", "name", "--select", `${last}+`]);
  const stateLs = () =>
    sluice(root, ["ls", "--format", "name", "--select", "state:modified+", "--state", state]);
  // With no cache: parses the state's manifest and hashes every node (then kept in target/).
  const caches = ["state_manifest.json", "state_checksums.json"];
  const uncache = () =>
    caches.forEach((f) => rmSync(path.join(root, "target", f), { force: true }));
  uncache();
  const cold = stateLs();
  // After a compile (which keeps the project's checksums): parses the state's manifest only.
  rmSync(path.join(root, "target", "state_manifest.json"));
  plainLs(); // else the next ls replays the last one's output
  const first = stateLs();
  // Alternated, so that neither replays the other's output (ls keeps one replay).
  const runs = Array.from({ length: 3 }, () => [plainLs(), stateLs()]);
  const plain = medianOf(runs.map(([p]) => p));
  const withState = medianOf(runs.map(([, w]) => w));
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
    "state manifest MB": statSync(path.join(state, "manifest.json")).size / 1e6,
    "ls --select model+ ms (warm)": plain.ms,
    "ls --select state:modified+ --state ms (warm)": withState.ms,
    "state selection cost ms (difference)": withState.ms - plain.ms,
    "state selection cost CPU ms (difference)": withState.cpuMs - plain.cpuMs,
    "state selection cost CPU ms, no cache": cold.cpuMs - plain.cpuMs,
    "... state manifest not yet cached": first.cpuMs - plain.cpuMs,
    "load average (1 min)": os.loadavg()[0],
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
