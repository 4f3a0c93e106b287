// `state:modified` selection at scale (issue #17): on a synthetic project of 10,000 models (or
// the size passed), compile once and keep its manifest as the state, change one model's SQL, then
// time `ls --select state:modified+ --state DIR` against `ls --select m_<last>+` (the same warm
// load and compile, a plain selector). The difference is what the state costs: reading the
// state's manifest, the project's checksums and the comparison. Budget: under 0.5 s at 10k.
//
// Cases, each a median of BENCH_ROUNDS paired rounds through the CLI:
// - warm: the same state again (its nodes and the project's checksums kept in target/).
// - first time, with sidecar: a state folder never seen (as CI downloads production's artifacts
//   on every PR) holding manifest.json and the manifest.state.json compile/build write beside it;
//   this project's checksums come from its own compile's sidecar.
// - first time, manifest only (a sidecar not copied): the manifest's state index is read (its
//   tail, and a sha256 of the 60 MB before it); the project's checksums from the compile's sidecar.
// - first time, dbt-shaped manifest (no index, as dbt writes it): the 60 MB manifest is scanned.
// - cold CI (target/ empty, so this project's checksums are hashed): a new state folder with its
//   sidecar, as prod-artifacts/ is restored, and no sidecar of this project's (the compile of a
//   cold run is the same with or without the state: only what the state adds is measured).
// - nothing kept: manifest only, and this project's checksums computed (its sidecar removed).
// - CI recipe, run's state from another folder: as cold CI, but the state is what the README's CI
//   recipe restores into prod-artifacts/: the manifest and sidecar a `sluice run` (what `build`
//   writes them with) left in another copy of the project (production's checkout).
// - compile's state from another folder: as cold CI, the state made by `compile` in that copy.
// Runs alternate plain and state (ls replays only its last output), and each state ls is paired
// with the plain ls just before it: a case's cost is the median of its rounds' differences, so a
// drift of the machine between cases does not show as a cost (unpaired, two quiet runs differed
// by 700 ms). On a shared machine wall time grows with the other load (CPU time much less): both
// are printed as median (min..max) of the rounds, with the load average. BENCH_ROUNDS (default
// 7) rounds per case; BENCH_CASES="cold|another folder" runs only the cases naming a part.
//
// With SLUICE_BENCH_BASE=<another build's bin/sluice.js> (e.g. a copy of main's apps/cli bin and
// dist), both builds run, each on its own copy of the project, their pairs alternated round by
// round (which goes first too), and each case also prints `new - base`: the two builds' costs
// paired by round, so a change of 50-100 ms reads through the load of a shared machine.
//
//   SLUICE_BENCH_BASE=/tmp/base/bin/sluice.js node tests/bench/state-selection.mjs [10000]
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { median, report, sluiceBin, timedSluice } from "./lib.mjs";
import { modelName, writeAgedSyntheticProject } from "./synthetic-project.mjs";

const n = Number(process.argv[2] ?? 10_000);

/**
 * `file` (a manifest sluice wrote) without its state index (`selectors.sluice_state_index`, the
 * file's end: see libs/runner state-index.ts), as dbt would write it; unchanged when it has none.
 */
function withoutIndex(file) {
  const bytes = readFileSync(file);
  const tail = bytes.subarray(Math.max(0, bytes.length - (1 << 16))).toString("latin1");
  const m = /(?:,"ranges":\[[\d,]*\])?,"digest":"[0-9a-f]{64}","at":(\d+)\}\}\}\n$/.exec(tail);
  if (!m) return;
  const keyAt = Number(m[1]) - '"sluice_state_index":'.length;
  writeFileSync(file, Buffer.concat([bytes.subarray(0, keyAt), Buffer.from("}}\n")]));
}

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
/** BENCH_CASES: the cases to run, as parts of their names separated by `|` (default: all). */
const chosenCase = (name) =>
  (process.env.BENCH_CASES ?? "").split("|").some((part) => name.includes(part));

/** min/median/max of numbers, as text: `212 (180..260)`. */
const spread = (values) =>
  `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}..${Math.max(...values).toFixed(0)})`;

/**
 * The builds measured: this checkout's, and with SLUICE_BENCH_BASE (another build's
 * bin/sluice.js, e.g. a copy of main's) that one too, each on its own copy of the project (the
 * compile key holds the build: one project alternated between builds would recompile).
 */
const builds = [
  { name: "new", bin: sluiceBin },
  ...(process.env.SLUICE_BENCH_BASE ? [{ name: "base", bin: process.env.SLUICE_BENCH_BASE }] : []),
];

/** The state files `--state` reads, copied from `dir`'s target/ into `to`. */
const keepState = (dir, to) => {
  for (const f of ["manifest.json", "manifest.state.json"])
    cpSync(path.join(dir, "target", f), path.join(to, f));
  return to;
};

/**
 * The states production's checkout leaves (the README's CI recipe restores one into
 * prod-artifacts/): `root` copied to another folder, where a `run` of one staging model writes
 * the manifest and sidecar a run or build writes (the nodes compiled with the run's id, all of
 * them in the manifest), then a `compile` its own; each copied into `root`. The copy is removed.
 */
function productionStates(sluice, root) {
  const prod = `${root}-prod`;
  cpSync(root, prod, { recursive: true, preserveTimestamps: true });
  try {
    sluice(prod, ["generate", "--events", "10", "--start", "2026-11-27T00:00:00Z", "--hours", "1"]);
    sluice(prod, ["sources", "register"]);
    sluice(prod, ["run", "--select", modelName(0)]);
    const run = keepState(prod, path.join(root, "prod-run-state"));
    sluice(prod, ["compile"]);
    return { run, compile: keepState(prod, path.join(root, "prod-compile-state")) };
  } finally {
    rmSync(prod, { recursive: true, force: true });
  }
}

/** One build's project: compiled, its manifest kept as the state, then one model edited. */
function setUp(build, root) {
  const sluice = (dir, args) => timedSluice(dir, args, build.bin);
  const production = productionStates(sluice, root);
  sluice(root, ["compile"]);
  const state = keepState(root, path.join(root, "state"));
  const last = modelName(n - 1);
  const changed = path.join(
    root,
    "models/marts",
    `f${String(Math.floor((n - 1) / 100)).padStart(4, "0")}`,
    `${last}.sql`,
  );
  appendFileSync(changed, "\nunion all select * from (select 1) where false\n");
  // Dated a minute back: a file changed within 2 s of a compile is racy, and a racy compile keeps
  // no partial_parse.json, so its sidecar would name no compile and the "first time, with
  // sidecar" case would hash the whole project (as the cold case does) instead of reading it.
  const aMinuteAgo = new Date(Date.now() - 60_000);
  utimesSync(changed, aMinuteAgo, aMinuteAgo);
  sluice(root, ["compile"]); // warm the compile memo for the edited project
  const plainLs = () => sluice(root, ["ls", "--format", "name", "--select", `${last}+`]);
  /** ls with the state, checked to select exactly the changed model (whatever it read). */
  const stateLs = (dir) => {
    const run = sluice(root, [
      "ls",
      "--format",
      "name",
      "--select",
      "state:modified+",
      "--state",
      dir,
    ]);
    const selected = run.stdout.split("\n").filter((l) => l.startsWith("model."));
    if (selected.length !== 1 || selected[0] !== `model.${last}`)
      throw new Error(
        `${build.name}: state:modified+ selected ${selected.length} models: ${selected.slice(0, 5)}`,
      );
    return run;
  };
  const caches = ["state_manifest.json", "state_checksums.json"];
  const uncache = () =>
    caches.forEach((f) => rmSync(path.join(root, "target", f), { force: true }));
  let copies = 0;
  /** A state folder never seen: a new copy of the state (with or without its sidecar). */
  const newState = (sidecar, from = state) => {
    const dir = path.join(root, `state-copy-${copies++}`);
    mkdirSync(dir);
    for (const f of ["manifest.json", ...(sidecar ? ["manifest.state.json"] : [])])
      cpSync(path.join(from, f), path.join(dir, f));
    if (sidecar === "dbt") {
      rmSync(path.join(dir, "manifest.state.json"));
      withoutIndex(path.join(dir, "manifest.json"));
    }
    return dir;
  };
  const firstLs = (sidecar, projectSidecar = true, from = state) => {
    uncache();
    const sidecarFile = path.join(root, "target/manifest.state.json");
    const kept = path.join(root, "kept.state.json");
    if (!projectSidecar) renameSync(sidecarFile, kept);
    // The pair's baseline; also, else the next ls would replay the last one's output.
    const plain = plainLs();
    const run = stateLs(newState(sidecar, from));
    if (!projectSidecar) renameSync(kept, sidecarFile);
    return [plain, run];
  };
  return {
    state,
    cases: {
      "first time, with sidecar": () => firstLs(true),
      "first time, manifest only": () => firstLs(false),
      "first time, dbt-shaped manifest (scanned)": () => firstLs("dbt"),
      "cold CI (sidecar, project hashed)": () => firstLs(true, false),
      "nothing kept": () => firstLs(false, false),
      "CI recipe: run's state from another folder": () => firstLs(true, false, production.run),
      "compile's state from another folder": () => firstLs(true, false, production.compile),
      // Alternated, so that neither replays the other's output (ls keeps one replay).
      warm: () => [plainLs(), stateLs(state)],
    },
    /** Before the warm case's rounds: its caches filled. */
    warmUp: () => {
      plainLs();
      stateLs(state);
    },
  };
}

const root = mkdtempSync(path.join(os.tmpdir(), "sluice-state-bench-"));
try {
  const first = path.join(root, builds[0].name);
  writeAgedSyntheticProject(n, first);
  for (const b of builds.slice(1))
    cpSync(first, path.join(root, b.name), { recursive: true, preserveTimestamps: true });
  const runs = builds.map((b) => ({ ...b, ...setUp(b, path.join(root, b.name)) }));
  const figures = {
    "state manifest MB": statSync(path.join(runs[0].state, "manifest.json")).size / 1e6,
    "sidecar MB": statSync(path.join(runs[0].state, "manifest.state.json")).size / 1e6,
    "load average (1 min) at start": os.loadavg()[0],
  };
  for (const name of Object.keys(runs[0].cases).filter(chosenCase)) {
    if (name === "warm") runs.forEach((r) => r.warmUp());
    // Each round runs every build's pair, the builds' order alternated from round to round:
    // a drift of the machine shows in both builds' figures, not as their difference.
    const pairs = runs.map(() => []);
    for (let round = 0; round < rounds; round++)
      for (let k = 0; k < runs.length; k++) {
        const i = round % 2 === 0 ? k : runs.length - 1 - k;
        pairs[i].push(runs[i].cases[name]());
      }
    const costs = pairs.map((p) => ({
      wall: p.map(([plain, state]) => state.ms - plain.ms),
      cpu: p.map(([plain, state]) => state.cpuMs - plain.cpuMs),
      plainWall: p.map(([plain]) => plain.ms),
      plainCpu: p.map(([plain]) => plain.cpuMs),
    }));
    runs.forEach((r, i) => {
      const c = costs[i];
      figures[`${name} [${r.name}]: state cost wall ms`] = spread(c.wall);
      figures[`${name} [${r.name}]: state cost CPU ms`] = spread(c.cpu);
      figures[`${name} [${r.name}]: plain ls wall / CPU ms`] =
        `${median(c.plainWall).toFixed(0)} / ${median(c.plainCpu).toFixed(0)}`;
    });
    if (runs.length === 2) {
      // The builds' costs paired by round (run next to each other): what the change moved.
      const diff = (key) => costs[0][key].map((v, k) => v - costs[1][key][k]);
      figures[`${name}: new - base cost, wall ms`] = spread(diff("wall"));
      figures[`${name}: new - base cost, CPU ms`] = spread(diff("cpu"));
    }
    figures[`${name}: load average (1 min)`] = os.loadavg()[0];
  }
  report(
    `state:modified selection, ${n.toLocaleString("en-US")} models, ${rounds} rounds, median (min..max)`,
    figures,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
