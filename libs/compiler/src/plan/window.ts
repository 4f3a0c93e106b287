import { LOOKBACK_PATTERN } from "@sluice/project/run-time";
import { bindListed } from "./listed.js";
/** Incremental SQL calls this to get the first raw partition to read, as a literal. */
export const INCREMENTAL_FROM_CALL = /\bsluice_incremental_from\(\s*\)/gi;

/** Before any real partition: a full read. */
export const NO_WATERMARK = "0000/00/00/00";

/** Default lookback (hours) when a model sets no `lookback` (the project's var lookback_hours). */
export const DEFAULT_LOOKBACK_HOURS = 3;

/**
 * The first raw hour (`YYYY/MM/DD/HH`) an incremental run reads: `lookbackHours` before the
 * watermark (the newest hour already processed is read again, late files may land in it).
 *
 * @example incrementalFrom("2026/11/28/01", 3) // "2026/11/27/22"
 */
export function incrementalFrom(watermark: string | undefined, lookbackHours: number): string {
  const m = watermark === undefined ? null : /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})$/.exec(watermark);
  if (!m) return NO_WATERMARK;
  const t =
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])) -
    lookbackHours * 3_600_000;
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCHours())}`;
}

/** Lookback hours from the model config (`lookback: 3`, `lookback: '6 hours'`). */
export function lookbackHours(config: Record<string, unknown>): number {
  const raw = config["lookback"];
  if (typeof raw === "number" && Number.isFinite(raw) && raw >= 0) return raw;
  // The compiler has validated it (a bad value is CONFIG_VALUE_INVALID, never this default).
  const m = typeof raw === "string" ? LOOKBACK_PATTERN.exec(raw) : null;
  return m ? Number(m[1]) : DEFAULT_LOOKBACK_HOURS;
}

/** The column holding the raw hour of each row (`watermark_column`, default `dt`). */
export function watermarkColumn(node: { config: object }): string {
  const configured = (node.config as Record<string, unknown>)["watermark_column"];
  return typeof configured === "string" ? configured : "dt";
}

/** `sluice_raw_window("schema"."table")`, what `source_window()` renders in incremental SQL. */
const RAW_WINDOW_CALL = /\bsluice_raw_window\(\s*("(?:[^"]|"")*"\."(?:[^"]|"")*")\s*\)/g;

/** `sluice_ref_window("schema"."table", 'column')`, what `ref_window()` renders in incremental SQL. */
const REF_WINDOW_CALL =
  /\bsluice_ref_window\(\s*("(?:[^"]|"")*"\."(?:[^"]|"")*")\s*,\s*'((?:[^']|'')*)'\s*\)/g;

/** How the window calls of one statement are bound; each gives undefined to keep the plain relation. */
export interface WindowReads {
  /** For `sluice_raw_window(relation)`: the raw hour folders of the window. */
  raw?: (relation: string) => string | undefined;
  /** For `sluice_ref_window(relation, column)`: the files of the partitions of the window. */
  ref?: (relation: string, column: string) => string | undefined;
  /**
   * For `sluice_listed((subquery))` (listed.ts): the values of the subquery as a literal list,
   * keyed by the subquery's text as the statement has it; undefined keeps the subquery.
   */
  listed?: (subquery: string) => string | undefined;
}

/** The `ref_window()` calls of `sql`, as (relation, column) pairs. */
export function refWindowCalls(sql: string): { relation: string; column: string }[] {
  return [...sql.matchAll(REF_WINDOW_CALL)].map((m) => ({
    relation: m[1]!,
    column: m[2]!.replaceAll("''", "'"),
  }));
}

/**
 * Replace the window calls with literals so the engine reads only the window's partitions:
 * `sluice_incremental_from()` with `fromLiteral`, `sluice_raw_window(relation)` and
 * `sluice_ref_window(relation, column)` with what `reads` gives (the relation itself when it gives
 * nothing; the SQL keeps its own `>= sluice_incremental_from()` filter either way).
 */
export function bindWindow(sql: string, fromLiteral: string, reads: WindowReads = {}): string {
  return bindWindowReads(bindWindowStart(sql, fromLiteral), reads);
}

/** Replace `sluice_incremental_from()` only: the window calls stay, for the run to bind. */
export function bindWindowStart(sql: string, fromLiteral: string): string {
  return sql.replace(INCREMENTAL_FROM_CALL, fromLiteral);
}

/**
 * Replace `sluice_raw_window(relation)` and `sluice_ref_window(relation, column)` with what `reads`
 * gives, or the relation itself (a plan's statements keep them: what they read is the run's), and
 * `sluice_listed((subquery))` with the literal list `reads.listed` gives, or the subquery.
 */
export function bindWindowReads(sql: string, reads: WindowReads): string {
  return bindRawWindow(bindListed(sql, reads.listed), reads.raw).replace(
    REF_WINDOW_CALL,
    (_, relation: string, column: string) =>
      reads.ref?.(relation, column.replaceAll("''", "'")) ?? relation,
  );
}

/**
 * Replace `sluice_raw_window(relation)` with what `raw` gives (the run's raw table), or the relation
 * itself: statements of full builds and table models, which have no window start to bind.
 */
export function bindRawWindow(sql: string, raw?: (relation: string) => string | undefined): string {
  return sql.replace(RAW_WINDOW_CALL, (_, relation: string) => raw?.(relation) ?? relation);
}

/** The model's incremental SQL reads a window (`sluice_incremental_from()`). */
export const usesWindow = (node: { sql: string; incrementalSql?: string }): boolean =>
  new RegExp(INCREMENTAL_FROM_CALL.source, "i").test(node.incrementalSql ?? node.sql);

const HOUR = /^\d{4}\/\d{2}\/\d{2}\/\d{2}$/;

/**
 * The first raw hour an incremental run of `node` reads, from what its table records: the
 * watermark minus the model's lookback, earlier when hours are still pending (not balanced by
 * a reconciliation: read again); everything (NO_WATERMARK) with no watermark or no window.
 *
 * @example windowStart(node, { watermark: "2026/11/27/05", pending: "2026/11/26/23" }) // "2026/11/26/23" (lookback 3)
 */
export function windowStart(
  node: { sql: string; incrementalSql?: string; config: object },
  recorded: { watermark?: string; pending?: string },
): string {
  if (!usesWindow(node)) return NO_WATERMARK;
  const from = incrementalFrom(
    recorded.watermark,
    lookbackHours(node.config as Record<string, unknown>),
  );
  const pending = recorded.pending;
  return pending !== undefined && HOUR.test(pending) && pending < from ? pending : from;
}
