import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { artifactsStamp } from "@sluice/runner/stamp";
import type { CacheRequest } from "./compile-cache.js";
import { gateListings, validCacheHeader } from "./compile-cache.js";
import { WorkingDirectoryLost } from "./listing-stat.js";
import { colorEnabled } from "./output/color-enabled.js";
import { duration } from "./output/words.js";

/**
 * The replay gate: `sluice compile` or `sluice ls` run again, unchanged, in the same place,
 * printed from its replay (see replay-cache.ts) before the CLI's bundle is loaded. Parsing the
 * arguments (yargs and every command's options) is ~40 % of a no-change compile's CPU; the gate
 * needs none of it, because the replay key is a function of what it checks instead.
 *
 * A command that saves a replay from the real CLI (bin/sluice.js → main.ts, which calls
 * {@link recordGate}) stores with it the facts its parsed arguments came from: the raw arguments,
 * the working directory, a hash of the whole environment, which streams are terminals and
 * coloured, the partial-parse request its arguments made and the header its key was made with.
 * The gate replays only when all of them are equal now, the same header is valid now (the project's
 * listing, the content of its racily clean files, its environment variables and the sluice build:
 * compile-cache.ts), the folders the
 * command wrote still exist and, for compile, the artifacts stamp is still the one it left. Equal
 * facts give equal parsed arguments, so the key the full CLI would compute is the saved one: the
 * gate prints what the full CLI would. Anything else (a miss) runs the full CLI, which decides as
 * before. In-process runs (tests calling runCli) never record facts, so never replay here.
 */
export interface GateFacts {
  argv: string[];
  cwd: string;
  /** sha1 of the environment's entries, sorted, but for a shell's own (see {@link SHELL_VARS}). */
  env: string;
  /** stdout and stderr: terminal, coloured. */
  streams: [boolean, boolean, boolean, boolean];
  /** The resolved project folder the arguments named (the replay lives in its target/). */
  projectDir: string;
  request: CacheRequest;
  header: string;
  /** compile: the first line printed ends with the command's time, the artifacts stamp must match. */
  compile: boolean;
}

/** The replay file's shape, as replay-cache.ts saves it. */
interface SavedReplay {
  key: string;
  err: string[];
  out: string[];
  stamp?: string;
  wrote?: string[];
  gate?: GateFacts;
}

let processArgv: string[] | undefined;

/** The process runs the CLI itself on these arguments: its replays may record {@link GateFacts}. */
export function recordGate(argv: readonly string[]): void {
  processArgv = [...argv];
}

/**
 * Variables a shell sets per command or per `cd` (`_`: the program's path, which differs between
 * `sluice`, `npx sluice` and `time sluice`): no sluice argument reads them (the cwd is compared
 * as such), and a template that reads one is covered by the partial-parse header's env check.
 */
const SHELL_VARS = new Set(["_", "OLDPWD", "PWD", "SHLVL"]);

const envHash = (): string =>
  createHash("sha1")
    .update(
      JSON.stringify(
        Object.entries(process.env)
          .filter(([name]) => !SHELL_VARS.has(name))
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      ),
    )
    .digest("hex");

const streams = (): GateFacts["streams"] => [
  process.stdout.isTTY === true,
  process.stderr.isTTY === true,
  colorEnabled(process.stdout),
  colorEnabled(process.stderr),
];

/** The facts to save with a replay made under `header`; undefined when not run as the CLI. */
export function gateFacts(
  command: string,
  request: CacheRequest,
  header: string,
): GateFacts | undefined {
  if (processArgv === undefined) return undefined;
  return {
    argv: processArgv,
    cwd: process.cwd(),
    env: envHash(),
    streams: streams(),
    projectDir: request.dir,
    request,
    header,
    compile: command === "compile",
  };
}

/**
 * The project folder `argv` names, as the CLI would read it (`--project-dir DIR`,
 * `--project-dir=DIR`, else `./models` when it holds a sluice.yml, else `.`). A guess is safe:
 * the replay found must have been saved by a command that parsed this same argv here.
 */
function projectDirOf(argv: readonly string[], cwd: string): string {
  const end = argv.includes("--") ? argv.indexOf("--") : argv.length;
  for (let i = 0; i < end; i++) {
    const t = argv[i]!;
    if ((t === "--project-dir" || t === "--projectDir") && i + 1 < end)
      return path.resolve(cwd, argv[i + 1]!);
    const eq = /^--project-?[dD]ir=(.*)$/.exec(t);
    if (eq) return path.resolve(cwd, eq[1]!);
  }
  return path.resolve(cwd, existsSync(path.join(cwd, "models", "sluice.yml")) ? "models" : ".");
}

const sameArray = (a: readonly unknown[], b: readonly unknown[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** The saved replay of `command` that the gate may print now, if any. */
function gatedReplay(command: string, argv: readonly string[]): SavedReplay | undefined {
  const cwd = process.cwd();
  const targetDir = path.join(projectDirOf(argv, cwd), "target");
  let saved: SavedReplay;
  try {
    saved = JSON.parse(
      readFileSync(path.join(targetDir, "replay", `${command}.json`), "utf8"),
    ) as SavedReplay;
  } catch {
    return undefined;
  }
  const g = saved.gate;
  if (g === undefined || g.compile !== (command === "compile")) return undefined;
  if (!sameArray(g.argv, argv) || g.cwd !== cwd || g.projectDir !== path.dirname(targetDir))
    return undefined;
  if (!sameArray(g.streams, streams()) || g.env !== envHash()) return undefined;
  if (!(saved.wrote ?? []).every((dir) => existsSync(dir))) return undefined;
  // The listing is kept for the CLI when the gate does not replay (see gateListings). Nothing
  // else runs yet: it may list with the working directory in each folder (withFolderStats).
  if (validCacheHeader(targetDir, g.request, gateListings, true) !== g.header) return undefined;
  if (g.compile && saved.stamp !== artifactsStamp(targetDir)) return undefined;
  return saved;
}

/**
 * Print the replay of this invocation when the gate allows it (see {@link GateFacts}); returns
 * whether it did (the command is then done, exit code 0). Any doubt is a miss; it throws only
 * {@link WorkingDirectoryLost} (the command must not run on in another folder).
 */
export function replayThroughGate(argv: readonly string[]): boolean {
  // process.hrtime, not performance.now(): the `performance` global loads node:perf_hooks.
  const started = process.hrtime.bigint();
  const command = ["compile", "ls"].find((c) => argv.includes(c));
  if (command === undefined) return false;
  let saved: SavedReplay | undefined;
  try {
    saved = gatedReplay(command, argv);
  } catch (error) {
    if (error instanceof WorkingDirectoryLost) throw error;
    return false;
  }
  if (saved === undefined) return false;
  const out = [...saved.out];
  // As compile's handler prints a replay: the summary, then this run's time.
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (saved.gate!.compile) out[0] = `${out[0] ?? ""} in ${duration(ms)}.`;
  if (saved.err.length > 0) process.stderr.write(saved.err.map((t) => `${t}\n`).join(""));
  if (out.length > 0) process.stdout.write(out.map((t) => `${t}\n`).join(""));
  return true;
}
