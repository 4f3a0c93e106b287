// Where the e2e suite's CPU goes: CI's wall time is about its CPU over the machine's 2 cores
// (`npm test` keeps both busy), so the files that cost the most CPU are the ones to make cheaper.
// Runs the tests project once (vitest, as `npm test` does, after `npx nx run-many -t build`) with
// SLUICE_TEST_CPU_LOG set (tests/support/cpu-census.setup.ts), then prints each file's wall and
// CPU seconds: the worker's own (in-process work, vite) and its children's (the CLIs, athena-local
// endpoints and browsers it spawned), the totals, and the share of the 10 costliest files.
//
//   node tests/bench/test-cpu.mjs [top=25] [vitest filter...]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "./lib.mjs";

const top = Number(process.argv[2] ?? 25);
const filters = process.argv.slice(3);
const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-test-cpu-"));
const log = path.join(dir, "files.tsv");
const run = spawnSync(
  "/usr/bin/time",
  ["-f", "%e %U %S", "npx", "vitest", "run", "--reporter=dot", ...filters],
  {
    cwd: path.join(repoRoot, "tests"),
    env: { ...process.env, SLUICE_TEST_CPU_LOG: log },
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
  },
);
const [wall, user, sys] = run.stderr.trim().split("\n").pop().split(" ").map(Number);
const rows = readFileSync(log, "utf8")
  .trim()
  .split("\n")
  .map((line) => {
    const [w, self, children, file] = line.split("\t");
    return { file, wall: Number(w), self: Number(self), children: Number(children) };
  })
  .map((r) => ({ ...r, cpu: r.self + r.children }))
  .sort((a, b) => b.cpu - a.cpu);
rmSync(dir, { recursive: true, force: true });

const sum = (key, rs = rows) => rs.reduce((s, r) => s + r[key], 0);
console.log(
  `${"CPU s".padStart(7)} ${"self".padStart(6)} ${"child".padStart(6)} ${"wall".padStart(6)}  file`,
);
for (const r of rows.slice(0, top))
  console.log(
    `${r.cpu.toFixed(1).padStart(7)} ${r.self.toFixed(1).padStart(6)} ${r.children.toFixed(1).padStart(6)} ${r.wall.toFixed(1).padStart(6)}  ${r.file}`,
  );
const total = sum("cpu");
console.log(`\n## tests project CPU (vitest exit ${run.status})`);
console.log(`files                                    ${rows.length}`);
console.log(`wall s                                   ${wall.toFixed(1)}`);
console.log(
  `CPU s (user + sys of the whole run)      ${(user + sys).toFixed(1)} (sys ${sys.toFixed(1)})`,
);
console.log(`cores busy on average                    ${((user + sys) / wall).toFixed(2)}`);
console.log(
  `CPU s in the files: workers | children   ${sum("self").toFixed(1)} | ${sum("children").toFixed(1)}`,
);
console.log(
  `share of the 10 costliest files          ${((100 * sum("cpu", rows.slice(0, 10))) / total).toFixed(0)}%`,
);
