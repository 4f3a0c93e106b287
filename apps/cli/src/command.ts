import type { Options } from "yargs";

/** Options every command takes. */
export interface GlobalArgs {
  projectDir: string;
  target?: string;
  vars?: string;
  /** `--no-partial-parse` sets false: load and compile from scratch, and do not save the result. */
  partialParse?: boolean;
}

/** Where commands write: injected so tests can capture it. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stdout is a terminal (progress lines only then, unless --format json). */
  isTty: boolean;
}

/**
 * A CLI command as data. `handler` returns the exit code (0 ok, 1 a node failed, 2 bad usage,
 * config or project); only main.ts calls process.exit.
 */
export interface CommandSpec<A = Record<string, unknown>> {
  command: string;
  describe: string;
  options: Record<string, Options>;
  positional?: Record<string, { describe: string; type: "string"; demandOption?: boolean }>;
  examples?: [string, string][];
  handler: (args: A & GlobalArgs, io: Io) => Promise<number>;
}

export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;
