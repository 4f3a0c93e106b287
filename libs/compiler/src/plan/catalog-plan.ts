import type { CatalogDialect, Relation } from "@sluice/dialects";
import { uniqueKeys } from "../config/check-config.js";
import type { CompiledNode } from "../types.js";
import {
  WATERMARK_READ,
  type NodePlan,
  type PlanInput,
  type PlanStep,
  type WrittenRows,
} from "./node-plan.js";
import { reconcileColumns } from "./on-schema-change.js";
import { planSteps, touching, versionsKept, type PlanBody } from "./plan-steps.js";
import { SCHEMA_PARAMETER, SELECT_PARAMETER, selectKnown, selectRecord } from "./select-record.js";
import { bindWindow, usesWindow, watermarkColumn, windowStart } from "./window.js";

/** Infix of staging table names: `<table>__sluice_<write id>`. Leftovers with it are swept. */
export const STAGING_MARKER = "__sluice_";

/**
 * Glue table parameter of an incremental table: the newest raw hour (`YYYY/MM/DD/HH`) its
 * published version has read. Recorded when the version is published (or an INSERT changes it),
 * read back before the next window is planned.
 */
export const WATERMARK_PARAMETER = "sluice_watermark";

/**
 * Glue table parameter of an incremental table whose raw hours a reconciliation checks: the
 * first raw hour (`YYYY/MM/DD/HH`) its version read that no reconciliation has balanced yet.
 * Recorded with the watermark, cleared ("") when the reconciliation balances; the next window
 * starts there at the latest, so an hour that did not balance (a Firehose hour still being
 * written when it was read) is read again until it does.
 */
export const PENDING_PARAMETER = "sluice_pending_from";

/** `<table>__sluice_<write id>`: where a catalog engine writes a new version before the swap. */
export function stagingRelation(relation: Relation, writeId: string): Relation {
  return {
    schema: relation.schema,
    name: `${relation.name}${STAGING_MARKER}${writeId.toLowerCase()}`,
  };
}

/**
 * Athena + Glue + S3 (dialects that are not `isLakeDialect`): a new version is one CTAS into a
 * staging table at a fresh location, published by a Glue swap, old data deleted after; an
 * incremental run INSERTs (append), MERGEs (Iceberg) or CTASes the rebuilt partitions and repoints
 * them (insert_overwrite). libs/runner's catalog swap executes these steps as they are.
 */
export function planCatalogTable(
  node: CompiledNode,
  dialect: CatalogDialect,
  input: PlanInput,
): PlanBody {
  const staging = stagingRelation(node.relation, input.writeId);
  const sweep: PlanStep = {
    kind: "catalog",
    op: "drop_staging_tables",
    purpose: "drop leftovers of crashed builds of this table",
    relation: node.relation,
    marker: STAGING_MARKER,
    keep: staging.name,
  };
  const { state } = input;
  if (
    !input.fullRefresh &&
    state.exists &&
    state.kind === "table" &&
    input.inputs !== undefined &&
    state.inputs === input.inputs
  ) {
    const leftovers: PlanStep = {
      kind: "storage",
      op: "remove_leftovers",
      purpose: "remove what earlier builds' cleanup left (retired versions, stray objects)",
      relation: node.relation,
      partitioned: node.partitionedBy.length > 0,
      ...versionsKept(node),
      deferred: true,
    };
    return {
      action: "unchanged",
      steps: [sweep, leftovers],
      notes: [
        "built from the same inputs as the table's version (sluice_inputs): nothing is written",
      ],
    };
  }
  const incremental =
    node.materialization === "incremental" &&
    !input.fullRefresh &&
    state.exists &&
    state.kind === "table" &&
    state.location !== undefined;
  if (!incremental) {
    const version = newVersion(node, dialect, input, staging, node.sql);
    return { ...version, steps: [sweep, ...version.steps] };
  }
  const bound = bindRecordedWatermark(node, dialect, input);
  const strategy = node.incrementalStrategy ?? "append";
  const iceberg = node.config["table_type"] === "iceberg" && dialect.capabilities.icebergTables;
  if (strategy === "insert_overwrite" && iceberg) {
    const error =
      "incremental_strategy 'insert_overwrite' is for Hive tables; use 'merge' with a unique_key on an Iceberg table";
    return { action: "fail", steps: [sweep], notes: [], error };
  }
  if (strategy === "insert_overwrite" && node.partitionedBy.length === 0) {
    // An unpartitioned overwrite replaces the whole table: its columns are the SELECT's.
    const version = newVersion(node, dialect, input, staging, bound.sql);
    return { ...version, steps: [sweep, ...version.steps], window: bound.window };
  }
  const tableColumns = state.columns ?? [];
  const policy = node.config.on_schema_change ?? "ignore";
  const known = selectKnown(input);
  const probe: PlanStep[] =
    policy === "ignore" || tableColumns.length === 0 || known
      ? []
      : planSteps("on_schema_change: the SELECT's columns, compared with the table's", [
          { kind: "select", sql: dialect.limit(bound.sql, 0), grammar: dialect.queryGrammar },
        ]).map((step) => ({ ...step, role: "probe_columns" as const }));
  const notes = [...bound.notes];
  if (known && policy !== "ignore" && tableColumns.length > 0)
    notes.push(
      `on_schema_change='${policy}': no probe, the SELECT's columns are the table's (sluice_select: the model, the columns of what it reads and the table's are as when they were last compared)`,
    );
  if (probe.length > 0 && input.incoming === undefined)
    notes.push(`on_schema_change='${policy}': if the columns differ, ${ifColumnsDiffer[policy]}`);
  const reconciled =
    probe.length > 0 && input.incoming !== undefined
      ? reconcileColumns(node, dialect, tableColumns, bound.sql, input.incoming)
      : {
          selectSql: bound.sql,
          columns: tableColumns.map((c) => c.name),
          alter: [],
          selectIsTable: true,
        };
  if ("error" in reconciled)
    return { action: "fail", steps: [sweep, ...probe], notes, error: reconciled.error };
  // The write records the table's schema id and sluice_select with its other parameters.
  const recording = {
    ...input,
    recorded: { ...input.recorded, ...schemaRecord(node, input, reconciled) },
  };
  const alter = planSteps(
    policy === "sync_all_columns"
      ? "on_schema_change: make the SELECT's columns the table's"
      : "on_schema_change: add the SELECT's new columns",
    reconciled.alter,
  );
  const { selectSql, columns } = reconciled;
  const write = incrementalWrite(node, dialect, recording, staging, selectSql, columns);
  if ("error" in write) return { action: "fail", steps: [sweep], notes, error: write.error };
  notes.push(...write.notes);
  return {
    action: strategy,
    ...(bound.window ? { window: bound.window } : {}),
    ...touching(node, write.touched),
    steps: [
      sweep,
      ...probe,
      ...alter,
      ...write.steps,
      // insert_overwrite records its watermark with the partitions it publishes.
      ...(strategy === "insert_overwrite"
        ? []
        : recordWatermark(node, dialect, recording, columns)),
    ],
    notes,
  };
}

/** What an on_schema_change policy that probes does when the SELECT's columns differ. */
const ifColumnsDiffer: Record<string, string> = {
  fail: "the node fails",
  append_new_columns:
    "new columns are added (ALTER TABLE ADD COLUMNS) and the SELECT is reordered to the table's columns",
  sync_all_columns:
    "the table takes the SELECT's columns (ALTER TABLE ADD COLUMNS, or REPLACE COLUMNS when one is dropped or widened) and the SELECT is reordered to them",
};

/**
 * What an incremental write into the table records of its columns: the schema id (this write's
 * id when it adds columns, or when the table recorded none), and for on_schema_change models
 * the `sluice_select` fingerprint when the SELECT's columns are the table's after the write
 * ("" when they are not: the next build probes again).
 */
function schemaRecord(
  node: CompiledNode,
  input: PlanInput,
  reconciled: { alter: readonly unknown[]; selectIsTable: boolean },
): Record<string, string> {
  const { schema } = input.state;
  const after = reconciled.alter.length > 0 || schema === undefined ? input.writeId : schema;
  const policy = node.config.on_schema_change ?? "ignore";
  if (policy === "ignore" || input.selectInputs === undefined) return { [SCHEMA_PARAMETER]: after };
  const select = reconciled.selectIsTable ? selectRecord(input.selectInputs, after) : "";
  return { [SCHEMA_PARAMETER]: after, [SELECT_PARAMETER]: select };
}

/**
 * What a new version records of its columns: its schema id (this write's), and for an
 * incremental model the `sluice_select` fingerprint: its columns are taken to be those of the
 * incremental SELECT too (the SQL with `is_incremental()` true cannot run before the table
 * exists; a model whose incremental branch returns other columns than its full build is not
 * probed on its next build).
 */
function newSchema(node: CompiledNode, input: PlanInput): Record<string, string> {
  const schema = { [SCHEMA_PARAMETER]: input.writeId };
  if (node.materialization !== "incremental" || input.selectInputs === undefined) return schema;
  return { ...schema, [SELECT_PARAMETER]: selectRecord(input.selectInputs, input.writeId) };
}

/** CTAS into the staging table at the fresh location, Glue swap, old data deleted. */
function newVersion(
  node: CompiledNode,
  dialect: CatalogDialect,
  input: PlanInput,
  staging: Relation,
  selectSql: string,
): PlanBody {
  const location = node.location ?? "";
  const iceberg = node.config["table_type"] === "iceberg" && dialect.capabilities.icebergTables;
  const ctas = dialect.createTableAs({
    relation: staging,
    selectSql,
    partitionedBy: node.partitionedBy,
    location,
    writeId: input.writeId,
    ...(iceberg ? { tableType: "iceberg" as const } : {}),
  });
  const incremental = node.materialization === "incremental";
  const limit = dialect.capabilities.maxPartitionsPerWrite;
  const watermark = incremental
    ? newWatermark(node, dialect, input, staging, {
        when: `the table has column ${watermarkColumn(node)} (else: the newest watermark recorded on the tables it reads)`,
      })
    : { steps: [], parameters: {} };
  return {
    action: "new version",
    ...touching(node, "all (a new version)"),
    steps: [
      ...writeSteps(
        "write_version",
        "write the new version to a staging table at a fresh location",
        ctas,
        { select: selectSql },
      ),
      ...watermark.steps,
      {
        kind: "catalog",
        op: "publish_table",
        purpose: "swap the table's catalog entry onto the new version",
        staging,
        target: node.relation,
        parameters: { ...watermark.parameters, ...input.recorded, ...newSchema(node, input) },
      },
      {
        kind: "storage",
        op: "delete_stale_locations",
        purpose: "delete the data of older versions",
        relation: node.relation,
        keep: location,
        ...versionsKept(node),
        deferred: true,
      },
      dropStagingOnFailure(node, staging),
    ],
    notes:
      node.partitionedBy.length > 0 && limit !== undefined
        ? [
            `past ${limit} partitions the CTAS fails with TOO_MANY_OPEN_PARTITIONS: the rows are then staged unpartitioned and written in batches of ${limit} partitions to ${location}_batched`,
          ]
        : [],
  };
}

/**
 * The compensation of a staging write: after any failure of the node's steps (a failed or
 * interrupted CTAS that Athena finished anyway, a watermark read or a publish that failed), its
 * staging table goes now rather than at the next build's sweep; its data stays when the
 * table's entry or partitions already read it (a publish that failed after its repoint).
 */
function dropStagingOnFailure(node: CompiledNode, staging: Relation): PlanStep {
  return {
    kind: "catalog",
    op: "drop_table",
    purpose: "drop the staging table, and its data unless the table reads it",
    relation: staging,
    unlessReadBy: node.relation,
    when: "a step before failed or the build was interrupted",
    condition: { if: "failed" },
  };
}

/** Statements as SQL steps that write `rows` (see `SqlRole`). */
function writeSteps(
  role: "write_version" | "write_rows",
  purpose: string,
  statements: Parameters<typeof planSteps>[1],
  rows: WrittenRows,
): PlanStep[] {
  return planSteps(purpose, statements).map((step) =>
    step.kind === "sql" && step.condition === undefined ? { ...step, role, rows } : step,
  );
}

/** The steps of an incremental write into the published table, by strategy. */
function incrementalWrite(
  node: CompiledNode,
  dialect: CatalogDialect,
  input: PlanInput,
  staging: Relation,
  selectSql: string,
  columns: readonly string[],
): { steps: PlanStep[]; touched: string; notes: string[] } | { error: string } {
  const strategy = node.incrementalStrategy ?? "append";
  const limit = dialect.capabilities.maxPartitionsPerWrite;
  if (strategy === "merge") {
    const keys = uniqueKeys(node.config);
    const iceberg = node.config["table_type"] === "iceberg" && dialect.capabilities.icebergTables;
    if (keys.length === 0) return { error: "incremental_strategy 'merge' needs a unique_key" };
    if (!iceberg)
      return {
        error:
          "incremental_strategy 'merge' needs an Iceberg table: set table_type='iceberg' (then --full-refresh once)",
      };
    return {
      steps: writeSteps(
        "write_rows",
        "merge the new rows into the table by its unique key (one Iceberg commit)",
        dialect.mergeInto(node.relation, selectSql, keys, columns),
        { select: selectSql, columns },
      ),
      touched: "those of the merged rows",
      notes: [],
    };
  }
  if (strategy === "insert_overwrite") {
    // CTAS makes the table's columns from the SELECT's: in the table's order, partition keys last.
    const ordered = dialect.selectColumns(selectSql, columns);
    const ctas = dialect.createTableAs({
      relation: staging,
      selectSql: ordered,
      partitionedBy: node.partitionedBy,
      location: node.location ?? "",
      writeId: input.writeId,
    });
    const hasColumn = columns.some((c) => c.toLowerCase() === watermarkColumn(node).toLowerCase());
    const watermark = newWatermark(node, dialect, input, staging, { read: hasColumn });
    return {
      steps: [
        ...writeSteps(
          "write_version",
          "write the rebuilt partitions to a staging table at a fresh location",
          ctas,
          { select: ordered },
        ),
        ...watermark.steps,
        {
          kind: "catalog",
          op: "publish_partitions",
          purpose:
            "record the partitions about to move (sluice_publishing), repoint them (created when new), then record the replaced locations and the new watermark in one update",
          staging,
          target: node.relation,
          parameters: { ...newerThanRecorded(watermark.parameters, input), ...input.recorded },
          ...versionsKept(node),
        },
        dropStagingOnFailure(node, staging),
      ],
      touched: "those the new rows hold (replaced whole)",
      notes: [
        "the replaced partitions' old data is deleted after the publish, past versions_to_keep",
        ...(limit === undefined
          ? []
          : [`past ${limit} partitions the CTAS is written in batches of ${limit} partitions`]),
      ],
    };
  }
  const insert = dialect.insertInto({
    relation: node.relation,
    selectSql,
    partitionedBy: node.partitionedBy,
    location: input.state.location ?? "",
    writeId: input.writeId,
    columns,
  });
  return {
    steps: writeSteps("write_rows", "append the new rows to the published table", insert, {
      select: selectSql,
      columns,
    }),
    touched: "those of the appended rows (added to)",
    notes: [
      "a failed INSERT's partial output is deleted (from its data manifest) before the error is reported",
      ...(limit === undefined
        ? []
        : [
            `past ${limit} partitions the rows are staged unpartitioned and inserted in batches of ${limit} partitions`,
          ]),
    ],
  };
}

/** Bind `sluice_incremental_from()` to the recorded watermark minus the lookback (or the first pending hour). */
function bindRecordedWatermark(
  node: CompiledNode,
  dialect: CatalogDialect,
  input: PlanInput,
): { sql: string; window?: NodePlan["window"]; notes: string[] } {
  const sql = node.incrementalSql ?? node.sql;
  if (!usesWindow(node)) return { sql, notes: [] };
  const watermark = input.state.watermark;
  const column = watermarkColumn(node);
  const hasColumn = input.state.columns?.some((c) => c.name.toLowerCase() === column);
  if (watermark === undefined && hasColumn)
    // A table published before watermarks were recorded: the runner reads max(column) first.
    return {
      sql,
      notes: [
        `no recorded watermark: the window starts at max(${column}) of the table minus the lookback, read at run time`,
      ],
    };
  const from = windowStart(node, input.state);
  return {
    sql: bindWindow(sql, dialect.literal(from)),
    window: { ...(watermark === undefined ? {} : { watermark }), from },
    notes: [],
  };
}

/** After an append or merge: the table's new watermark and version, recorded on its entry. */
function recordWatermark(
  node: CompiledNode,
  dialect: CatalogDialect,
  input: PlanInput,
  columns: readonly string[],
): PlanStep[] {
  const column = watermarkColumn(node);
  const read = columns.some((c) => c.toLowerCase() === column.toLowerCase());
  const watermark = newWatermark(node, dialect, input, node.relation, { read });
  return [
    ...watermark.steps,
    {
      kind: "catalog",
      op: "set_parameters",
      purpose: "record the table's new watermark",
      relation: node.relation,
      parameters: { ...watermark.parameters, ...input.recorded },
    },
  ];
}

/**
 * How an incremental version's watermark is known: the newest raw hour listed before the write,
 * when the node reads raw data upstream and one was listed (no query); else the newest
 * value of the watermark column in what was written (`written`, read by a step: always when
 * `read`, else only when it has the column), else the newest recorded on the tables it reads.
 */
function newWatermark(
  node: CompiledNode,
  dialect: CatalogDialect,
  input: PlanInput,
  written: Relation,
  how: { read: boolean } | { when: string },
): { steps: PlanStep[]; parameters: Record<string, string> } {
  if (input.rawWatermark !== undefined)
    return { steps: [], parameters: { [WATERMARK_PARAMETER]: input.rawWatermark } };
  const parameters = { [WATERMARK_PARAMETER]: WATERMARK_READ };
  if ("read" in how && !how.read) return { steps: [], parameters };
  const column = watermarkColumn(node);
  const statement = {
    kind: "select" as const,
    sql: dialect.selectMax(written, column),
    grammar: dialect.queryGrammar,
  };
  const condition =
    "when" in how
      ? { when: how.when, condition: { if: "has_column" as const, relation: written, column } }
      : {};
  const steps = planSteps("read the new watermark", [statement]).map((step) => ({
    ...step,
    ...condition,
    role: "read_watermark" as const,
  }));
  return { steps, parameters };
}

/** An overwrite of older partitions never moves the table's watermark back. */
function newerThanRecorded(
  parameters: Record<string, string>,
  input: PlanInput,
): Record<string, string> {
  const before = input.state.watermark;
  const after = parameters[WATERMARK_PARAMETER];
  if (before === undefined || after === WATERMARK_READ) return parameters;
  return after === undefined || before > after
    ? { ...parameters, [WATERMARK_PARAMETER]: before }
    : parameters;
}
