// Runs every benchmark in this folder and prints their figures (see each script for its budget).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
for (const f of readdirSync(here)
  .filter(
    (f) =>
      f.endsWith(".mjs") && !["lib.mjs", "run-all.mjs"].includes(f) && !f.endsWith("-fake.mjs"),
  )
  .sort()) {
  const r = spawnSync(process.execPath, [path.join(here, f)], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}
