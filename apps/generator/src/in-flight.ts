import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Where an object is written before it is published under `path`: a dot-prefixed name in the
 * folder above the object's own (for a raw object, the day folder beside its hour folder),
 * unique to this process. Outside the hour folder, so no raw zone reader sees it, whatever its
 * file pattern (the local lake's DuckDB glob `*` matches dot-files); dot-prefixed, so readers
 * that walk recursively skip it as Hive and Athena do. One file system, so the rename that
 * publishes it is atomic. Not fsynced: that guards against a power loss, not against a reader,
 * and cost 25-50% of the local sink's throughput (tests/bench/generator.mjs).
 *
 * @example
 * inFlightPath("/lake/raw/events/2026/11/27/13/s-1-….gz")
 * // "/lake/raw/events/2026/11/27/.13-s-1-….gz.tmp-<pid>"
 */
export function inFlightPath(path: string): string {
  const folder = dirname(path);
  return join(dirname(folder), `.${basename(folder)}-${basename(path)}.tmp-${process.pid}`);
}

/**
 * Publishes a file whole: `write` fills the {@link inFlightPath} of `path`, which is then
 * renamed to `path`. On failure the in-flight file is removed and the error rethrown.
 *
 * @example
 * await publishFile(path, (tmp) => lane.compress(raw, tmp));
 */
export async function publishFile<T>(path: string, write: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = inFlightPath(path);
  try {
    const result = await write(tmp);
    renameSync(tmp, path);
    return result;
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** {@link publishFile} of `body`, synchronously. */
export function publishBytes(path: string, body: Buffer): void {
  const tmp = inFlightPath(path);
  try {
    writeFileSync(tmp, body);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
