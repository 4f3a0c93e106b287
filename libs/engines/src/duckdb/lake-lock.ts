import { readFileSync, unlinkSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EngineOpenError } from "../open-error.js";
import { isProcessAlive, processIdentity, type ProcessIdentity } from "../process-identity.js";

/** Who holds the lake for writing; written next to the catalog while a build runs. */
export const LAKE_LOCK_FILE = ".sluice-build.lock.json";

/** The lock file's content. `processStart`/`bootId` tell a reused pid from the holder. */
export interface LakeLockInfo extends Partial<ProcessIdentity> {
  pid: number;
  startedAt: string;
  runId?: string;
}

/** A second writer on the same lake (a build, or any other process with the catalog open). */
export class LakeBusyError extends EngineOpenError {
  constructor(
    readonly lakeDir: string,
    readonly holder: LakeLockInfo | undefined,
    options?: { cause?: unknown },
  ) {
    super(busyMessage(lakeDir, holder, options?.cause), options);
    this.name = "LakeBusyError";
  }
}

function busyMessage(lakeDir: string, holder: LakeLockInfo | undefined, cause: unknown): string {
  if (holder) {
    const run = holder.runId ? `run ${holder.runId}, ` : "";
    const who = `${run}started ${holder.startedAt}, pid ${holder.pid}`;
    const what = "wait for it to finish or stop it, then retry";
    return `build in progress (${who}) on lake ${lakeDir}: ${what}`;
  }
  // DuckDB names the process holding its file lock: "Conflicting lock is held in <cmd> (PID n)".
  const duckdb = cause instanceof Error ? /held in (.*?) \(PID (\d+)\)/.exec(cause.message) : null;
  const who = duckdb ? ` (${duckdb[1]}, pid ${duckdb[2]})` : "";
  return (
    `another process${who} has the catalog of lake ${lakeDir} open (e.g. a DuckDB client or ` +
    `a BI tool; \`sluice query\` does not lock it): close it, then retry`
  );
}

/** Whether the process that wrote the lock still runs (same pid, same start, same boot). */
function isHolderAlive(holder: LakeLockInfo): Promise<boolean> {
  return isProcessAlive(holder.pid, holder);
}

/**
 * The lock file's content, read synchronously: a file of a few hundred bytes, read before the
 * catalog opens, which then starts at once instead of after the main thread's work in hand (the
 * open runs while the CLI applies the selection).
 */
export function readLakeLock(lakeDir: string): LakeLockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(lakeDir, LAKE_LOCK_FILE), "utf8")) as LakeLockInfo;
    return typeof info.pid === "number" ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The lock's holder when it is a live process other than this one. */
export async function liveLakeLockHolder(lakeDir: string): Promise<LakeLockInfo | undefined> {
  const holder = readLakeLock(lakeDir);
  if (!holder || holder.pid === process.pid) return undefined;
  return (await isHolderAlive(holder)) ? holder : undefined;
}

/**
 * Fail fast when a live process holds the lake; a lock left by a dead process (killed build),
 * or whose pid now belongs to another process (reused pid, reboot), is stale and taken over.
 * The catalog's own OS file lock is the real mutual exclusion; this file only names the holder
 * so the message can say who.
 */
export async function checkLakeLock(lakeDir: string): Promise<{ staleFrom?: LakeLockInfo }> {
  const holder = readLakeLock(lakeDir);
  if (!holder || holder.pid === process.pid) return {};
  if (await isHolderAlive(holder)) throw new LakeBusyError(lakeDir, holder);
  return { staleFrom: holder };
}

/** The lock files this process wrote and has not released (see {@link releaseOnExit}). */
const held = new Set<string>();

/**
 * Removes the lock files this process still holds when it exits before its engines closed: the
 * CLI exits 130 at a second Ctrl-C, or 2 s after the first while a build still unwinds (closing
 * waits for old versions to be removed), and `process.exit` runs no pending promise. Only files
 * naming this pid: one taken over by another process since stays.
 */
function releaseOnExit(): void {
  for (const file of held) {
    try {
      const info = JSON.parse(readFileSync(file, "utf8")) as Partial<LakeLockInfo>;
      if (info.pid === process.pid) unlinkSync(file);
    } catch {
      // Gone already, or unreadable: nothing of ours to remove.
    }
  }
}

/** `file` no longer held by this process: the exit handler goes with the last one. */
function forget(file: string): void {
  if (held.delete(file) && held.size === 0) process.off("exit", releaseOnExit);
}

export async function writeLakeLock(lakeDir: string, runId?: string): Promise<void> {
  const identity = await processIdentity(process.pid);
  const info: LakeLockInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ...(runId === undefined ? {} : { runId }),
    ...identity,
  };
  const file = join(lakeDir, LAKE_LOCK_FILE);
  try {
    if (held.size === 0) process.on("exit", releaseOnExit);
    held.add(file);
    await writeFile(file, JSON.stringify(info) + "\n");
  } catch (error) {
    // A full disk can leave a truncated file behind: nothing of a failed open stays.
    await rm(file, { force: true }).catch(() => undefined);
    forget(file);
    throw error;
  }
}

export async function releaseLakeLock(lakeDir: string): Promise<void> {
  const holder = readLakeLock(lakeDir);
  const file = join(lakeDir, LAKE_LOCK_FILE);
  if (holder?.pid === process.pid) await rm(file, { force: true });
  forget(file);
}
