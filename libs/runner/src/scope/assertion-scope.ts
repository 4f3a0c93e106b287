import type { CompiledNode, KeyLookup, NewDataScope, PassLayout } from "@sluice/compiler";
import { isLakeDialect, type Dialect } from "@sluice/dialects";
import type { WrittenPartitions } from "@sluice/engines";
import type { WrittenRows } from "./written-partition-files.js";

/** What a run's assertions read: what the run wrote or read (`incremental`), or everything. */
export type ScopeMode = "incremental" | "full";

/** The data an assertion ran on, as every result states it. */
export interface AssertionScope {
  kind: "incremental" | "full";
  /** In words: `2 partitions of event_date written this run (2026-11-27, 2026-11-28)`. */
  detail: string;
}

/** What scoping a test needs from the run. */
export interface ScopeInput {
  dialect: Dialect;
  mode: ScopeMode;
  /** Node id → the partitions its incremental build wrote in this run. */
  written: ReadonlyMap<string, WrittenPartitions>;
  /** The tested node (`attachedTo`), when it is a relation of the project. */
  subject?: CompiledNode;
  /** Set when the test reads a raw source through the run's raw table: its first hour. */
  rawFrom?: string;
  /** The relations the test reads (its `dependsOn` nodes), for a `partitions` scope. */
  reads?: readonly CompiledNode[];
  /**
   * Quoted relation → a relation reading only the files of its written partitions (or a
   * superset; see `writtenPartitionFiles`), read instead of the table to find those partitions.
   */
  partitionFiles?: ReadonlyMap<string, string>;
  /**
   * Quoted relation → its version published this run, split into the files this run wrote and
   * those carried (see `writtenRows`): a `keys` check reads the written rows' keys from these.
   */
  writtenRows?: ReadonlyMap<string, WrittenRows>;
}

/** A test's scope and how to narrow its SQL to it (`bind`); `empty`: no new data to check. */
export interface BoundScope {
  scope: AssertionScope;
  /** Which pass of a DQDL rule applies (see `TestAssertion.passes`). */
  layout: PassLayout;
  empty: boolean;
  bind(sql: string): string;
}

const NO_WATERMARK = "0000/00/00/00";
const same = (sql: string): string => sql;

/**
 * The scope of one test in this run. In `incremental` mode, a test with a `newData` scope on a
 * model whose incremental build this run wrote known partitions reads those partitions (`rows`)
 * or the rows of the keys found there, in the whole table (`keys`), through its relation's name
 * replaced by a subquery; a test of a raw source reads the raw hours the run read (the lake binds
 * it to the run's raw table). Anything else reads the whole table and says why.
 *
 * @example
 * scopeOf(notNullEventId, { mode: "incremental", written, subject: events, dialect }).scope;
 * // { kind: "incremental", detail: "1 partition of event_date written this run (2026-11-27)" }
 */
export function scopeOf(node: CompiledNode, input: ScopeInput): BoundScope {
  const full = (detail: string, layout: PassLayout = "all"): BoundScope => ({
    scope: { kind: "full", detail },
    layout,
    empty: false,
    bind: same,
  });
  if (input.mode === "full") return full("every table read whole (--scope full or --full-refresh)");
  if (input.rawFrom !== undefined) {
    return input.rawFrom === NO_WATERMARK
      ? full("every raw hour (no model read a window of them)")
      : {
          scope: { kind: "incremental", detail: `raw hours from ${input.rawFrom} read this run` },
          layout: "all",
          empty: false,
          bind: same,
        };
  }
  if (node.newData?.kind === "partitions") return partitionsScope(input, full);
  const subject = input.subject;
  if (!subject) return full("the whole table");
  if (subject.kind === "source")
    return full("the whole raw table (this engine reads no window of raw hours)");
  const written = input.written.get(subject.id);
  if (!node.newData)
    return full("the whole table (the check needs all of it)", written ? "wholeTable" : "all");
  if (!written) {
    const why =
      subject.materialization === "incremental"
        ? "not written incrementally this run"
        : `not incremental: a ${subject.materialization}`;
    return full(`the whole table (${why})`);
  }
  const n = written.values.length;
  const relation = input.dialect.quoteRelation(subject.relation);
  const rows = readsWrittenRows(node) ? input.writtenRows?.get(relation) : undefined;
  const detail = writtenDetail(subject, written, rows?.carriedIntoWritten !== undefined);
  const frame = newDataFrame(input.dialect, subject, written, node.newData, input, rows);
  // A check of new rows against other relations (relationships, ReferentialIntegrity) reads those
  // whole, or first the partitions of them written this run (`lookup`).
  const others = (input.reads ?? []).filter((r) => r.id !== subject.id);
  const reference = node.newData.kind === "rows" ? node.newData.lookup : undefined;
  const found =
    reference && others.length === 1 ? lookupFrame(input, others[0]!, reference, frame) : undefined;
  const frames = new Map([[relation, `(${frame})`], ...(found ? [found.frame] : [])]);
  const otherNames = (node.dependsOn ?? [])
    .filter((id) => id !== subject.id)
    .map((id) => id.split(".").at(-1));
  const against = found
    ? `, looked up in ${found.detail}`
    : otherNames.length > 0
      ? `, looked up in the whole ${otherNames.join(", ")}`
      : "";
  return {
    scope: {
      kind: "incremental",
      detail:
        node.newData.kind === "keys"
          ? `keys of ${detail}, against ${keysAgainst(node.newData)}`
          : `${detail}${against}`,
    },
    layout: "newData",
    empty: n === 0,
    bind: replaceRelations(frames),
  };
}

/** What a `keys` check reads a new key's other rows from, in words. */
function keysAgainst(scope: Extract<NewDataScope, { kind: "keys" }>): string {
  return scope.copiesSharePartition
    ? "their partitions (copies of a key share its partition: copies_share_partition; --scope full checks the whole table)"
    : "the whole table";
}

/**
 * The other relation of a lookup check, read as the rows a new row can find: of its keys among
 * the new rows' `column`, those in its partitions written this run, then, only for the keys not
 * found there, those in its whole table. A key present anywhere is found, so the check's answer is
 * the whole table's; when every key is found in the new partitions (a child written with its
 * parent), the second read has no key to look for and the engine skips the table (DuckDB ends a
 * semi-join with an empty build side without scanning). Only `field` is read: lookup checks read
 * nothing else of the other relation. Undefined when it was not written by partition this run.
 */
function lookupFrame(
  input: ScopeInput,
  other: CompiledNode,
  lookup: KeyLookup,
  newRows: string,
): { frame: [string, string]; detail: string } | undefined {
  const written = input.written.get(other.id);
  if (!written || written.values.length === 0) return undefined;
  const d = input.dialect;
  const relation = d.quoteRelation(other.relation);
  const files = input.partitionFiles?.get(relation);
  const inPartitions = d.selectPartitions(other.relation, written.columns, written.values, files);
  const found = d.selectKeysNearFirst(
    other.relation,
    lookup.column,
    lookup.field,
    newRows,
    inPartitions,
  );
  return {
    frame: [relation, `(${found})`],
    detail: `${other.name}: ${writtenDetail(other, written)}; then in the whole ${other.name} for the keys not found there`,
  };
}

/**
 * Whether a check of new data reads the rows this run wrote rather than its written partitions
 * (where `writtenRows` splits the version): a `keys` check, and a `rows` check counting failing
 * rows (a row fails or not on its own, and a carried row is unchanged since the run that wrote it
 * checked it). A DQDL rule keeps the partitions: its metric is a share of its frame's rows, and on
 * a narrower frame it could find no row at all (`no value (empty input)`, a failure).
 */
export function readsWrittenRows(node: CompiledNode): boolean {
  if (node.newData?.kind === "keys") return true;
  return node.newData?.kind === "rows" && node.assertion?.kind !== "dq_rule";
}

/** Replaces each relation of `frames` by its frame in one pass (a frame's own text is kept). */
function replaceRelations(frames: ReadonlyMap<string, string>): (sql: string) => string {
  const pattern = new RegExp([...frames.keys()].map(escapeRegExp).join("|"), "g");
  return (sql) => sql.replace(pattern, (relation) => frames.get(relation) ?? relation);
}

/**
 * `2 partitions of event_date written this run (2026-11-27, 2026-11-28)`; with `onlyWritten` (a
 * check of the rows this run wrote, where carried rows share their partitions) `the rows written
 * this run in 2 partitions of event_date (2026-11-27, 2026-11-28; rows carried into them
 * unchanged are not rechecked)`.
 */
function writtenDetail(
  subject: CompiledNode,
  written: WrittenPartitions,
  onlyWritten = false,
): string {
  const n = written.values.length;
  const columns =
    written.columns.length > 0 ? written.columns.map((c) => c.name) : subject.partitionedBy;
  const names = columns.join(", ");
  const shown = written.values.map((v) => v.map((x) => x ?? "NULL").join("/"));
  const values = `${shown.slice(0, 5).join(", ")}${n > 5 ? ", ..." : ""}`;
  const partitions = `${n} partition${n === 1 ? "" : "s"} of ${names}`;
  if (onlyWritten && n > 0)
    return `the rows written this run in ${partitions} (${values}; rows carried into them unchanged are not rechecked)`;
  return `${partitions} written this run${n > 0 ? ` (${values})` : ""}`;
}

/**
 * A `partitions` scope: every table the test reads that this run wrote by partition is read as
 * those partitions (one pass over the SQL, so a frame's own relation name is not replaced again);
 * the others whole.
 */
function partitionsScope(input: ScopeInput, full: (detail: string) => BoundScope): BoundScope {
  const d = input.dialect;
  const reads = input.reads ?? [];
  const scoped = reads.flatMap((node) => {
    const written = input.written.get(node.id);
    return written ? [{ node, written }] : [];
  });
  if (scoped.length === 0) return full("the whole tables (none was written by partition this run)");
  const frames = new Map(
    scoped.map(({ node, written }) => [
      d.quoteRelation(node.relation),
      `(${newDataFrame(d, node, written, { kind: "rows" }, input)})`,
    ]),
  );
  const whole = reads.filter((r) => !input.written.has(r.id)).map((r) => `${r.name} read whole`);
  const detail = [
    ...scoped.map(({ node, written }) => `${node.name}: ${writtenDetail(node, written)}`),
    ...whole,
  ].join("; ");
  return {
    scope: { kind: "incremental", detail },
    layout: "newData",
    empty: scoped.every(({ written }) => written.values.length === 0),
    bind: replaceRelations(frames),
  };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The rows a test reads of new data: the written partitions (from only their files where known),
 * or every row sharing the first key column with them (a superset of the rows sharing a key). On
 * the lake, with the version's files split by origin (`rows`, given when `readsWrittenRows`), a
 * `rows` check reads the files this run wrote (rows carried unchanged into a written partition by
 * carry_where were checked by the run that wrote them; the scope's detail says they are not
 * rechecked), and a `keys` check takes its keys from the rows this run wrote and filters only the
 * carried files on them. A `keys` check whose copies share their key's partition
 * (`copiesSharePartition`) reads only the written partitions: on the lake, of the carried files
 * only those of written partitions; elsewhere, the written partitions whole.
 */
function newDataFrame(
  d: Dialect,
  subject: CompiledNode,
  written: WrittenPartitions,
  scope: NewDataScope,
  input: Pick<ScopeInput, "partitionFiles">,
  rows?: WrittenRows,
): string {
  const key = scope.kind === "keys" ? scope.columns[0] : undefined;
  // Copies of a key share its partition: a new key's other rows are in the partitions written.
  const ownPartitions = scope.kind === "keys" && scope.copiesSharePartition === true;
  if (rows && isLakeDialect(d)) {
    if (key !== undefined) {
      const others = ownPartitions ? rows.carriedIntoWritten : rows.carried;
      return d.selectRowsOfWrittenKeys(key, rows.written, others);
    }
    if (scope.kind === "rows") return d.selectWrittenRows(rows.written);
  }
  const files = input.partitionFiles?.get(d.quoteRelation(subject.relation));
  const { columns, values } = written;
  const inPartitions = d.selectPartitions(subject.relation, columns, values, files);
  if (scope.kind !== "keys" || ownPartitions) return inPartitions;
  return d.selectRowsOfKeys(
    subject.relation,
    scope.columns[0] ?? "",
    columns,
    values,
    inPartitions,
  );
}
