import { Worker } from "node:worker_threads";

/** The worker's whole program: remove each folder it is sent, answer when told to finish. */
const PROGRAM = `
const { parentPort } = require("node:worker_threads");
const { rmSync } = require("node:fs");
let removed = 0;
parentPort.on("message", (m) => {
  if (m.type === "remove") {
    for (const dir of m.dirs) { rmSync(dir, { recursive: true, force: true }); removed += 1; }
  } else {
    parentPort.postMessage({ removed });
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

  /** Queue folders for removal; returns at once. */
  remove(dirs: readonly string[]): void {
    if (dirs.length === 0) return;
    if (this.finished) throw new Error("the background remover has finished");
    this.worker ??= new Worker(PROGRAM, { eval: true });
    this.worker.postMessage({ type: "remove", dirs });
  }

  /** Wait until every queued folder is removed; returns how many were. */
  finish(): Promise<number> {
    if (!this.worker) return Promise.resolve(0);
    const worker = this.worker;
    this.finished ??= new Promise<number>((resolve, reject) => {
      worker.once("message", (m: { removed: number }) => resolve(m.removed));
      worker.once("error", reject);
      worker.postMessage({ type: "finish" });
    });
    return this.finished;
  }
}
