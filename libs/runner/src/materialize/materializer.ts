import type { CompiledNode } from "@sluice/compiler";
import type { Dialect, Relation } from "@sluice/dialects";
import type {
  Engine,
  ExecuteOptions,
  QueryResult,
  RawZone,
  WrittenPartitions,
} from "@sluice/engines";
import type { ListedRawHours } from "../incremental/raw-hours.js";
import type { PublishedVersions } from "../incremental/window-reads.js";
import type { RawReads } from "../incremental/raw-reads.js";
import type { CheckedVersions, UpstreamTable } from "./version-check.js";
import type { InputSources, NodePlan } from "@sluice/compiler/plan";
import type { TableVersions } from "../athena/unchanged-inputs.js";

/** What building or checking one node needs from the run. */
export interface NodeContext {
  engine: Engine;
  dialect: Dialect;
  fullRefresh: boolean;
  writeId: string;
  signal?: AbortSignal;
  /**
   * External sources upstream of the node, by relation as the dialect quotes it
   * (`"raw"."events"` → its raw zone): for incremental watermarks and windows.
   */
  rawSources?: ReadonlyMap<string, RawZone>;
  /**
   * The raw hours (folder → file signature) per raw location, listed once per run from the
   * earliest hour a node's window needs (again, from earlier, if a later node needs more);
   * shared by the run's nodes.
   */
  rawHours?: Map<string, ListedRawHours>;
  /** Table versions published in this run, for window reads of them by later nodes (`ref_window()`). */
  published?: PublishedVersions;
  /**
   * Lake engines: the literal lists of `sluice_listed((subquery))` calls read so far in this run,
   * by run key (see lake/listed-values.ts): the marts that list the same dates read them once.
   */
  listedValues?: Map<string, Promise<string | undefined>>;
  /** Lake engines: the raw zones read this run and each incremental node's planned window. */
  raw?: RawReads;
  /**
   * Catalog engines: node id → the first raw hour (`YYYY/MM/DD/HH`) its incremental window read
   * this run, recorded when the window is bound (a node absent from it read every hour).
   */
  windowsRead?: Map<string, string>;
  /** Tables (table, incremental, seed models) the node reads directly: for their recorded watermarks. */
  tablesRead?: readonly Relation[];
  /** What the node reads, through views (catalog engines: the inputs of its table's version). */
  inputs?: InputSources;
  /**
   * Catalog engines: the incremental models whose raw hours a reconciliation checks (they
   * record the hours they read as pending until it balances them), and those that recorded
   * pending hours in this run (the reconciliation clears them when they balance).
   */
  reconciled?: { nodes: ReadonlySet<string>; recorded: Set<string> };
  /** Catalog engines: the version each table has in this run (shared by its nodes). */
  tableVersions?: TableVersions;
  /** Tables the node reads whose versions this run did not write: checked before it reads them. */
  upstreamTables?: readonly UpstreamTable[];
  /** Node id → the partitions its incremental build wrote in this run (filled as nodes build). */
  written?: ReadonlyMap<string, WrittenPartitions>;
  /** The run recorded every version it may write before its first node (skip per-node records). */
  versionsRecorded?: boolean;
  /** Table versions checked so far in this run (shared by its nodes). */
  checkedVersions?: CheckedVersions;
  /** Told of the statements a built node sent, in order (see `RunOptions.onStatements`). */
  onStatements?: (node: CompiledNode, statements: readonly string[]) => Promise<void>;
  /**
   * Told of the plan a built node ran: its steps that ran, in order (see
   * `RunOptions.onPlan`).
   */
  onPlan?: (node: CompiledNode, ran: NodePlan) => Promise<void>;
}

/** What building one relation needs. */
export interface MaterializeContext extends NodeContext {
  /**
   * Run one statement for the node, recording its stats in the node's result; `newDataOnly` as
   * the engine takes it (`ExecuteOptions`).
   */
  execute(
    sql: string,
    options?: Pick<ExecuteOptions, "newDataOnly" | "readsOnly">,
  ): Promise<QueryResult>;
}

/** What a materializer reports back. */
export interface MaterializeOutcome {
  /** Rows written, when the engine reports them. */
  rows?: number;
  /** Whether rows were appended to an existing table (rather than a new version created). */
  appended: boolean;
  /** insert_overwrite: the partitions the new rows replaced (or created), when known. */
  partitions?: number;
  /** insert_overwrite with `carry_where` (lake): the table's rows carried into the new version. */
  carriedRows?: number;
  /** Nothing was written: the table's version was built from the same inputs. */
  unchanged?: boolean;
  /** Why it was left unchanged, when not for the same inputs (the build's message says it). */
  unchangedWhy?: string;
  /** insert_overwrite: which partitions those are (what the node's tests may check alone). */
  written?: WrittenPartitions;
  /** The table's rows after the write, when counted cheaply (lake: a merge rewrote it, an append
   * counted the new version from its Parquet footers); never on Athena, where it costs a query. */
  tableRows?: number;
}

/**
 * Builds a node's relation on one family of targets. Chosen by dialect capability, never by
 * engine name: `isLakeDialect` (DuckDB lake: Parquet folder + view swap) or not
 * (Athena: CTAS to a staging table + Glue catalog swap).
 */
export type Materializer = (
  node: CompiledNode,
  ctx: MaterializeContext,
) => Promise<MaterializeOutcome>;

/** Sum rowsAffected over the statements that write rows. */
export function rowsWritten(
  kind: string,
  result: QueryResult,
  sofar: number | undefined,
): number | undefined {
  if (result.stats.rowsAffected === undefined) return sofar;
  if (kind !== "copy" && kind !== "create_table_as" && kind !== "insert" && kind !== "merge")
    return sofar;
  return (sofar ?? 0) + result.stats.rowsAffected;
}

/** The model's `versions_to_keep` (validated when the project loads); undefined: the engine's default. */
export function versionsToKeep(node: CompiledNode): number | undefined {
  const value = node.config["versions_to_keep"];
  return typeof value === "number" ? value : undefined;
}
