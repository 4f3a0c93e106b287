// Runs every benchmark in this folder and prints their figures (see each script for its budget).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// test-cpu.mjs runs the whole e2e suite (~15 min): run it on its own.
const alone = ["lib.mjs", "run-all.mjs", "test-cpu.mjs"];
for (const f of readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && !alone.includes(f) && !f.endsWith("-fake.mjs"))
  .sort()) {
  const r = spawnSync(process.execPath, [path.join(here, f)], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}
