import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import yargs from "yargs";
import type { Options } from "yargs";
import { UsageError, usageLine, withValueChecks } from "./arguments.js";
import type { CommandSpec, GlobalArgs, Io } from "./command.js";
import { ExitCode } from "./command.js";
import { commands, loadNamedCommands } from "./commands/index.js";
import { cliVersion } from "./version.js";

/** Default project dir: `./models` when it holds a sluice.yml, else the current directory. */
function defaultProjectDir(cwd: string): string {
  return existsSync(path.join(cwd, "models", "sluice.yml")) ? "models" : ".";
}

const NO_COMMAND = "no command";

/**
 * A thrown error, as the user sees it. An engine that cannot be opened for a reason the user
 * must fix (the lake is busy, read-only or full) is one line and exit 2; an AWS service's refusal
 * (an SDK service exception: access denied, a missing bucket...) is one line naming the error
 * and exit 1, as is a statement the engine failed outside any node (creating a schema); a
 * damaged compile cache is removed and named (exit 1: the command stopped, the next one compiles
 * afresh); a file system's refusal of a file sluice writes (a full disk, permissions, too many
 * open files) is one line saying what to do (exit 1), as is a compile memo segment another
 * command replaced while this one read it; anything else is a bug in sluice: one line and
 * exit 1, the stack only with --debug.
 */
async function errorExit(error: unknown, io: Io, debug: boolean): Promise<number> {
  const { EngineOpenError, QueryError } = await import("@sluice/engines");
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof EngineOpenError) {
    io.err(`error: ${message}`);
    return ExitCode.usage;
  }
  const { DamagedCacheError } = await import("./context-text.js");
  if (error instanceof DamagedCacheError) {
    // Removed, so that the next command compiles afresh (and writes it again).
    let removed = error.file !== undefined;
    try {
      if (removed) rmSync(error.file!, { force: true });
    } catch {
      removed = false;
    }
    const next = removed
      ? "removed it; run the command again"
      : "remove it and run the command again";
    io.err(`error: ${message}: ${next} (it compiles the project afresh)`);
    return ExitCode.failed;
  }
  // A server's port taken, or out of range: the user's to change, as --port says.
  const { listenProblem } = await import("./listen-problem.js");
  const port = listenProblem(error);
  if (port !== undefined) {
    io.err(`error: ${port}`);
    return ExitCode.usage;
  }
  // Failures of the engine, the service or the machine, not of sluice: one line, no "unexpected".
  const { fileSystemRefusal } = await import("./file-system-refusal.js");
  const { SegmentGoneError } = await import("./segment-orphans.js");
  const external =
    fileSystemRefusal(error) ??
    (error instanceof SegmentGoneError ? message : undefined) ??
    (error instanceof QueryError
      ? message
      : error instanceof Error && "$metadata" in error
        ? `AWS ${error.name}: ${message}`
        : undefined);
  if (external !== undefined && !debug) {
    io.err(`error: ${external.split("\n")[0]}`);
    return ExitCode.failed;
  }
  if (debug) io.err(error instanceof Error && error.stack ? error.stack : message);
  else io.err(`error: ${message.split("\n")[0]} (unexpected: --debug prints the stack trace)`);
  return ExitCode.failed;
}

/**
 * yargs renders the running command's whole help text right after starting its handler
 * (`cacheHelpMessage`), in case the handler shows help later: string widths and wrapping of every
 * option, ~0.3 s of CPU on each command, on the main thread while the command's first work waits.
 * No sluice handler shows help (`--help` and usage errors are answered before any handler runs,
 * and `sluice` alone runs none), so that text is never rendered.
 */
function skipHelpPrerender(parser: unknown): void {
  // yargs' types (v17) lack getInternalMethods(), which yargs 18 has (one usage object per parser).
  const internal = parser as {
    getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } };
  };
  internal.getInternalMethods().getUsageInstance().cacheHelpMessage = () => undefined;
}

/**
 * Parse argv and run one command. Returns the exit code; never calls process.exit (main.ts does).
 * Every argument is checked before the handler runs (unknown commands, options and choices,
 * numbers, missing values): a mistake is one line on stderr and exit 2, with nothing loaded.
 *
 * @example
 * const code = await runCli(["compile", "--target", "prod"], { out: console.log, err: console.error, isTty: false });
 */
export async function runCli(
  argv: readonly string[],
  io: Io,
  cwd = process.cwd(),
): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let recommended: string | undefined;
  const tokens = [...argv];
  const debug = tokens
    .slice(0, tokens.includes("--") ? tokens.indexOf("--") : undefined)
    .includes("--debug");
  const globals: Record<string, Options> = {
    "project-dir": {
      type: "string",
      default: defaultProjectDir(cwd),
      describe: "Directory holding sluice.yml (or a dbt project's dbt_project.yml)",
      global: true,
    },
    target: {
      alias: "t",
      type: "string",
      describe:
        "Target from sluice.yml, or output of a dbt profile (default: default-target, the profile's target)",
      global: true,
    },
    "profiles-dir": {
      type: "string",
      describe:
        "dbt projects: folder holding profiles.yml (default: $DBT_PROFILES_DIR, the project, ~/.dbt)",
      global: true,
    },
    profile: {
      type: "string",
      describe: "dbt projects: profile of profiles.yml to use (default: dbt_project.yml's profile)",
      global: true,
    },
    vars: {
      type: "string",
      describe: "YAML mapping overriding project vars, e.g. '{start_date: 2026-11-01}'",
      global: true,
    },
    "partial-parse": {
      type: "boolean",
      default: true,
      describe:
        "Reuse target/partial_parse.json while the project's files are unchanged (--no-partial-parse: compile from scratch)",
      global: true,
    },
    debug: {
      type: "boolean",
      default: false,
      describe: "Print the stack trace of an unexpected error",
      global: true,
    },
  };
  const parser = yargs(tokens)
    .scriptName("sluice")
    .usage("$0 [--project-dir DIR] [--target NAME] [--vars YAML] <command>")
    .options(
      Object.fromEntries(
        Object.entries(globals).map(([name, o]) => [name, withValueChecks(name, o)]),
      ),
    )
    .strict()
    .demandCommand(1, NO_COMMAND)
    .recommendCommands()
    .help()
    .alias("h", "help")
    .version(cliVersion())
    .locale("en")
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue("Exit codes: 0 ok, 1 a model or assertion failed, 2 bad usage, config or project.")
    .fail((msg: string | null, err: unknown) => {
      // A bug in a handler or in sluice's own option table: not a usage error. (A failed
      // .check() passes its message as `err` too, as a string.)
      if (err instanceof Error && err.name !== "YError" && !(err instanceof UsageError)) throw err;
      const message = msg ?? (err instanceof Error ? err.message : "bad usage");
      const suggestion = /^Did you mean (.+)\?$/.exec(message);
      // .recommendCommands() reports its guess first; strict mode then names the unknown command.
      if (suggestion) {
        recommended = suggestion[1];
        return;
      }
      // yargs' types (v17) lack getOptions(), which yargs 18 has: the options of the command parsed.
      const known = parser as unknown as {
        getOptions(): { key: Record<string, boolean>; choices: Record<string, string[]> };
      };
      const { key, choices } = known.getOptions();
      const options = Object.keys(key).filter((k) => !/[A-Z]/.test(k));
      // No command, but an option yargs does not know (`sluice -x`): name the option.
      const flag = tokens.find(
        (t) => t.startsWith("-") && !(t.replace(/^-+|=.*$/g, "").replace(/^no-/, "") in key),
      );
      if (message === NO_COMMAND && flag === undefined) throw new UsageError(NO_COMMAND);
      const reported =
        message === NO_COMMAND ? `Unknown argument: ${flag!.replace(/^-+|=.*$/g, "")}` : message;
      throw new UsageError(
        usageLine(reported, {
          options,
          choices,
          tokens,
          commands: commands.flatMap((c) => [c.command, ...(c.aliases ?? [])]),
          recommended,
        }),
      );
    });

  skipHelpPrerender(parser);

  // Only the modules of the commands argv names are loaded; the others are listed by their heads
  // (yargs runs a command's builder and handler only when argv names it).
  const loaded = await loadNamedCommands(tokens);
  for (const head of commands) {
    const spec = loaded.get(head) as CommandSpec<Record<string, unknown>> | undefined;
    if (spec === undefined) {
      parser.command([head.command, ...(head.aliases ?? [])], head.describe, {}, () => {
        throw new Error(`bug: command ${head.command} ran without its module`);
      });
      continue;
    }
    parser.command(
      [spec.command, ...(spec.aliases ?? [])],
      spec.describe,
      (y) => {
        for (const [name, p] of Object.entries(spec.positional ?? {})) y.positional(name, p);
        y.options(
          Object.fromEntries(
            Object.entries(spec.options).map(([name, o]) => [
              name,
              withValueChecks(name, o, spec.numbers?.[name]),
            ]),
          ),
        );
        if (spec.check) {
          const check = spec.check;
          y.check(
            async (args) =>
              (await check(args as unknown as Record<string, unknown> & GlobalArgs)) ?? true,
          );
        }
        for (const [example, what] of spec.examples ?? []) y.example(example, what);
        return y;
      },
      async (args) => {
        try {
          exitCode = await spec.handler(
            args as unknown as Record<string, unknown> & GlobalArgs,
            io,
          );
        } catch (error) {
          exitCode = await errorExit(error, io, debug);
        }
      },
    );
  }

  try {
    await parser.parseAsync();
  } catch (error) {
    if (!(error instanceof UsageError)) return errorExit(error, io, debug);
    if (error.message === NO_COMMAND) {
      // `sluice` alone: the command list, on stderr (stdout stays for output), and exit 2 like
      // git (1) and click-based CLIs such as dbt (2): naming no command is not a success.
      parser.showHelp((text) => io.err(text));
      return ExitCode.usage;
    }
    io.err(`error: ${error.message}`);
    return ExitCode.usage;
  }
  return exitCode;
}
