import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function entries(dir: string, files: boolean): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => (files ? e.isFile() : e.isDirectory()))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * The raw hour folders (`YYYY/MM/DD/HH`, Firehose's layout) under a raw zone root from hour `from`
 * on (all of them without it), each with a signature of its files (count and names) that changes
 * when a file lands there. Folders before `from` are not opened, so a run lists its window, not
 * the lake's whole history (a week of hours was ~180 folder listings, ~5-18 ms, and it grew).
 *
 * @example listRawHours("/lake/raw/events", "2026/11/27/20").get("2026/11/27/23") // "12:3f9a…"
 */
export function listRawHours(root: string, from = ""): Map<string, string> {
  const hours = new Map<string, string>();
  // A folder whose path sorts before `from`'s prefix of the same depth holds only older hours.
  const before = (path: string): boolean => path < from.slice(0, path.length);
  for (const y of entries(root, false)) {
    if (before(y)) continue;
    for (const m of entries(join(root, y), false)) {
      if (before(`${y}/${m}`)) continue;
      for (const d of entries(join(root, y, m), false)) {
        if (before(`${y}/${m}/${d}`)) continue;
        for (const h of entries(join(root, y, m, d), false)) {
          const hour = `${y}/${m}/${d}/${h}`;
          if (hour < from) continue;
          const files = entries(join(root, y, m, d, h), true);
          if (files.length === 0) continue;
          hours.set(hour, `${files.length}:${createHash("sha1").update(files.join("\n")).digest("hex")}`);
        }
      }
    }
  }
  return hours;
}
