import type { ChecksumsBefore, PackedChecksums } from "@sluice/compiler";
import type { StateNode } from "./read-state.js";
import { rowNode } from "./state-sidecar.js";
import type { NodeRow } from "./state-sidecar.js";

/** A row's fields after its id and checksums: schema, name, kind, materialization, location. */
type RowRest = [string, string, string, string, string];

/**
 * A state's rows as columns, one string each: the rows' fields (in {@link NodeRow} order)
 * joined by `\n`, no field holding one. Parsed from JSON, 7 strings are what 30,000 rows of 7
 * fields were (the state caches are read on every selection with the same state).
 */
export interface NodeColumns {
  count: number;
  columns: string[];
}

/**
 * Each row's compile digest (see `ChecksumsBefore` in @sluice/compiler: the compile memo's digest
 * of the node's JSON), recorded beside the rows so that a selection reuses the checksums of the
 * nodes it compiled the same: `column` holds one line per row, in the rows' order, empty for a
 * node without one; `key` is the `checksumsKey` of the build that made the rows' checksums (a
 * reader of another key ignores them). An optional field of the sidecar's, the state index's
 * and state_manifest.json's values: a state written before it (or by dbt) has none.
 */
export interface StateDigests {
  key: string;
  column: string;
}

/** `,"digests":{...}` of a body's compile digests, or nothing (none recorded). */
export const digestsText = (digests: StateDigests | undefined): string =>
  digests ? `,"digests":${JSON.stringify({ key: digests.key, column: digests.column })}` : "";

/** Whether `value` is {@link StateDigests} of `count` rows. */
export const wholeDigests = (value: unknown, count: number): value is StateDigests =>
  typeof (value as StateDigests | undefined)?.key === "string" &&
  typeof (value as StateDigests).column === "string" &&
  wholeColumns({ count, columns: [(value as StateDigests).column] });

/**
 * The nodes of a state, kept as the rows its sidecar, cache or manifest gave (see
 * {@link NodeRow}), or as their {@link NodeColumns}: a {@link StateNode} is built only when one
 * is asked for. Comparing a state reads each node's packed checksums ({@link packedChecksums})
 * and builds none, which at 10,000 models (30,000 nodes) was a third of reading a state.
 *
 * @example new StateNodes(rows).get("model.funnel")?.relation
 */
export class StateNodes implements ReadonlyMap<string, StateNode> {
  /** Each id's row number; of two rows with one id, the last (as a Map of them would keep). */
  private readonly index = new Map<string, number>();
  private readonly ids: readonly string[];
  private readonly sums: readonly string[];
  /** The other fields of each row, or how to make them (split from columns on first use). */
  private rest: readonly RowRest[] | (() => RowRest[]);
  /** Field `k` of every row (2: schema, 3: name, ...), split from its column once. */
  private readonly column: (k: number) => readonly string[];

  /** {@link StateDigests}' key and column, split when first asked for. */
  private digests: { key: string; column: string | readonly string[] } | undefined;

  /**
   * From rows, or from columns (ids and checksums split at once, the other fields when a node
   * is first asked for), and the rows' compile digests when recorded (see {@link StateDigests};
   * not of as many rows: ignored). Throws when the columns do not hold `count` rows.
   */
  constructor(from: Iterable<NodeRow> | NodeColumns, digests?: StateDigests) {
    if (Symbol.iterator in from) {
      const rows = [...from];
      this.ids = rows.map((r) => r[0]);
      this.sums = rows.map((r) => r[1]);
      this.rest = rows.map((r) => r.slice(2) as RowRest);
      const columnsMade: string[][] = [];
      this.column = (k) => (columnsMade[k] ??= rows.map((r) => r[k]!));
    } else {
      const { count, columns } = from;
      const split = (k: number): string[] => {
        const values = count === 0 ? [] : columns[k]!.split("\n");
        if (values.length !== count) throw new Error(`${values.length} rows where ${count} were`);
        return values;
      };
      this.ids = split(0);
      this.sums = split(1);
      const ids = this.ids;
      this.rest = () => {
        const fields = [2, 3, 4, 5, 6].map(this.column);
        return ids.map((_, i) => fields.map((f) => f[i]!) as RowRest);
      };
      const columnsSplit: string[][] = [];
      this.column = (k) => (columnsSplit[k] ??= split(k));
    }
    this.ids.forEach((id, i) => this.index.set(id, i));
    if (digests && wholeDigests(digests, this.ids.length)) this.digests = { ...digests };
  }

  /**
   * What checksum reuse reads of the state (see `reusedChecksums`): undefined when the state
   * recorded no compile digests, or holds an id twice (reuse reads rows by position).
   */
  checksumsBefore(): ChecksumsBefore | undefined {
    const digests = this.digests;
    if (!digests || !this.uniqueIds()) return undefined;
    return {
      key: digests.key,
      ids: this.ids,
      rowOf: (id) => this.index.get(id),
      digest: (row) => {
        if (typeof digests.column === "string")
          digests.column = this.ids.length === 0 ? [] : digests.column.split("\n");
        return digests.column[row];
      },
      packed: (row) => this.sums[row],
      relation: (row) => ({ schema: this.column(2)[row]!, name: this.column(3)[row]! }),
    };
  }

  /** Whether no id is on two rows. */
  private uniqueIds(): boolean {
    return this.index.size === this.ids.length;
  }

  get size(): number {
    return this.index.size;
  }

  get(id: string): StateNode | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : rowNode(this.row(i))[1];
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /**
   * Each node's checksums as packed in its row (see `packChecksums`), by id, and as the rows
   * (read by position) when no id is on two rows.
   */
  packedChecksums(): PackedChecksums {
    const rowOf = (id: string) => this.index.get(id);
    return {
      get: (id) => {
        const i = this.index.get(id);
        return i === undefined ? undefined : this.sums[i];
      },
      has: (id) => this.index.has(id),
      ...(this.uniqueIds() ? { rows: { ids: this.ids, sums: this.sums, rowOf } } : {}),
    };
  }

  /** The rows, in order (one per id). */
  rowList(): NodeRow[] {
    return [...this.index.values()].map((i) => this.row(i));
  }

  /** Row `i` whole. */
  private row(i: number): NodeRow {
    if (typeof this.rest === "function") this.rest = this.rest();
    return [this.ids[i]!, this.sums[i]!, ...this.rest[i]!];
  }

  *entries(): MapIterator<[string, StateNode]> {
    for (const i of this.index.values()) yield rowNode(this.row(i));
  }

  keys(): MapIterator<string> {
    return this.index.keys();
  }

  *values(): MapIterator<StateNode> {
    for (const [, node] of this.entries()) yield node;
  }

  [Symbol.iterator](): MapIterator<[string, StateNode]> {
    return this.entries();
  }

  forEach(
    callback: (value: StateNode, key: string, map: ReadonlyMap<string, StateNode>) => void,
    thisArg?: unknown,
  ): void {
    for (const [id, node] of this.entries()) callback.call(thisArg, node, id, this);
  }
}

/**
 * Rows as {@link NodeColumns}, or undefined when a field holds a `\n` (to be kept as rows).
 *
 * @example rowColumns([["model.a", "3f1c a0   ", "marts", "a", "model", "table", ""]])?.count // 1
 */
export function rowColumns(rows: readonly NodeRow[]): NodeColumns | undefined {
  const columns = [0, 1, 2, 3, 4, 5, 6].map((k) => rows.map((r) => r[k]).join("\n"));
  const lines = Math.max(0, rows.length - 1);
  return columns.every((c) => countNewlines(c) === lines)
    ? { count: rows.length, columns }
    : undefined;
}

/**
 * A state body encoded once for both places that hold it, the manifest's state index and
 * `manifest.state.json`: its rows as {@link NodeColumns} and their JSON text (`JSON.stringify`
 * of the column strings) UTF-8 encoded, or undefined when a field holds a `\n` (kept as rows).
 * At 10,000 models joining and serializing 30,000 rows' columns once per place was a tenth of a
 * one-model-changed manifest write, and encoding their 6 MB once per place a few percent more.
 *
 * @example encodeColumns([["model.a", "", "marts", "a", "model", "table", ""]])?.json[0]?.toString().startsWith('["model.a"') // true
 */
export interface EncodedColumns {
  count: number;
  /**
   * `JSON.stringify(columns)` of {@link NodeColumns}' columns, UTF-8, as pieces to write in
   * order: the one-edit path's columns are the previous sidecar's bytes with a few rows put in
   * (see `splicedColumns`), never joined (at 10,000 models a fresh 5.7 MB Buffer per compile).
   */
  json: readonly Buffer[];
  /**
   * Whether `json` escapes nothing but the newlines between rows (no field holds a `"`, `\\`
   * or control character): each column's text is then its lines joined by the two characters
   * `\n`, which a writer can splice without parsing (see manifest-edit.ts).
   */
  plain: boolean;
}

export function encodeColumns(rows: readonly NodeRow[]): EncodedColumns | undefined {
  const columns = rowColumns(rows);
  if (!columns) return undefined;
  const text = JSON.stringify(columns.columns);
  // Brackets and commas, each column's quotes and one more character per newline escaped.
  const plainLength = columns.columns.reduce(
    (n, c) => n + c.length + 2 + Math.max(0, columns.count - 1),
    2 + columns.columns.length - 1,
  );
  return { count: columns.count, json: [Buffer.from(text)], plain: text.length === plainLength };
}

/** {@link rowColumns}' columns back to rows; throws when a column does not hold `count` rows. */
export function columnRows({ count, columns }: NodeColumns): NodeRow[] {
  const fields = [0, 1, 2, 3, 4, 5, 6].map((k) => {
    const values = count === 0 ? [] : columns[k]!.split("\n");
    if (values.length !== count) throw new Error(`${values.length} rows where ${count} were`);
    return values;
  });
  return fields[0]!.map((_, i) => fields.map((f) => f[i]!) as NodeRow);
}

/** Whether columns hold `count` rows each (as {@link rowColumns} wrote them): strings of `count - 1` newlines. */
export function wholeColumns({ count, columns }: NodeColumns): boolean {
  const lines = Math.max(0, count - 1);
  return columns.every((c) => typeof c === "string" && countNewlines(c) === lines);
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
