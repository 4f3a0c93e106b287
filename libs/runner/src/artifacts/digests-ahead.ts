import { fstatSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { digestOfBytes } from "./file-chunks.js";

/**
 * sha256s of a file's first bytes, computed on a worker thread while the main thread does other
 * work: `--state` starts them for the state's manifest (60 MB at 10,000 models: ~60 ms of
 * hashing) before the project loads, and checks its sidecar and state index with them after.
 */
export interface LeadingDigests {
  /** The file hashed, as {@link fileStamp} (unchanged from before its first read to after its last). */
  stamp: string;
  /** sha256 (hex) of the first `length` bytes, by `length`. */
  byLength: ReadonlyMap<number, string>;
}

/** What identifies one version of an open file: device, inode, size, modification time. */
export function fileStamp(fd: number): string {
  const s = fstatSync(fd);
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
}

// CommonJS run by the worker: the same chunked read and hash as `digestOfBytes`, one pass for
// every length (a copy of the hash at each). Any failure posts nothing usable: the caller hashes.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { closeSync, fstatSync, openSync, readSync } = require("node:fs");
const { createHash } = require("node:crypto");
const stampOf = (fd) => { const s = fstatSync(fd); return s.dev + ":" + s.ino + ":" + s.size + ":" + s.mtimeMs; };
let fd;
try {
  fd = openSync(workerData.file, "r");
  const stamp = stampOf(fd);
  const h = createHash("sha256");
  const buffer = Buffer.allocUnsafe(${1 << 20});
  const digests = [];
  let done = 0;
  for (const length of workerData.lengths) {
    while (done < length) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, length - done), done);
      if (n <= 0) throw new Error("short");
      h.update(buffer.subarray(0, n));
      done += n;
    }
    digests.push(h.copy().digest("hex"));
  }
  parentPort.postMessage(stampOf(fd) === stamp ? { stamp, digests } : undefined);
} catch {
  parentPort.postMessage(undefined);
} finally {
  if (fd !== undefined) closeSync(fd);
}
`;

/**
 * Start hashing the first `lengths` bytes of `file` (ascending) on a worker thread; the returned
 * function waits for them (undefined when the file could not be read whole, or changed meanwhile).
 * The worker does not keep the process alive until they are waited for.
 *
 * @example const ahead = digestsAhead("state/manifest.json", [size]); ...; const known = await ahead();
 */
export function digestsAhead(
  file: string,
  lengths: readonly number[],
): () => Promise<LeadingDigests | undefined> {
  const worker = new Worker(WORKER, { eval: true, workerData: { file, lengths } });
  worker.unref();
  const done = new Promise<LeadingDigests | undefined>((resolve) => {
    worker.once("message", (m?: { stamp: string; digests: string[] }) =>
      resolve(
        m && { stamp: m.stamp, byLength: new Map(lengths.map((l, i) => [l, m.digests[i]!])) },
      ),
    );
    worker.once("error", () => resolve(undefined));
    worker.once("exit", () => resolve(undefined));
  });
  return () => {
    worker.ref();
    return done.finally(() => worker.unref());
  };
}

/**
 * sha256 (hex) of the first `length` bytes of the open file `fd`: from `known` when it hashed
 * this very file (same {@link fileStamp}) that far, else read and hashed here.
 */
export function leadingDigest(fd: number, length: number, known?: LeadingDigests): string {
  const ahead = known?.byLength.get(length);
  return ahead !== undefined && known!.stamp === fileStamp(fd) ? ahead : digestOfBytes(fd, length);
}
