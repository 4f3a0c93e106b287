import { existsSync } from "node:fs";
import path from "node:path";
import yargs from "yargs";
import type { CommandSpec, GlobalArgs, Io } from "./command.js";
import { ExitCode } from "./command.js";
import { commands } from "./commands/index.js";
import { cliVersion } from "./version.js";

/** Default project dir: `./models` when it holds a sluice.yml, else the current directory. */
function defaultProjectDir(cwd: string): string {
  return existsSync(path.join(cwd, "models", "sluice.yml")) ? "models" : ".";
}

/**
 * An engine that cannot be opened for a reason the user must fix (the lake is busy, read-only
 * or full) is one line on stderr and exit 2; any other thrown error is a bug and rethrown.
 */
async function userErrorExit(error: unknown, io: Io): Promise<number> {
  const { EngineOpenError } = await import("@sluice/engines");
  if (!(error instanceof EngineOpenError)) throw error;
  io.err(`error: ${error.message}`);
  return ExitCode.usage;
}

/**
 * Parse argv and run one command. Returns the exit code; never calls process.exit (main.ts does).
 *
 * @example
 * const code = await runCli(["compile", "--target", "prod"], { out: console.log, err: console.error, isTty: false });
 */
export async function runCli(argv: readonly string[], io: Io, cwd = process.cwd()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let usageError: string | undefined;
  const parser = yargs([...argv])
    .scriptName("sluice")
    .usage("$0 [--project-dir DIR] [--target NAME] [--vars YAML] <command>")
    .option("project-dir", { type: "string", default: defaultProjectDir(cwd), describe: "Directory holding sluice.yml", global: true })
    .option("target", { alias: "t", type: "string", describe: "Target from sluice.yml (default: its default-target)", global: true })
    .option("vars", { type: "string", describe: "YAML mapping overriding project vars, e.g. '{start_date: 2026-11-01}'", global: true })
    .option("partial-parse", {
      type: "boolean",
      default: true,
      describe: "Reuse target/partial_parse.json while the project's files are unchanged (--no-partial-parse: compile from scratch)",
      global: true,
    })
    .strict()
    .demandCommand(1, "Name a command (see the list above).")
    .recommendCommands()
    .help()
    .alias("h", "help")
    .version(cliVersion())
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue("Exit codes: 0 ok, 1 a model or assertion failed, 2 bad usage, config or project.")
    .fail((msg, err) => {
      if (err) throw err;
      usageError = msg;
    });

  for (const spec of commands as CommandSpec<Record<string, unknown>>[]) {
    parser.command(
      spec.command,
      spec.describe,
      (y) => {
        for (const [name, p] of Object.entries(spec.positional ?? {})) y.positional(name, p);
        y.options(spec.options);
        for (const [example, what] of spec.examples ?? []) y.example(example, what);
        return y;
      },
      async (args) => {
        try {
          exitCode = await spec.handler(args as unknown as Record<string, unknown> & GlobalArgs, io);
        } catch (error) {
          exitCode = await userErrorExit(error, io);
        }
      },
    );
  }

  await parser.parseAsync();
  if (usageError !== undefined) {
    io.err(`${usageError}\nRun 'sluice --help' for usage.`);
    return ExitCode.usage;
  }
  return exitCode;
}
