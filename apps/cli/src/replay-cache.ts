import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { GlobalArgs, Io } from "./command.js";
import { invocationListings, validCacheHeader } from "./compile-cache.js";
import { cacheRequest } from "./project-context.js";
import type { GateFacts } from "./replay-gate.js";
import { gateFacts } from "./replay-gate.js";
import { writeFileAtomicSync } from "@sluice/runner/atomic-file";

/**
 * Replay of a command whose output is a function of the compiled project and its arguments
 * only (`compile`, `ls`): after it succeeds, what it printed is kept in
 * `target/replay/<command>.json` under a key made of the partial-parse header (valid only while
 * the project's files, flags, environment and sluice build are unchanged: see compile-cache.ts),
 * the command's arguments, the working directory, the terminal's settings and, with `--state DIR`,
 * the size and time of the state's artifacts and of this project's sources.json (a newer
 * production manifest or a new freshness check selects anew). The same command
 * on the same unchanged project prints it again without loading the cached compile: at 10,000
 * models that parse alone is ~0.5 s. `--no-partial-parse` never replays.
 */
export interface Replay {
  /** stderr texts then stdout texts, as the command printed them. */
  err: string[];
  out: string[];
  /** For a command that writes target/: the artifacts stamp it left (see @sluice/runner/stamp). */
  stamp?: string;
  /** Folders the command wrote: gone (deleted by hand), the command runs again. */
  wrote?: string[];
  /** What bin/sluice.js's replay gate checks (see replay-gate.ts); only from the real CLI. */
  gate?: GateFacts;
}

/**
 * `{ gate }` for a replay saved under a key made with `header` (see replay-gate.ts), or `{}` when
 * this process is not the CLI itself (in-process runs record nothing for the gate).
 */
export function gateOf(command: string, args: GlobalArgs, header: string): { gate?: GateFacts } {
  const gate = gateFacts(command, cacheRequest(args), header);
  return gate === undefined ? {} : { gate };
}

const file = (targetDir: string, command: string): string =>
  path.join(targetDir, "replay", `${command}.json`);

/**
 * The replay key of this invocation, or undefined when it is not replayed. `header`: the
 * partial-parse header of the compile the command used (see {@link findReplay}).
 */
export function replayKey(
  command: string,
  args: GlobalArgs,
  io: Io,
  header: string,
): string | undefined {
  if (args.partialParse === false) return undefined;
  // --state selectors read files the header does not cover (the state's manifest, run results
  // and sources.json, and this project's target/sources.json): never replayed.
  if ((args as GlobalArgs & { state?: string }).state !== undefined) return undefined;
  // yargs gives each option under its kebab and camel names: either says the same.
  const options = Object.entries(args)
    .filter(([k, v]) => k !== "_" && k !== "$0" && !k.includes("-") && typeof v !== "function")
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const state = (args as { state?: unknown }).state;
  const what = [
    ...[command, header, options, process.cwd(), io.isTty, io.color ?? null],
    typeof state === "string" ? stateStamp(path.resolve(state), args.projectDir) : null,
  ];
  return createHash("sha1").update(JSON.stringify(what)).digest("hex");
}

/**
 * What `--state DIR`'s selectors read, by size and modification time: the state's artifacts and
 * this project's `target/sources.json` (source_status: compares it with the state's).
 */
const stateStamp = (dir: string, projectDir: string): string[] =>
  [
    ...["manifest.json", "manifest.state.json", "run_results.json", "sources.json"].map((name) =>
      path.join(dir, name),
    ),
    path.join(path.resolve(projectDir), "target", "sources.json"),
  ].map((file) => {
    try {
      const s = statSync(file);
      return `${file}:${s.size}:${s.mtimeMs}`;
    } catch {
      return `${file}:missing`;
    }
  });

function validHeader(args: GlobalArgs): string | undefined {
  const request = cacheRequest(args);
  return validCacheHeader(path.join(request.dir, "target"), request, invocationListings(args));
}

/**
 * What `command` printed last time for this invocation (see {@link replayKey}), if anything; the
 * partial-parse header checked once. On a hit, when this process is the CLI itself and the
 * replay's gate facts are not this invocation's (the gate missed on one of them, e.g. another
 * environment), this invocation's replace them, so that the same invocation is replayed by the
 * gate next time (it kept missing until a compile missed too).
 */
export function findReplay(
  targetDir: string,
  command: string,
  args: GlobalArgs,
  io: Io,
): Replay | undefined {
  const header = validHeader(args);
  const key = header === undefined ? undefined : replayKey(command, args, io, header);
  if (header === undefined || key === undefined) return undefined;
  try {
    const saved = JSON.parse(readFileSync(file(targetDir, command), "utf8")) as SavedReplay;
    if (saved.key !== key || !(saved.wrote ?? []).every((dir) => existsSync(dir))) return undefined;
    refreshGate(targetDir, command, saved, gateOf(command, args, header).gate);
    return { err: saved.err, out: saved.out, ...(saved.stamp ? { stamp: saved.stamp } : {}) };
  } catch {
    return undefined;
  }
}

type SavedReplay = Replay & { key: string };

/** Save `saved` again with `gate`, this invocation's gate facts, when they differ. */
function refreshGate(
  targetDir: string,
  command: string,
  saved: SavedReplay,
  gate: GateFacts | undefined,
): void {
  if (gate === undefined || JSON.stringify(gate) === JSON.stringify(saved.gate)) return;
  const { key, ...printed } = saved;
  saveReplay(targetDir, command, key, { ...printed, gate });
}

/** `io` that also records what is printed, for {@link saveReplay}. */
export function recordingIo(io: Io): { io: Io; printed: Replay } {
  const printed: Replay = { err: [], out: [] };
  return {
    printed,
    io: {
      ...io,
      out: (text) => {
        printed.out.push(text);
        io.out(text);
      },
      err: (text) => {
        printed.err.push(text);
        io.err(text);
      },
    },
  };
}

/** Keep what a successful command printed under `key` (undefined: forget any previous one). */
export function saveReplay(
  targetDir: string,
  command: string,
  key: string | undefined,
  printed: Replay,
): void {
  const target = file(targetDir, command);
  try {
    if (key === undefined) return rmSync(target, { force: true });
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileAtomicSync(target, JSON.stringify({ key, ...printed }));
  } catch {
    // A read-only project still works, only without replays.
  }
}
