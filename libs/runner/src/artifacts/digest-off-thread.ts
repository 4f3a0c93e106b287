import { createRequire } from "node:module";
import type * as WorkerThreads from "node:worker_threads";
import { fileDigest } from "./file-chunks.js";

// node:worker_threads is required when a digest is first started, not when the runner loads:
// requiring it took 12-28 ms, which every command loading the runner would pay. The CLI's
// CommonJS bundle has `require`; ES modules get one.
const load: NodeJS.Require =
  typeof require === "function" ? require : createRequire(import.meta.url);

/**
 * The worker's script (CommonJS, run with `eval`: no file of the bundle to find): sha256 (hex)
 * of the first `length` bytes (default: all) of the file `workerData` names, read a MB at a
 * time through one buffer (as `digestOfBytes` does), posted back; undefined when the file
 * cannot be read or is shorter.
 */
const SCRIPT = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { closeSync, fstatSync, openSync, readSync } = require("node:fs");
let digest;
try {
  const fd = openSync(workerData.file, "r");
  try {
    const length = workerData.length ?? fstatSync(fd).size;
    const hash = createHash("sha256");
    const buffer = Buffer.allocUnsafe(1 << 20);
    let done = 0;
    for (let n = 1; done < length && n > 0; done += n) {
      n = readSync(fd, buffer, 0, Math.min(buffer.length, length - done), done);
      hash.update(buffer.subarray(0, n));
    }
    if (done === length) digest = hash.digest("hex");
  } finally {
    closeSync(fd);
  }
} catch {}
parentPort.postMessage(digest);
`;

/**
 * Starts hashing `file` (sha256, hex), or its first `length` bytes, on a worker thread, so that
 * the main thread works on meanwhile (`--state`: a 60 MB manifest is hashed to trust its sidecar
 * or state index while the project loads). The function returned waits for the digest:
 * undefined when the file cannot be read or is shorter. A worker that cannot start or fails
 * gives {@link fileDigest}'s, computed then on the main thread. The worker keeps the process
 * alive only while its digest is waited for.
 *
 * @example const digest = startFileDigest("state/manifest.json"); load(); await digest()
 */
export function startFileDigest(file: string, length?: number): () => Promise<string | undefined> {
  const fallback = () => fileDigest(file, length);
  let worker: WorkerThreads.Worker;
  try {
    const threads = load("node:worker_threads") as typeof WorkerThreads;
    worker = new threads.Worker(SCRIPT, { eval: true, workerData: { file, length } });
  } catch {
    return async () => fallback();
  }
  worker.unref();
  const digest = new Promise<string | undefined>((resolve) => {
    let done = false;
    const settle = (value: () => string | undefined) => {
      if (done) return;
      done = true;
      resolve(value());
      void worker.terminate();
    };
    worker.once("message", (message: unknown) =>
      settle(() => (typeof message === "string" ? message : undefined)),
    );
    worker.once("error", () => settle(fallback));
    worker.once("exit", () => settle(fallback));
  });
  return () => {
    worker.ref();
    return digest;
  };
}
