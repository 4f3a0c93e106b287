import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";

/**
 * The test's own count of raw lines, from the bytes, per hour folder: every readable file (plain
 * or gzip by magic number) decompressed and its `\n`-delimited records counted. Written here, in
 * the test, so the build's reconciliation is checked against something it does not share.
 * Unreadable files (empty, bad gzip, mostly control bytes) are listed apart.
 */
export function countRawLines(rawDir: string): {
  byHour: Map<string, number>;
  total: number;
  unreadable: string[];
} {
  const byHour = new Map<string, number>();
  const unreadable: string[] = [];
  let total = 0;
  for (const e of readdirSync(rawDir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith(".")) continue;
    const rel = path.relative(rawDir, path.join(e.parentPath, e.name));
    const parts = rel.split(path.sep);
    if (parts.length !== 5) continue;
    const bytes = readFileSync(path.join(rawDir, rel));
    let data: Buffer = bytes;
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        data = gunzipSync(bytes);
      } catch {
        unreadable.push(rel);
        continue;
      }
    }
    const control = [...data.subarray(0, 8192)].filter(
      (b) => (b < 32 && ![9, 10, 12, 13].includes(b)) || b === 127,
    ).length;
    if (bytes.length === 0 || control > Math.min(data.length, 8192) * 0.1) {
      unreadable.push(rel);
      continue;
    }
    let lines = 0;
    for (const b of data) if (b === 10) lines++;
    if (data.length > 0 && data[data.length - 1] !== 10) lines++;
    const hour = parts.slice(0, 4).join("/");
    byHour.set(hour, (byHour.get(hour) ?? 0) + lines);
    total += lines;
  }
  return { byHour, total, unreadable: unreadable.sort() };
}
