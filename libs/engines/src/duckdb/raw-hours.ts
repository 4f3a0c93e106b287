import { createHash } from "node:crypto";
import { readdirSync, statSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { eventTypeFolder, type RawZone } from "../engine.js";

/** A raw zone's hours as listed: hour → file signature, and what sits outside the layout. */
export interface RawZoneListing {
  /** `YYYY/MM/DD/HH` → signature of the hour's files (names, sizes, modification times). */
  hours: Map<string, string>;
  /**
   * Paths (relative to the zone) that are not in the zone's layout (`YYYY/MM/DD/HH/<file>`, under
   * a declared `event_type=<t>/` when partitioned by event type) and are therefore not read:
   * files at the wrong depth, folders with other names, folders inside an hour, links (said
   * so). Only the folders listed (from `from` on) are looked at.
   */
  strays: string[];
  /**
   * The newest hour listed and the latest modification time of its files or objects (file
   * mtime, S3 LastModified): how fresh the zone is, without reading any data.
   */
  newest?: { hour: string; modifiedMs: number };
}

/** Files whose name starts with "." are in flight (written under a temporary name): not read. */
export const isInFlight = (name: string): boolean => name.startsWith(".");

const LEVELS = [/^\d{4}$/, /^\d{2}$/, /^\d{2}$/, /^\d{2}$/] as const;

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch {
    return [];
  }
}

/** The files of one hour folder (not in flight), sorted, with their size and modification time. */
export function hourFiles(hourDir: string): { name: string; size: number; mtimeMs: number }[] {
  const out: { name: string; size: number; mtimeMs: number }[] = [];
  for (const e of entries(hourDir)) {
    if (!e.isFile() || isInFlight(e.name)) continue;
    try {
      const s = statSync(join(hourDir, e.name));
      out.push({ name: e.name, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) });
    } catch {
      // Removed between the listing and the stat: it is not there.
    }
  }
  return out;
}

/** A file of a raw hour: its name inside the zone's layout, size and modification time. */
interface HourFile {
  name: string;
  size: number;
  mtimeMs: number;
}

/**
 * The raw hours of a raw zone (`YYYY/MM/DD/HH`, Firehose's layout, under each declared
 * `event_type=<t>/` folder when the zone is partitioned by event type) from hour `from` on (all
 * of them without it), each with a signature of its files that changes when a file lands, goes,
 * grows or is rewritten (names, sizes and modification times; no file is read). Folders before
 * `from` are not opened, so a run lists its window, not the lake's whole history. In a zone
 * partitioned by event type an hour's signature covers that hour's folders of every declared
 * type; folders of other types are strays.
 *
 * @example listRawZone({ location: "/lake/raw/events" }, "2026/11/27/20").hours.get("2026/11/27/23") // "12:3f9a…"
 */
export function listRawZone(zone: RawZone, from = ""): RawZoneListing {
  const strays: string[] = [];
  const byHour = new Map<string, HourFile[]>();
  for (const { dir, folder } of zoneFolders(zone, strays))
    for (const [hour, files] of listHourFolders(dir, from, folder, strays)) {
      const named =
        folder === "" ? files : files.map((f) => ({ ...f, name: `${folder}/${f.name}` }));
      byHour.set(hour, [...(byHour.get(hour) ?? []), ...named]);
    }
  const hours = new Map<string, string>();
  for (const hour of [...byHour.keys()].sort()) hours.set(hour, signatureOf(byHour.get(hour)!));
  const last = [...hours.keys()].at(-1);
  const newest =
    last === undefined
      ? undefined
      : { hour: last, modifiedMs: Math.max(...byHour.get(last)!.map((f) => f.mtimeMs)) };
  return { hours, strays, ...(newest ? { newest } : {}) };
}

/**
 * The folders of a zone that hold hour folders: the root, or each declared event type's folder
 * (`folder` is its path inside the zone). Anything else at the root of a zone partitioned by
 * event type is pushed to `strays`.
 */
function zoneFolders(zone: RawZone, strays: string[]): { dir: string; folder: string }[] {
  if (zone.eventTypes === undefined) return [{ dir: zone.location, folder: "" }];
  const declared = new Set(zone.eventTypes.map(eventTypeFolder));
  const out: { dir: string; folder: string }[] = [];
  for (const e of entries(zone.location)) {
    if (isInFlight(e.name)) continue;
    if (e.isDirectory() && declared.has(e.name))
      out.push({ dir: join(zone.location, e.name), folder: e.name });
    else strays.push(e.isDirectory() ? `${e.name}/` : e.name);
  }
  return out;
}

/** What a directory entry that is neither a file, a folder nor a link is, in words. */
function specialKind(e: Dirent): string {
  if (e.isFIFO()) return "a FIFO";
  if (e.isSocket()) return "a socket";
  return e.isBlockDevice() || e.isCharacterDevice() ? "a device" : "not a regular file";
}

/** The hour folders with files under `root` from `from` on; paths off the layout to `strays`. */
function listHourFolders(
  root: string,
  from: string,
  folder: string,
  strays: string[],
): Map<string, HourFile[]> {
  const hours = new Map<string, HourFile[]>();
  const stray = (path: string) => strays.push(folder === "" ? path : `${folder}/${path}`);
  // A folder whose path sorts before `from`'s prefix of the same depth holds only older hours.
  const before = (path: string): boolean => path < from.slice(0, path.length);
  const walk = (dir: string, rel: string, depth: number): void => {
    for (const e of entries(dir)) {
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      if (isInFlight(e.name)) continue;
      // Said as what it is: the lake's raw view reads no linked file or folder either.
      if (e.isSymbolicLink()) {
        stray(`${path} (a link, not followed: move what it names into the raw zone)`);
        continue;
      }
      if (depth === 4) {
        // Inside an hour folder only files belong: a folder, or a FIFO, socket or device (never
        // opened: reading a FIFO would wait for a writer).
        if (e.isDirectory()) stray(`${path}/`);
        else if (!e.isFile()) stray(`${path} (${specialKind(e)}, not a file)`);
        continue;
      }
      if (!e.isDirectory() || !LEVELS[depth]!.test(e.name)) {
        stray(e.isDirectory() ? `${path}/` : path);
        continue;
      }
      if (before(path)) continue;
      if (depth < 3) walk(join(dir, e.name), path, depth + 1);
      else {
        const files = hourFiles(join(dir, e.name));
        if (files.length > 0) hours.set(path, files);
        walk(join(dir, e.name), path, 4);
      }
    }
  };
  walk(root, "", 0);
  return hours;
}

/**
 * The files of one raw hour of a zone, with their path: in a zone partitioned by event type,
 * the hour's folder of each declared type (in the order declared), with that type.
 */
export function zoneHourFiles(
  zone: RawZone,
  dt: string,
): { path: string; name: string; eventType?: string; size: number; mtimeMs: number }[] {
  if (zone.eventTypes === undefined)
    return hourFiles(join(zone.location, dt)).map((f) => ({
      ...f,
      path: join(zone.location, dt, f.name),
    }));
  return zone.eventTypes.flatMap((eventType) => {
    const dir = join(zone.location, eventTypeFolder(eventType), dt);
    return hourFiles(dir).map((f) => ({ ...f, eventType, path: join(dir, f.name) }));
  });
}

function signatureOf(files: readonly HourFile[]): string {
  const text = files.map((f) => `${f.name}\t${f.size}\t${f.mtimeMs}`).join("\n");
  return `${files.length}:${createHash("sha1").update(text).digest("hex")}`;
}

/**
 * File times come from the kernel's coarse clock, which can lag the process clock by a few
 * milliseconds: a folder changed just after a listing must not look older than it.
 */
const CLOCK_SLACK_MS = 50;

/**
 * Each hour folder of a raw zone with the time it last changed (a file landed, was renamed into
 * place or removed: mtime; the folder itself was moved in: ctime). Stats every hour folder of the
 * zone's history (four weeks: ~700 stats); no file is read. A run takes it once per zone (see
 * `hoursChangedSince`).
 */
export function hourFolderTimes(zone: RawZone): Map<string, number> {
  const times = new Map<string, number>();
  const walk = (dir: string, rel: string, depth: number): void => {
    for (const e of entries(dir)) {
      if (!e.isDirectory() || !LEVELS[depth]!.test(e.name)) continue;
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      if (depth < 3) {
        walk(join(dir, e.name), path, depth + 1);
        continue;
      }
      try {
        const s = statSync(join(dir, e.name));
        // An hour of a zone partitioned by event type changed when any type's folder did.
        times.set(path, Math.max(times.get(path) ?? 0, s.mtimeMs, s.ctimeMs));
      } catch {
        // Gone since the listing.
      }
    }
  };
  const roots =
    zone.eventTypes === undefined
      ? [zone.location]
      : zone.eventTypes.map((t) => join(zone.location, eventTypeFolder(t)));
  for (const root of roots) walk(root, "", 0);
  return times;
}

/**
 * Hour folders before `before` whose folder changed at or after `sinceMs` (see
 * `hourFolderTimes`): late files older than an incremental window.
 *
 * @example hoursChangedSince(hourFolderTimes("/lake/raw/events"), listedAt, "2026/11/27/08") // ["2026/11/26/23"]
 */
export function hoursChangedSince(
  times: ReadonlyMap<string, number>,
  sinceMs: number,
  before: string,
): string[] {
  const changed: string[] = [];
  for (const [path, time] of times)
    if (path < before && time >= sinceMs - CLOCK_SLACK_MS) changed.push(path);
  return changed.sort();
}
