import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { writeFileAtomicSync } from "@sluice/runner/atomic-file";
import { isDeadTemp } from "@sluice/runner/dead-temps";

/**
 * How long a segment the index no longer names is kept once it was first found so (see
 * {@link removeOrphans}). Another sluice command that read the index before it was replaced (an
 * `ls` or a build next to a `compile`, an editor's command next to the terminal's) reads its
 * nodes from their segments as it goes: removed at once, such a command stopped with "is gone
 * (another sluice command writing the same target/...)". Enough for any command's reads but a
 * very long build's; the cost is the replaced segments' bytes for that long.
 */
export const ORPHAN_GRACE_MS = 15 * 60_000;

/**
 * A segment this command read from is gone or changed: another command replaced it longer than
 * {@link ORPHAN_GRACE_MS} ago, or removed `target/` by hand. The machine's state, not a bug in
 * sluice: the CLI prints the one line (exit 1), which says to run the command again.
 */
export class SegmentGoneError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SegmentGoneError";
  }
}

/** The ledger of `dir`'s orphans: segment name → when it was first found unnamed (ms). */
export const ORPHANS_FILE = ".orphans.json";

/**
 * Remove the files in `dir` but `kept` (and the ledger): the temporary files of writes killed
 * (`<name>.<pid>.tmp` of a process gone; another command's write in progress is left alone: it
 * once failed at its rename), and segments first found unnamed {@link ORPHAN_GRACE_MS} or more
 * before `now`; record the other segments' first sighting in the ledger. Concurrent writers of
 * the ledger can lose each other's sightings: such a segment is then kept longer, never removed
 * sooner.
 */
export function removeOrphans(dir: string, kept: readonly string[], now = Date.now()): void {
  const names = new Set([...kept, ORPHANS_FILE]);
  let listed: string[];
  try {
    listed = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of listed.filter(isDeadTemp)) rmSync(path.join(dir, name), { force: true });
  const orphans = listed.filter((name) => !names.has(name) && !name.endsWith(".tmp"));
  const ledger = path.join(dir, ORPHANS_FILE);
  const seen = orphans.length > 0 ? readLedger(ledger) : {};
  const still: Record<string, number> = {};
  for (const name of orphans) {
    const since = seen[name] ?? now;
    if (now - since >= ORPHAN_GRACE_MS) rmSync(path.join(dir, name), { force: true });
    else still[name] = since;
  }
  if (Object.keys(still).length === 0) {
    if (listed.includes(ORPHANS_FILE)) rmSync(ledger, { force: true });
  } else if (JSON.stringify(still) !== JSON.stringify(seen))
    writeFileAtomicSync(ledger, JSON.stringify(still));
}

/** The ledger's sightings; none when it is missing or not such a record. */
function readLedger(file: string): Record<string, number> {
  try {
    const value: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(
      Object.entries(value).filter((e): e is [string, number] => typeof e[1] === "number"),
    );
  } catch {
    return {};
  }
}

/**
 * The files of segment folder `dir` the store is made of: all but the replaced segments kept
 * for other commands' reads and their ledger (what a compile with no other command beside it
 * would have left).
 */
export function liveSegmentFiles(dir: string): string[] {
  const kept = readLedger(path.join(dir, ORPHANS_FILE));
  return readdirSync(dir).filter((name) => name !== ORPHANS_FILE && !Object.hasOwn(kept, name));
}
