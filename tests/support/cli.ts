import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readSluiceRunResults } from "@sluice/runner";
import type { SluiceRunResults } from "@sluice/runner";
import { spawnTracked } from "./child-processes.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const modelsDir = path.join(repoRoot, "models");
const bin = path.join(repoRoot, "apps/cli/bin/sluice.js");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment every spawned CLI gets on top of the test's: no colour, and one Athena grammar
 * cache shared by the test runs (not the user's `~/.cache/sluice`), so each temp copy of the
 * models project does not pay the parsers' warm-up again.
 */
export const cliEnv: Record<string, string> = {
  NO_COLOR: "1",
  SLUICE_CACHE_DIR: process.env["SLUICE_CACHE_DIR"] ?? path.join(os.tmpdir(), "sluice-test-cache"),
};

/**
 * Spawn the built CLI (`apps/cli/dist`), as a user would run it. The child is killed when the
 * test that spawned it ends (also by a timeout), or the file ends ({@link spawnTracked}).
 */
export function runSluice(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...cliEnv, ...options.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A temp copy of the models project (without its lake and target dirs). Returns its path. */
export async function copyModelsProject(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "sluice-e2e-"));
  const dir = path.join(root, "models");
  await cp(modelsDir, dir, {
    recursive: true,
    filter: (src) =>
      !/[\\/](\.lake|target)([\\/]|$)/.test(path.relative(modelsDir, src)) &&
      !/^(\.lake|target)$/.test(path.relative(modelsDir, src)),
  });
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** One event of `--log-format json` output (see apps/cli/src/output/log-events.ts). */
export interface LogEvent {
  ts: string;
  event: string;
  node_id?: string;
  message?: string;
  status?: string;
}

/** The events of a `--log-format json` run's stdout, one JSON object per line. */
export const jsonLog = (stdout: string): LogEvent[] =>
  stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as LogEvent);

/** Node id → the message its `node_finish` event carried (`created table 4 rows`, ...). */
export const finishMessages = (stdout: string): Map<string, string | undefined> =>
  new Map(
    jsonLog(stdout)
      .filter((e) => e.event === "node_finish" && e.node_id !== undefined)
      .map((e) => [e.node_id!, e.message]),
  );

/**
 * A project's `target/run_results.json` (dbt's v6 shape) as sluice reads it back: each result
 * with its sluice id and fields in snake_case, as `--format json` prints them.
 */
export async function readRunResults(dir: string): Promise<SluiceRunResults> {
  const text = await readFile(path.join(dir, "target/run_results.json"), "utf8");
  return readSluiceRunResults(JSON.parse(text));
}
