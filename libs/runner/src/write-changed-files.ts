import { hash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { utf8Bytes } from "./artifacts/reused-bytes.js";
import { writeFileAtomicSync } from "./artifacts/atomic-file.js";

/** A file's text, whole or as its pieces in order (written as their join, never joined). */
export type FileText = string | readonly string[];

/**
 * Make each folder in `roots` hold exactly `files` (absolute path → text) below it: a file whose
 * text is already on disk is left alone, others are written, and files or folders under the roots
 * that are not in `files` are removed. Files outside the roots are written the same way but
 * nothing beside them is removed.
 *
 * With `index` (a JSON file of path → content hash, written by the previous call), a file under
 * the roots whose recorded hash matches is not read back: at 10,000 models that is 60,000 reads
 * saved on every compile. A file edited by hand in those folders is then rewritten only when
 * sluice's text for it changes; delete the index (or the folder) to force a full comparison.
 *
 * A text may be given as a function, called only when the text is needed, and as pieces. `kept`: files the
 * caller knows are what the previous call wrote for them (e.g. packed shards whose members'
 * node digests are the same): one of them that the listing shows and the index records is left
 * alone without asking for its text, as if it hashed as recorded. `spared`: files under the
 * roots that someone else writes (a run's executed statements and plans): never removed (nor
 * their folders), and not in the index. `carried`: a folder (outside the roots) whose files are
 * left as they are, their hashes kept in the index as recorded (a later call with it among its
 * roots trusts them as before).
 *
 * Synchronous on purpose: most artifacts are unchanged between runs (only statements holding the
 * run id change), and comparing small files on the main thread costs less than queueing
 * a delete and a write for each on libuv's pool, where they would wait in line with the
 * engine's own file work.
 */
export function writeChangedFiles(
  roots: readonly string[],
  files: ReadonlyMap<string, FileText | (() => FileText)>,
  options: {
    index?: string;
    kept?: ReadonlySet<string>;
    spared?: ReadonlySet<string>;
    carried?: string;
  } = {},
): { written: number; removed: number } {
  const spared = options.spared ?? new Set<string>();
  const keepDirs = new Set<string>();
  for (const file of [...files.keys(), ...spared]) {
    for (
      let dir = path.dirname(file);
      !keepDirs.has(dir) && dir !== path.dirname(dir);
      dir = path.dirname(dir)
    )
      keepDirs.add(dir);
  }
  const recorded = options.index === undefined ? {} : readIndex(options.index);
  const listed = new Set<string>();
  let removed = 0;
  for (const root of roots) {
    let entries;
    try {
      entries = readdirSync(root, { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    // Parents come before their children in the listing; a removed folder takes its children along.
    const gone = new Set<string>();
    for (const entry of entries) {
      const full = path.join(entry.parentPath, entry.name);
      if (gone.has(entry.parentPath)) {
        if (entry.isDirectory()) gone.add(full);
        continue;
      }
      const stale = entry.isDirectory()
        ? !keepDirs.has(full)
        : !files.has(full) && !spared.has(full);
      if (!stale) {
        if (!entry.isDirectory()) listed.add(full);
        continue;
      }
      rmSync(full, { recursive: true, force: true });
      if (entry.isDirectory()) gone.add(full);
      removed += 1;
    }
  }
  let written = 0;
  const made = new Set<string>();
  const hashes: Record<string, string> = {};
  const carried = options.carried;
  if (carried !== undefined)
    for (const [file, digest] of Object.entries(recorded))
      if (file.startsWith(carried + path.sep)) hashes[file] = digest;
  for (const [file, given] of files) {
    const known = options.kept?.has(file) && listed.has(file) ? recorded[file] : undefined;
    if (known !== undefined) {
      hashes[file] = known;
      continue;
    }
    // Encoded once, into one reused buffer: hashed, compared and written as these bytes.
    const bytes = utf8Bytes(typeof given === "function" ? given() : given);
    const digest = hash("sha1", bytes, "base64");
    hashes[file] = digest;
    // A file the listing did not show is new: no read (a failed read costs an exception).
    const onDisk = listed.has(file) || !isUnderRoots(file, roots);
    const unchanged = listed.has(file) && recorded[file] === digest;
    if (unchanged || (onDisk && bytesOr(file)?.equals(bytes))) continue;
    // The index goes before the first write: after a write killed half-way, the next call
    // compares what is on disk instead of trusting hashes of files it may have torn.
    if (written === 0 && options.index !== undefined) rmSync(options.index, { force: true });
    const dir = path.dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(file, bytes);
    written += 1;
  }
  const sameIndex =
    written === 0 &&
    removed === 0 &&
    Object.keys(recorded).length === Object.keys(hashes).length &&
    Object.entries(hashes).every(([file, digest]) => recorded[file] === digest);
  if (options.index !== undefined && !sameIndex) {
    mkdirSync(path.dirname(options.index), { recursive: true });
    writeFileAtomicSync(options.index, JSON.stringify(hashes));
  }
  return { written, removed };
}

/** The previous call's path → hash record; empty when missing or unreadable. */
export function readIndex(file: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

const isUnderRoots = (file: string, roots: readonly string[]): boolean =>
  roots.some((root) => file.startsWith(root + path.sep));

/** A file's bytes, or undefined when it cannot be read. */
function bytesOr(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** A file's text, or undefined when it cannot be read. */
export function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
