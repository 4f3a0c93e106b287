import { readdirSync } from "node:fs";
import { readdir, rmdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

/** Folders with at most this many subfolders are removed through libuv's pool, not the worker. */
const FEW_FOLDERS = 8;

/** The worker's whole program: remove each folder it is sent, answer when told to finish. */
const PROGRAM = `
const { parentPort } = require("node:worker_threads");
const { rmSync } = require("node:fs");
let removed = 0;
const failed = [];
parentPort.on("message", (m) => {
  if (m.type === "remove") {
    for (const dir of m.dirs) {
      try { rmSync(dir, { recursive: true, force: true }); removed += 1; }
      catch (e) { failed.push(dir + ": " + (e && e.message)); }
    }
  } else {
    parentPort.postMessage({ removed, failed });
    parentPort.close();
  }
});
`;

/**
 * Removes folders in the background. A table version written by a full build holds hundreds of
 * partition folders (~0.5 ms each to remove on some disks): those go to a worker thread, off the
 * main thread and off libuv's pool, where they would delay the DuckDB queries queued behind them.
 * A version written by an incremental run holds a few folders and its carried files flat: those
 * are removed through the pool, sparing the ~25 ms of CPU a worker costs to start, a few files at
 * a time (see {@link removeFolder}).
 */
export class BackgroundRemover {
  private worker: Worker | undefined;
  private finished: Promise<number> | undefined;
  private failure: Error | undefined;
  private readonly light: Promise<string | undefined>[] = [];

  /** Queue folders for removal; returns at once. */
  remove(dirs: readonly string[]): void {
    if (dirs.length === 0) return;
    if (this.finished) throw new Error("the background remover has finished");
    const heavy = dirs.filter((dir) => folderCount(dir) > FEW_FOLDERS);
    for (const dir of dirs.filter((d) => !heavy.includes(d))) {
      this.light.push(
        removeFolder(dir).then(
          () => undefined,
          (e: Error) => `${dir}: ${e.message}`,
        ),
      );
    }
    if (heavy.length === 0) return;
    if (!this.worker) {
      this.worker = new Worker(PROGRAM, { eval: true });
      // A crash before finish() is reported by finish(); without a listener it would crash the process.
      this.worker.on("error", (error) => (this.failure ??= error));
    }
    this.worker.postMessage({ type: "remove", dirs: heavy });
  }

  /**
   * Wait until every queued folder is removed; returns how many were. Rejects, naming them, when
   * some could not be (they are leftovers the next build removes).
   */
  finish(): Promise<number> {
    this.finished ??= Promise.all([this.finishWorker(), Promise.all(this.light)]).then(
      ([inWorker, light]) => {
        const failed = light.filter((f): f is string => f !== undefined);
        if (failed.length > 0) throw new Error(`could not remove ${failed.join("; ")}`);
        return inWorker + light.length;
      },
    );
    return this.finished;
  }

  private finishWorker(): Promise<number> {
    if (!this.worker) return Promise.resolve(0);
    const worker = this.worker;
    return new Promise<number>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      worker.once("message", (m: { removed: number; failed: string[] }) =>
        m.failed.length === 0
          ? resolve(m.removed)
          : reject(new Error(`could not remove ${m.failed.join("; ")}`)),
      );
      worker.once("error", reject);
      worker.once("exit", (code) =>
        reject(new Error(`the background remover stopped (exit code ${code})`)),
      );
      worker.postMessage({ type: "finish" });
    });
  }
}

/** Unlinks of one folder's files in libuv's pool at once (it has four threads). */
const UNLINKS_AT_ONCE = 4;

/**
 * Remove a folder as `rm -rf` does. fs.promises.rm queues an lstat and then an unlink of every
 * file in libuv's pool at once: the ~680 carried files of a month of hourly partitions put ~1,360
 * requests ahead of the DuckDB queries of the next models, which wait for a pool thread too.
 * Here the listing gives each entry's type (no lstat) and at most {@link UNLINKS_AT_ONCE} unlinks
 * wait at a time. One at a time took twice as long here (unlinks overlap well on this disk).
 */
async function removeFolder(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(unlessGone);
  if (!entries) return;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const entry = entries[next++]!;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await removeFolder(path);
      else await unlink(path).catch(unlessGone);
    }
  };
  await Promise.all(Array.from({ length: UNLINKS_AT_ONCE }, worker));
  await rmdir(dir).catch(unlessGone);
}

/** What is already gone is removed (as `rm -f`); any other failure stands. */
function unlessGone(error: NodeJS.ErrnoException): undefined {
  if (error.code === "ENOENT") return undefined;
  throw error;
}

/** Subfolders directly in `dir` (0 when it cannot be read: rm decides). */
function folderCount(dir: string): number {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).length;
  } catch {
    return 0;
  }
}
