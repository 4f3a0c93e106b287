import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Who holds the lake for writing; written next to the catalog while a build runs. */
export const LAKE_LOCK_FILE = ".sluice-build.lock.json";

export interface LakeLockInfo {
  pid: number;
  startedAt: string;
}

/** A second writer on the same lake. */
export class LakeBusyError extends Error {
  constructor(
    readonly lakeDir: string,
    readonly holder: LakeLockInfo | undefined,
    options?: { cause?: unknown },
  ) {
    const who = holder ? `pid ${holder.pid}, started ${holder.startedAt}` : "another process holds the catalog";
    super(`build in progress (${who}) on lake ${lakeDir}: wait for it to finish or stop it, then retry`, options);
    this.name = "LakeBusyError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function readLakeLock(lakeDir: string): Promise<LakeLockInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(join(lakeDir, LAKE_LOCK_FILE), "utf8")) as LakeLockInfo;
    return typeof info.pid === "number" ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fail fast when a live process holds the lake; a lock left by a dead process (killed build)
 * is stale and taken over. The catalog's own OS file lock is the real mutual exclusion; this
 * file only names the holder so the message can say who.
 */
export async function checkLakeLock(lakeDir: string): Promise<{ staleFrom?: LakeLockInfo }> {
  const holder = await readLakeLock(lakeDir);
  if (!holder || holder.pid === process.pid) return {};
  if (isAlive(holder.pid)) throw new LakeBusyError(lakeDir, holder);
  return { staleFrom: holder };
}

export async function writeLakeLock(lakeDir: string): Promise<void> {
  const info: LakeLockInfo = { pid: process.pid, startedAt: new Date().toISOString() };
  await writeFile(join(lakeDir, LAKE_LOCK_FILE), JSON.stringify(info) + "\n");
}

export async function releaseLakeLock(lakeDir: string): Promise<void> {
  const holder = await readLakeLock(lakeDir);
  if (holder?.pid === process.pid) await rm(join(lakeDir, LAKE_LOCK_FILE), { force: true });
}
