import { runCli } from "@sluice/cli";
import type { CliRun } from "./cli.js";

/**
 * One `sluice` command run in this process through the CLI's own `runCli` (the argument parsing,
 * commands and output the built CLI runs), answered as {@link ./cli.js runSluice} answers: exit
 * code, stdout and stderr (each line followed by a newline, as main.ts writes them), no colour.
 * For files that test what a command selects or prints many times over (a CLI start-up is ~0.5
 * CPU-s); what belongs to the process (bin/sluice.js's replay gate, signals, exit codes set by
 * main.ts, environment variables) is tested by spawning the built CLI.
 *
 * @example
 * const ls = await runSluiceInProcess(["--project-dir", dir, "ls", "--format", "name"]);
 * expect(ls.code).toBe(0);
 */
export async function runSluiceInProcess(args: readonly string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    out: (text) => (stdout += `${text}\n`),
    err: (text) => (stderr += `${text}\n`),
    isTty: false,
    color: { out: false, err: false },
  });
  return { code, stdout, stderr };
}
