import type { Options } from "yargs";
import type { NumberRule } from "./arguments.js";

/** Options every command takes. */
export interface GlobalArgs {
  projectDir: string;
  target?: string;
  vars?: string;
  /** dbt projects: the folder holding profiles.yml (else DBT_PROFILES_DIR, the project, ~/.dbt). */
  profilesDir?: string;
  /** dbt projects: the profile to use instead of dbt_project.yml's `profile:`. */
  profile?: string;
  /** `--no-partial-parse` sets false: load and compile from scratch, and do not save the result. */
  partialParse?: boolean;
  /** Print the stack of an unexpected error (by default: one line). */
  debug?: boolean;
}

/** Where commands write: injected so tests can capture it. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stdout is a terminal (progress lines only then, unless --format json). */
  isTty: boolean;
  /**
   * Told of each warning diagnostic as it is printed (see printDiagnostics): `--warn-error`
   * counts them to refuse the run.
   */
  onWarning?: () => void;
  /**
   * On a terminal only: replace the last line of stderr with `text` (no newline; "" clears it),
   * for a live status of what is running. Absent, progress is printed as plain lines.
   */
  statusLine?: (text: string) => void;
  /** Whether to colour each stream (NO_COLOR, FORCE_COLOR, a terminal: output/color.ts); default none. */
  color?: { out: boolean; err: boolean };
  /**
   * Aborted on Ctrl-C once {@link catchInterrupt} or {@link catchTerm} was called, on SIGTERM
   * once {@link catchTerm} was (main.ts; the reason's message says which): commands stop their
   * queries, servers stop; exit 130 (143 for SIGTERM).
   */
  signal?: AbortSignal;
  /**
   * From now on Ctrl-C and SIGTERM stop this command through {@link signal}: called by a command
   * about to run queries or generate events, which then has something to stop and results to
   * write. Before, both end the process at once (their default: a long synchronous compile
   * would hold a handler).
   */
  catchTerm?: () => void;
  /** {@link catchTerm} for Ctrl-C only: a server, which stops cleanly on SIGTERM by itself. */
  catchInterrupt?: () => void;
}

/**
 * A CLI command as data. `handler` returns the exit code (0 ok, 1 a node failed, 2 bad usage,
 * config or project); only main.ts calls process.exit.
 */
export interface CommandSpec<A = Record<string, unknown>> {
  command: string;
  describe: string;
  /** Other names it answers to (dbt's spellings: `list` for `ls`). */
  aliases?: readonly string[];
  options: Record<string, Options>;
  positional?: Record<string, { describe: string; type: "string"; demandOption?: boolean }>;
  /**
   * Examples shown in --help, `$0` for `sluice`; each runs in tests/e2e/help-examples (against
   * the models project on a small local lake), so each must work there.
   */
  examples?: Example[];
  /** Rules for number options, checked while parsing (e.g. `threads: { min: 1, integer: true }`). */
  numbers?: Record<string, NumberRule>;
  /**
   * Checks of the parsed arguments that need no project (e.g. ranges that depend on each
   * other): a message means exit 2 before the handler runs.
   */
  check?: (args: A & GlobalArgs) => string | undefined | Promise<string | undefined>;
  handler: (args: A & GlobalArgs, io: Io) => Promise<number>;
}

/**
 * `[command line, what it does, how the e2e test runs it]`: by default it must exit 0; a server
 * runs until it prints that it listens and is then stopped with Ctrl-C (exit 130).
 */
export type Example = [string, string, { exit?: number; untilCtrlC?: boolean }?];

export const ExitCode = { ok: 0, failed: 1, usage: 2, interrupted: 130, terminated: 143 } as const;
