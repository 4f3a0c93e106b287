import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { QuarantinedRaw, RawHourCensus, RawWindowLoad, RawZone } from "../engine.js";
import { zoneHourFiles } from "./raw-hours.js";
import { countRecords } from "./raw-line-count.js";
import { openRawFile, splitLines } from "./raw-file-reader.js";

/** Lines longer than this are quarantined (bytes kept as a file), not handed to SQL. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Where the lake keeps the bytes of quarantined raw lines: `<lake>/.sluice/quarantine/...`. */
export const QUARANTINE_DIR = join(".sluice", "quarantine");

/** Files read at once (decompression runs on libuv's pool). */
const PARALLEL_FILES = 4;

export interface LoadRawOptions {
  connection: DuckDBConnection;
  lakeDir: string;
  /** The raw zone (root absolute). */
  zone: RawZone;
  /** Hour folders to read, `YYYY/MM/DD/HH`. */
  hours: readonly string[];
  /**
   * Name of the temporary table to (re)create with the lines: columns `line`, `dt` (`line`,
   * `event_type`, `dt` for a zone partitioned by event type).
   */
  table: string;
  /** The table's DDL (the dialect writes SQL, not the engine). */
  createTableSql: string;
}

/**
 * Read the raw hours' files from their bytes into a temporary table (`line`, `dt`; `line`,
 * `event_type`, `dt` for a zone partitioned by event type, the hour's folders of every declared
 * type together), one row per
 * line (empty, whitespace-only, NUL-bearing lines included; invalid UTF-8 as U+FFFD, its bytes kept
 * in the quarantine), and count each file's records independently from the decompressed bytes.
 * Unreadable files (empty, bad gzip, binary) and oversized lines are quarantined and reported,
 * never fatal.
 */
export async function loadRawWindow(options: LoadRawOptions): Promise<RawWindowLoad> {
  const { connection, zone, table } = options;
  const root = zone.location;
  const byType = zone.eventTypes !== undefined;
  await connection.run(options.createTableSql);
  const appender = await connection.createAppender(table, "main", "temp");
  const census = new Map<string, RawHourCensus>();
  const quarantined: QuarantinedRaw[] = [];
  const quarantineRoot = join(options.lakeDir, QUARANTINE_DIR, relative(options.lakeDir, root));
  try {
    for (const dt of options.hours) {
      const hour: RawHourCensus = {
        files: 0,
        bytes: 0,
        records: 0,
        quarantinedRecords: 0,
        quarantinedFiles: 0,
      };
      census.set(dt, hour);
      const files = zoneHourFiles(zone, dt);
      for (let i = 0; i < files.length; i += PARALLEL_FILES) {
        const batch = files.slice(i, i + PARALLEL_FILES);
        const opened = await Promise.all(
          batch.map(async ({ path, eventType }) => {
            const bytes = await readFile(path).catch(() => undefined);
            return { path, eventType, bytes, content: bytes && (await openRawFile(bytes)) };
          }),
        );
        for (const { path, eventType, bytes, content } of opened) {
          // Removed since the listing: not there.
          if (!bytes || !content) continue;
          hour.files++;
          hour.bytes += bytes.length;
          if ("problem" in content) {
            hour.quarantinedFiles++;
            quarantined.push({
              kind: "file",
              path,
              dt,
              size: bytes.length,
              reason: content.problem,
              detail: content.detail,
            });
            continue;
          }
          hour.records += countRecords(content.data);
          for (const line of splitLines(content.data, MAX_LINE_BYTES)) {
            if (line.problem) {
              const copy = join(quarantineRoot, `${relative(root, path)}.line-${line.number}.bin`);
              await mkdir(dirname(copy), { recursive: true });
              await writeFile(copy, line.bytes!);
              quarantined.push({
                kind: "line",
                path,
                dt,
                line: line.number,
                size: line.bytes!.length,
                reason: line.problem,
                copy,
              });
              if (line.problem === "oversized_line") {
                hour.quarantinedRecords++;
                continue;
              }
            }
            appender.appendVarchar(line.text);
            if (byType) appender.appendVarchar(eventType!);
            appender.appendVarchar(dt);
            appender.endRow();
          }
        }
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return { relation: `temp.main.${table}`, hours: census, quarantined };
}
