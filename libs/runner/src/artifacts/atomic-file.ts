import fs, { renameSync, rmSync, writeFileSync } from "node:fs";

// A file written through `<file>.<pid>.tmp` renamed into place: a reader, a process killed
// mid-write and a disk that fills up mid-write all leave the old file or the new one, never half
// of one. The temporary file is removed when the write fails (a full disk keeps its space); one
// a killed process left is removed by `removeDeadTemps` (dead-temps.ts) where the caller runs it.

/** The temporary file `file` is written as before it is renamed into place. */
const tempOf = (file: string): string => `${file}.${process.pid}.tmp`;

/**
 * Write `data` to `file` whole or not at all (see above). A link is followed (the file it names
 * is replaced, the link stays); the temporary file takes the old file's mode: `sluice.yml`
 * rewritten keeps its permissions. Something that is not a regular file (`--output /dev/stdout`,
 * a FIFO) is written as it is: renaming over it would replace the device or pipe with a file.
 * `sluice retry` and `source_status:` read what the last run wrote; a project file rewritten in
 * place was lost whole to a full disk.
 *
 * @example await writeFileAtomic("target/run_results.json", json);
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  // fs.promises is loaded on first use: the code cache loads this module at every start-up
  // (writeFileAtomicSync), where node:fs/promises cost ~1 ms.
  const { chmod, realpath, rename, rm, stat, writeFile } = fs.promises;
  const file = await realpath(path).catch(() => path);
  const old = await stat(file).catch(() => undefined);
  if (old !== undefined && !old.isFile()) return writeFile(file, data);
  const tmp = tempOf(file);
  try {
    await writeFile(tmp, data);
    if (old !== undefined) await chmod(tmp, old.mode & 0o7777);
    await rename(tmp, file);
  } catch (error) {
    // The write's own error is the one to report, whatever is found at the temporary path.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Replace `file` whole or not at all (see above), synchronously: `write` writes the temporary
 * file it is given (a text, pieces through a file descriptor); it is then renamed into place.
 *
 * @example replaceThroughTemp("target/replay/compile.json", (tmp) => writeFileSync(tmp, json));
 */
export function replaceThroughTemp(file: string, write: (tmp: string) => void): void {
  const tmp = tempOf(file);
  try {
    write(tmp);
    renameSync(tmp, file);
  } catch (error) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The write's own error is the one to report.
    }
    throw error;
  }
}

/** {@link replaceThroughTemp} of one text or buffer. */
export const writeFileAtomicSync = (file: string, data: string | Uint8Array): void =>
  replaceThroughTemp(file, (tmp) => writeFileSync(tmp, data));
