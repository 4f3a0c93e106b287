import { Worker } from "node:worker_threads";

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
 * Removes folders on a worker thread, off the main thread and off libuv's pool: removing a table
 * version after a full build means hundreds of partition folders (~0.5 ms each on some disks),
 * and queued on the pool those removals delayed the DuckDB queries behind them.
 */
export class BackgroundRemover {
  private worker: Worker | undefined;
  private finished: Promise<number> | undefined;
  private failure: Error | undefined;

  /** Queue folders for removal; returns at once. */
  remove(dirs: readonly string[]): void {
    if (dirs.length === 0) return;
    if (this.finished) throw new Error("the background remover has finished");
    if (!this.worker) {
      this.worker = new Worker(PROGRAM, { eval: true });
      // A crash before finish() is reported by finish(); without a listener it would crash the process.
      this.worker.on("error", (error) => (this.failure ??= error));
    }
    this.worker.postMessage({ type: "remove", dirs });
  }

  /**
   * Wait until every queued folder is removed; returns how many were. Rejects, naming them, when
   * some could not be (they are leftovers the next build removes).
   */
  finish(): Promise<number> {
    if (!this.worker) return Promise.resolve(0);
    const worker = this.worker;
    this.finished ??= new Promise<number>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      worker.once("message", (m: { removed: number; failed: string[] }) =>
        m.failed.length === 0 ? resolve(m.removed) : reject(new Error(`could not remove ${m.failed.join("; ")}`)),
      );
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the background remover stopped (exit code ${code})`)));
      worker.postMessage({ type: "finish" });
    });
    return this.finished;
  }
}
