// Budget: the whole main job (generate ~50,000 events for one day + sluice build) under 30 s.
// Baseline in the same run: generation alone, and a DuckDB-only round trip (query) on the lake.
import { report, sluiceBin, tempProject, timeCommand } from "./lib.mjs";

const { dir, cleanup } = tempProject();
try {
  const gen = timeCommand(process.execPath, [
    sluiceBin,
    "--project-dir",
    dir,
    "generate",
    "--events",
    "50000",
    "--start",
    "2026-11-27T00:00:00Z",
    "--hours",
    "24",
    "--seed",
    "42",
    "--sink",
    "local",
  ]);
  const build = timeCommand(process.execPath, [sluiceBin, "--project-dir", dir, "build"]);
  const rebuild = timeCommand(process.execPath, [sluiceBin, "--project-dir", dir, "build"]);
  const query = timeCommand(process.execPath, [
    sluiceBin,
    "--project-dir",
    dir,
    "query",
    "select count(*) from silver.events",
  ]);
  const summary = build.stdout.split("\n").find((l) => l.startsWith("Done in")) ?? "";
  report("Main job, 50,000 events (ms)", {
    "generate 50k events": gen.ms,
    "build (first, full)": build.ms,
    "main job total (generate + build)": gen.ms + build.ms,
    "build again (incremental, no new data)": rebuild.ms,
    "query round trip (baseline)": query.ms,
    "build summary": summary,
    "budget main job < 30 s": gen.ms + build.ms < 30_000 ? "ok" : "OVER",
  });
} finally {
  cleanup();
}
