import type { Relation, Statement } from "@sluice/dialects";

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
}

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
      /** Parameter names recorded with the version (values known once the rows are written). */
      parameters: readonly string[];
    }
  | {
      /**
       * Repoint (or create) `target`'s partitions at those `staging` wrote; all or nothing. The
       * moving partitions are recorded first; `parameters` are set with the retired locations.
       */
      op: "publish_partitions";
      staging: Relation;
      target: Relation;
      parameters?: readonly string[];
    }
  | {
      /** Set parameters on the table's entry (the others kept). Values in `<>` are read at run time. */
      op: "set_parameters";
      relation: Relation;
      parameters: Readonly<Record<string, string>>;
    }
  | {
      /** Drop a table: its catalog entry and its data. */
      op: "drop_table";
      relation: Relation;
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
      /** Lake: link the current version's files into the new one (no data copied). */
      op: "carry_version_files";
      from: string;
      to: string;
      /** insert_overwrite: partitions the new version wrote are not carried. */
      skipWrittenPartitions: boolean;
    };

/** Fields every step has. */
interface StepBase {
  /** Why the step is there, in a few words (`write the new version to a staging table`). */
  purpose: string;
  /** Only at run time: the condition under which it runs (`when the table has column dt`). */
  when?: string;
}

/** One step of a node's plan. */
export type PlanStep =
  | (StepBase & { kind: "sql"; statement: Statement })
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
   * The node reads raw data upstream: its new watermark is the newest raw hour listed before the
   * write (no query reads it back).
   */
  rawUpstream?: boolean;
  /** Snapshots: the columns of the snapshot's query, probed by the run (see `planSnapshot`). */
  sourceColumns?: readonly string[];
}
