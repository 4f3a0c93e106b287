import type { Relation, Statement, TableVersionState } from "@sluice/dialects";

/**
 * What the engine's catalog says about a node's relation, read before the node is planned
 * (Athena: Glue GetTable; the lake: its catalog and table-state record). Read-only.
 */
export interface CatalogState {
  exists: boolean;
  kind?: "table" | "view";
  /** The published version's data location. */
  location?: string;
  /** The table's columns in order, with their engine types. */
  columns?: readonly { name: string; type: string }[];
  /**
   * The newest raw hour (`YYYY/MM/DD/HH`) the published version has read, as recorded with it
   * (Glue parameter `sluice_watermark`; the lake's table state). Undefined when none is recorded.
   */
  watermark?: string;
  /** The fingerprint of the inputs the published version was built from (`sluice_inputs`). */
  inputs?: string;
  /** The id of the write that made the published version (`sluice_version`). */
  version?: string;
  /** The first raw hour no reconciliation has balanced yet (`sluice_pending_from`). */
  pending?: string;
  /** The id of the write that last set the table's columns (`sluice_schema`, see `schemaIdOf`). */
  schema?: string;
  /**
   * Incremental tables: the fingerprint of what decided the incremental SELECT's columns when they
   * were last known to be the table's (`sluice_select`, see `selectRecord`).
   */
  select?: string;
  /** Lake: every file of the published version has the same columns (recorded with it). */
  uniformSchema?: boolean;
  /** Lake, a raw source's view: the fingerprint of the statements that made it (see plan-node.ts). */
  definition?: string;
}

/**
 * What a lake version records when it is published, known before it is written (its files, and
 * when the run listed the raw zone, are added at publish). `watermark` may be
 * {@link WATERMARK_READ}.
 */
export type PublishedState = Omit<TableVersionState, "files" | "listedAt">;

/** A catalog (Glue) operation of a plan: run by the engine, never as SQL. */
export type CatalogOperation =
  | {
      /** Drop leftovers of crashed builds, `<name><marker>*`, except `keep`. */
      op: "drop_staging_tables";
      relation: Relation;
      marker: string;
      keep: string;
    }
  | {
      /** Swap `target`'s catalog entry onto `staging`'s location, with these parameters. */
      op: "publish_table";
      staging: Relation;
      target: Relation;
      /** Parameters recorded with the version (`<...>`: see {@link WATERMARK_READ}). */
      parameters: Readonly<Record<string, string>>;
    }
  | {
      /**
       * Repoint (or create) `target`'s partitions at those `staging` wrote; all or nothing. The
       * moving partitions are recorded first; `parameters` are set with the retired locations
       * (a watermark never moves back: the newer of it and the table's is kept).
       */
      op: "publish_partitions";
      staging: Relation;
      target: Relation;
      parameters: Readonly<Record<string, string>>;
      versionsToKeep?: number;
    }
  | {
      /** Set parameters on the table's entry (the others kept; `<...>`: see {@link WATERMARK_READ}). */
      op: "set_parameters";
      relation: Relation;
      parameters: Readonly<Record<string, string>>;
    }
  | {
      /**
       * Lake: point the table's view at the version written at `location`, with its state, in one
       * transaction (the dialect's `publishTableVersion`); the version's files, listed then, and
       * when the run listed the raw zone are recorded with it.
       */
      op: "publish_version";
      relation: Relation;
      location: string;
      state: PublishedState;
    }
  | {
      /** Drop a table: its catalog entry and its data. */
      op: "drop_table";
      relation: Relation;
      /** The data stays when this table's entry reads any of it (partitions already repointed). */
      unlessReadBy?: Relation;
    };

/** A storage (S3 or lake folder) operation of a plan. */
export type StorageOperation =
  | {
      /** Delete the table's data locations other than `keep` (and the versions kept). */
      op: "delete_stale_locations";
      relation: Relation;
      keep: string;
      /** Earlier versions whose data stays (`versions_to_keep`); undefined: the engine's default. */
      versionsToKeep?: number;
      /** Batched at the end of the run. */
      deferred: boolean;
    }
  | {
      /**
       * A table left unchanged: remove what earlier builds' cleanup left (data locations retired
       * past `versionsToKeep`; for a table published whole, objects no kept version holds).
       */
      op: "remove_leftovers";
      relation: Relation;
      partitioned: boolean;
      versionsToKeep?: number;
      deferred: boolean;
    }
  | {
      /**
       * Lake: link the current version's files into the new one (no data copied but a closed
       * day's hourly files, packed into one: see libs/engines version-packs.ts).
       */
      op: "carry_version_files";
      from: string;
      to: string;
      /** insert_overwrite: partitions the new version wrote are not carried. */
      skipWrittenPartitions: boolean;
      /**
       * insert_overwrite with `carry_where` (window start bound): only the current version's rows
       * this condition is true for are carried, in every partition (files they fill linked, the
       * others' such rows copied into new files).
       */
      carryWhere?: string;
      /**
       * With `carryWhere` of the shape `<column> < sluice_incremental_from()` (or `<=`): the
       * column, the operator and the bound. A version carried under such a bound records it; the
       * next run, when its bound is not lower, knows the files that version carried still meet
       * the condition whole and counts only the files it wrote.
       */
      carryBound?: CarryBound;
    };

/** `<column> < '<from>'` (or `<=`, `inclusive`): what a `carry_where` of that shape says. */
export interface CarryBound {
  column: string;
  inclusive: boolean;
  from: string;
}

/**
 * A step that runs only if something holds at run time: the statements before it wrote no rows
 * (a zero-row schema file); `relation` has `column` (its entry read then); a step before it failed
 * (the compensation of a write or a publish, after which the node fails).
 */
export type StepCondition =
  | { if: "no_rows_written" }
  | { if: "has_column"; relation: Relation; column: string }
  | { if: "failed" };

/** Fields every step has. */
interface StepBase {
  /** Why the step is there, in a few words (`write the new version to a staging table`). */
  purpose: string;
  /** Only at run time: the condition under which it runs, in words (`the table has column dt`). */
  when?: string;
  /** The same condition as data, for the runner (set exactly when `when` is). */
  condition?: StepCondition;
}

/**
 * What the runner does with a SQL step's result or failure (absent: run it, fail on error).
 * - `write_version`: a CTAS of a new version or of rebuilt partitions into a staging table at a
 *   fresh location: rows counted; a failure Athena marks retryable is retried after its output
 *   is removed; past the partition limit the rows are written in batches (see the plan's notes).
 * - `write_rows`: an INSERT or MERGE into the published table: rows counted; a failed INSERT's
 *   partial output is deleted (from its data manifest); past the partition limit, batches.
 * - `probe_columns`: on_schema_change: its result's columns are compared with the table's; when
 *   they differ the node is planned again with them (`PlanInput.incoming`) and the new plan's
 *   steps after this one run (an ALTER, a reordered SELECT) or its error fails the node.
 * - `read_watermark`: its `watermark` value is the {@link WATERMARK_READ} of the steps after.
 * - `count_rows`: its `n` is the table's rows after the write (the build's message), read from
 *   the new version's file footers (lake).
 */
export type SqlRole =
  "write_version" | "write_rows" | "probe_columns" | "read_watermark" | "count_rows";

/** What a write step writes: its SELECT and, for an INSERT, the table's columns it names. */
export interface WrittenRows {
  select: string;
  columns?: readonly string[];
}

/** One step of a node's plan. */
export type PlanStep =
  | (StepBase & {
      kind: "sql";
      statement: Statement;
      role?: SqlRole;
      /** Write steps: the rows the statement writes (a batched fallback writes them in parts). */
      rows?: WrittenRows;
    })
  | (StepBase & { kind: "catalog" } & CatalogOperation)
  | (StepBase & { kind: "storage" } & StorageOperation);

/** What an incremental run will read, from the recorded watermark. */
export interface PlanWindow {
  /** The recorded watermark, when there is one. */
  watermark?: string;
  /** The first raw hour read (`0000/00/00/00`: everything). */
  from: string;
}

/**
 * What one node does on one engine, in order: SQL statements and catalog and storage operations.
 * Computed purely by {@link planNode} from the node, the target and the catalog state read
 * before it; `build --dry-run` prints it, the plan goldens pin it.
 */
export interface NodePlan {
  node: string;
  kind: "model" | "seed" | "test" | "source" | "snapshot";
  materialization: string;
  /** `schema.name` the node writes (none for tests). */
  relation?: string;
  /** `catalog`: Athena + Glue + S3 (publish by catalog swap); `lake`: versions published as views. */
  engine: "catalog" | "lake";
  /** What the node will do given the state: `create view`, `new version`, `append`, ... */
  action: string;
  window?: PlanWindow;
  /** Partitions touched: `all` (a whole new version), or what decides them at run time. */
  partitions?: { columns: readonly string[]; touched: string };
  steps: PlanStep[];
  /** What may change the steps at run time (e.g. a batched fallback past the partition limit). */
  notes: string[];
  /** The node cannot be built this way (the runner fails it with this message). */
  error?: string;
}

/** How a node is planned: the run's options and what the catalog said. */
export interface PlanInput {
  fullRefresh: boolean;
  /** Unique id of the run's writes (the run id). */
  writeId: string;
  state: CatalogState;
  /**
   * The fingerprint of the inputs the node would read now (see `inputsFingerprint`), when known:
   * equal to the recorded one, the table is left as it is.
   */
  inputs?: string;
  /**
   * An incremental node that reads raw data upstream: the newest raw hour listed before the
   * write, its new watermark (no query reads it back; none listed: read as for other nodes).
   */
  rawWatermark?: string;
  /**
   * Parameters a version this node writes records besides its watermark (`sluice_version`,
   * `sluice_inputs`, `sluice_pending_from`), known before it writes.
   */
  recorded?: Readonly<Record<string, string>>;
  /**
   * The fingerprint of what decides the incremental SELECT's columns besides the table's own (see
   * `selectInputs`), when known: with the one the table recorded (`CatalogState.select`) the
   * SELECT's columns are known to be the table's, and on_schema_change needs no probe.
   */
  selectInputs?: string;
  /**
   * The columns the node's SELECT returns, when a `probe_columns` step found them to differ from
   * the table's: the plan then adds the new ones or fails (on_schema_change).
   */
  incoming?: readonly { name: string; type: string }[];
  /** Snapshots: the columns of the snapshot's query, probed by the run (see `planSnapshot`). */
  sourceColumns?: readonly string[];
  /**
   * Lake: the first raw hour an incremental run reads, as the run found it from the raw zone's
   * listing (earlier than the watermark's lookback for a lookback hour whose files changed, a
   * late file or a pending hour). Undefined: from the recorded watermark (`windowStart`).
   */
  windowFrom?: string;
  /**
   * Lake: what the version the node writes records besides its watermark, known before it
   * writes: the raw hours of its next lookback window, the first hour pending reconciliation.
   */
  lakeRecord?: Pick<PublishedState, "rawHours" | "pendingFrom">;
  /** Lake: the run recorded the version before its first node, so the plan does not again. */
  versionRecorded?: boolean;
  /**
   * Lake: an incremental model whose SQL reads a window (`sluice_incremental_from()`) has no raw
   * hour from `windowFrom` on upstream, and no node it depends on wrote partitions in this run:
   * its window holds no row, so the table is left as it is (no version written, nothing carried).
   */
  windowEmpty?: boolean;
}

/**
 * A parameter value known only once earlier steps ran: the newest watermark a `read_watermark`
 * step read, else the newest recorded on the tables the node reads (none: not recorded).
 */
export const WATERMARK_READ = "<newest watermark read above>";
