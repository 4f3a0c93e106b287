import type { LakeDialect, Statement, TableWrite } from "@sluice/dialects";
import { uniqueKeys } from "../config/check-config.js";
import type { CompiledNode } from "../types.js";
import {
  WATERMARK_READ,
  type CarryBound,
  type PlanInput,
  type PlanStep,
  type PublishedState,
} from "./node-plan.js";
import { reconcileLakeColumns } from "./on-schema-change.js";
import { planSteps, touching, versionsKept, type PlanBody } from "./plan-steps.js";
import { selectKnown, selectRecord } from "./select-record.js";
import { bindWindowStart, NO_WATERMARK, watermarkColumn, windowStart } from "./window.js";

type LakeTableNode = CompiledNode & { materialization: "table" | "seed" | "incremental" };

/**
 * The local lake (lake dialects): every table write is a new Parquet version folder, published by
 * swapping the view onto it with the table's state in one transaction (`publish_version`);
 * incremental runs carry the current version's untouched files over by hard link, or rewrite it
 * (merge). libs/runner's lake interpreter executes these steps as they are; what a statement
 * reads through `sluice_raw_window()` / `sluice_ref_window()` is bound when it runs (the run's
 * table of raw lines, the files of partitions published in the run).
 */
export function planLakeTable(
  node: LakeTableNode,
  dialect: LakeDialect,
  input: PlanInput,
): PlanBody {
  const { state } = input;
  const current = state.exists && state.kind === "table" ? state.location : undefined;
  if (sameSeed(node, input) && current !== undefined)
    return {
      action: "unchanged",
      // Cleanup still runs: older versions beyond versions_to_keep go, strays are reported.
      steps: [staleVersions(node, current)],
      notes: [
        "the seed's definition and rows are those its version was built from (its recorded inputs): nothing is written",
      ],
    };
  if (node.materialization !== "incremental" || current === undefined || input.fullRefresh)
    return newVersion(node, dialect, input);
  return nextVersion(node, dialect, input, current);
}

/**
 * A seed whose fingerprint (`input.inputs`: its definition and rows) is the one recorded with its
 * published version, outside --full-refresh: loading it again would write the same rows.
 */
function sameSeed(node: LakeTableNode, input: PlanInput): boolean {
  return (
    node.materialization === "seed" &&
    !input.fullRefresh &&
    input.inputs !== undefined &&
    input.state.exists &&
    input.state.inputs === input.inputs
  );
}

/** The version's write: the node's relation at its fresh location. */
function tableWrite(node: CompiledNode, input: PlanInput, selectSql: string): TableWrite {
  return {
    relation: node.relation,
    selectSql,
    partitionedBy: node.partitionedBy,
    location: node.location ?? "",
    writeId: input.writeId,
  };
}

/** Folders of versions older than `keep` go at the end of the run (`versions_to_keep` stay). */
function staleVersions(node: CompiledNode, keep: string = node.location ?? ""): PlanStep {
  return {
    kind: "storage",
    op: "delete_stale_locations",
    purpose: "delete older versions' folders",
    relation: node.relation,
    keep,
    ...versionsKept(node),
    deferred: true,
  };
}

/** A table, a seed, an incremental model's first build or --full-refresh: the whole SELECT. */
function newVersion(node: LakeTableNode, dialect: LakeDialect, input: PlanInput): PlanBody {
  const incremental = node.materialization === "incremental";
  const sql = incremental ? bindWindowStart(node.sql, dialect.literal(NO_WATERMARK)) : node.sql;
  const write = tableWrite(node, input, sql);
  // The dialect's own publish (no state recorded) gives way to publish_version.
  const statements = dialect
    .createTableAs(write)
    .filter((s) => s.kind !== "create_view" && !(s.kind === "record_version" && recorded(input)));
  const watermark = incremental ? newWatermark(node, dialect, input, write) : undefined;
  return {
    action: "new version",
    ...touching(node, "all (a new version)"),
    steps: [
      ...writeSteps(statements),
      ...(watermark?.steps ?? []),
      publishVersion(node, input, {
        uniformSchema: true,
        // A new version sets the columns; its incremental SELECT's are compared on the next run.
        schema: input.writeId,
        ...(watermark ? recordedState(input, NO_WATERMARK, watermark.value) : {}),
        // A seed records what it was loaded from: the next build with the same skips it.
        ...(node.materialization === "seed" && input.inputs !== undefined
          ? { inputs: input.inputs }
          : {}),
      }),
      staleVersions(node),
    ],
    notes: [
      "the published state also records the version's files and when the run listed the raw zone",
    ],
  };
}

/** The run recorded the node's version up front: no step records it again. */
const recorded = (input: PlanInput): boolean => input.versionRecorded === true;

/** Each statement of a new version, with what it is for. */
function writeSteps(statements: readonly Statement[]): PlanStep[] {
  return statements.flatMap((statement) =>
    planSteps(
      statement.kind === "create_schema"
        ? "create the schema if missing"
        : statement.kind === "record_version"
          ? "record the version as being written (cleanup removes only recorded versions)"
          : statement.kind === "copy"
            ? "write the rows to the new version's folder"
            : "write the new version",
      [statement],
    ),
  );
}

/** The step that publishes the node's new version with `state` (the run id added). */
function publishVersion(
  node: CompiledNode,
  input: PlanInput,
  state: Omit<PublishedState, "runId">,
): PlanStep {
  return {
    kind: "catalog",
    op: "publish_version",
    purpose: "publish: swap the view onto the new version, with its state",
    relation: node.relation,
    location: node.location ?? "",
    state: { runId: input.writeId, ...state },
  };
}

/**
 * An incremental version's recorded state: its watermark, the raw hours of the next lookback
 * window, and (reconciled models) the window's first hour as pending until a reconciliation
 * balances it.
 */
function recordedState(
  input: PlanInput,
  from: string,
  watermark: string | undefined,
): Omit<PublishedState, "runId" | "uniformSchema"> {
  const { rawHours, pendingFrom } = input.lakeRecord ?? {};
  return {
    ...(watermark === undefined ? {} : { watermark }),
    ...(rawHours === undefined ? {} : { rawHours }),
    ...(pendingFrom !== undefined && watermark !== undefined && from <= watermark
      ? { pendingFrom }
      : {}),
  };
}

/**
 * The new version's watermark: the newest raw hour listed before the write when the node reads
 * raw data upstream; else the newest value of its watermark column in what it wrote (a step
 * reads it; none when the version has no such column).
 */
function newWatermark(
  node: CompiledNode,
  dialect: LakeDialect,
  input: PlanInput,
  write: TableWrite,
): { steps: PlanStep[]; value: string } {
  if (input.rawWatermark !== undefined) return { steps: [], value: input.rawWatermark };
  const statement = {
    kind: "select" as const,
    sql: dialect.maxOfVersion(write.location, watermarkColumn(node)),
    grammar: dialect.queryGrammar,
  };
  const steps = planSteps("read the new watermark from the version's rows", [statement]).map(
    (step) => ({ ...step, role: "read_watermark" as const }),
  );
  return { steps, value: WATERMARK_READ };
}

const NOTES = [
  "the window starts at the watermark's lookback, or earlier: at a lookback hour whose files changed, an older hour a late file landed in, or the first hour no reconciliation balanced",
  "raw source reads bind to the run's table of the window's raw lines; ref_window() reads to the files of the partitions published in the run",
  "the published state also records the version's files and when the run listed the raw zone",
];

/** An incremental run: the window's rows into a new version, the rest carried or merged. */
function nextVersion(
  node: LakeTableNode,
  dialect: LakeDialect,
  input: PlanInput,
  current: string,
): PlanBody {
  const { state } = input;
  const from = input.windowFrom ?? windowStart(node, state);
  const bound = bindWindowStart(node.incrementalSql ?? node.sql, dialect.literal(from));
  const columns = state.columns ?? [];
  const reconciled =
    input.incoming === undefined || columns.length === 0
      ? { selectSql: bound, changed: columns.length === 0 }
      : reconcileLakeColumns(node, dialect, columns, bound, input.incoming);
  if ("error" in reconciled)
    return { action: "fail", steps: [], notes: [], error: reconciled.error };
  const strategy = node.incrementalStrategy ?? "append";
  // A SELECT whose columns are not the table's (on_schema_change added or synced some) returns
  // the kept rows changed too (a new column computed for them, on Athena as here): no carrying.
  const carryWhere = reconciled.changed
    ? undefined
    : carriedCondition(node, dialect, from, strategy);
  const write = tableWrite(
    node,
    input,
    carryWhere === undefined
      ? reconciled.selectSql
      : dialect.rowsNotCarried(reconciled.selectSql, carryWhere),
  );
  const record = recorded(input)
    ? []
    : planSteps(
        "record the version as being written",
        dialect.recordTableVersions([write], input.writeId),
      );
  // The table recorded that the SELECT's columns are its own for the inputs it has now: no probe.
  const known = columns.length > 0 && selectKnown(input);
  const probe =
    columns.length === 0 || known
      ? []
      : planSteps("on_schema_change: the SELECT's columns, compared with the table's", [
          { kind: "select", sql: dialect.limit(bound, 0), grammar: dialect.queryGrammar },
        ]).map((step) => ({ ...step, role: "probe_columns" as const }));
  const window = { ...(state.watermark === undefined ? {} : { watermark: state.watermark }), from };
  const notes = known ? [...NOTES, KNOWN_NOTE] : NOTES;
  // Nothing to read and the same columns (probed first when the table has them): a new version
  // would hold the current one's files and state. An unknown column list is not skipped.
  if (input.windowEmpty === true && columns.length > 0 && !reconciled.changed)
    return {
      action: "unchanged",
      window,
      // Cleanup still runs: older versions beyond versions_to_keep go, strays are reported.
      steps: [...record, ...probe, staleVersions(node, current)],
      notes: [
        `no raw hour upstream from ${from} on and nothing it reads written in this run: its window holds no row, nothing is written`,
        ...(known ? [KNOWN_NOTE] : []),
      ],
    };
  const watermark = newWatermark(node, dialect, input, write);
  const base = { action: strategy, window, notes };
  // Carried files keep the old columns: one schema only if nothing changed.
  const uniformSchema =
    strategy === "merge" || (state.uniformSchema === true && !reconciled.changed);
  // sync_all_columns over files of other columns: the view lists the table's (every version
  // from then on, the carried files keep what was dropped).
  const synced =
    node.config.on_schema_change === "sync_all_columns" && !uniformSchema
      ? (("columns" in reconciled ? reconciled.columns : undefined) ?? columns)
      : undefined;
  const publish = publishVersion(node, input, {
    uniformSchema,
    ...(synced === undefined || synced.length === 0 ? {} : { columns: synced }),
    ...schemaRecord(input, reconciled.changed, known),
    ...recordedState(input, from, watermark.value),
  });
  if (strategy === "merge") {
    const keys = uniqueKeys(node.config);
    if (keys.length === 0)
      return {
        ...base,
        action: "fail",
        steps: [],
        error: "incremental_strategy 'merge' needs a unique_key",
      };
    // sync_all_columns: the current rows' columns the SELECT dropped go (the rewrite lists them).
    const listed =
      node.config.on_schema_change === "sync_all_columns" && "columns" in reconciled
        ? reconciled.columns
        : undefined;
    const merged = listed === undefined ? write : { ...write, columns: listed.map((c) => c.name) };
    const merge = planSteps(
      "merge: current rows whose key is not new, plus the new rows, into the new version",
      dialect.mergeRewrite(merged, current, keys),
    ).map((step) => ({ ...step, role: "write_version" as const }));
    return {
      ...base,
      ...touching(node, "all (the version is rewritten)"),
      steps: [...record, ...probe, ...merge, ...watermark.steps, publish, staleVersions(node)],
    };
  }
  const copy = dialect.createTableAs(write).filter((s) => s.kind === "copy");
  const overwrite = strategy === "insert_overwrite";
  const carry: PlanStep =
    carryWhere === undefined
      ? {
          kind: "storage",
          op: "carry_version_files",
          // The lake then packs the hourly files of each closed day into one (libs/engines
          // version-packs.ts).
          purpose: overwrite
            ? "link the current version's files of the partitions not rewritten; a closed day's hour files become one pack"
            : "link the current version's files; a closed day's hour files become one pack",
          from: current,
          to: write.location,
          skipWrittenPartitions: overwrite,
        }
      : {
          kind: "storage",
          op: "carry_version_files",
          purpose:
            "carry the current version's rows that meet carry_where: link the files they fill, copy them out of the others",
          from: current,
          to: write.location,
          skipWrittenPartitions: false,
          carryWhere,
          ...carryBoundOf(node, from),
        };
  const steps: PlanStep[] = [
    ...record,
    ...probe,
    ...planSteps(
      carryWhere === undefined
        ? "write the window's rows to the new version's folder"
        : "write the window's rows that carry_where does not carry to the new version's folder",
      copy,
    ),
    carry,
    ...watermark.steps,
    publish,
    ...(overwrite
      ? []
      : planSteps("count the table's rows (from the new version's file footers)", [
          {
            kind: "select",
            sql: dialect.rowsOfVersion(write.location),
            grammar: dialect.queryGrammar,
          },
        ]).map((step) => ({ ...step, role: "count_rows" as const }))),
    staleVersions(node),
  ];
  return {
    ...base,
    ...touching(
      node,
      overwrite
        ? "those the new rows hold (replaced whole)"
        : "those of the appended rows (added to)",
    ),
    steps,
  };
}

/** The plan's note when the table's recorded `select` spares the probe. */
const KNOWN_NOTE =
  "no column probe: the table recorded that the SELECT's columns are its own for the model, the schemas of what it reads and its own schema as they are now";

/**
 * What an incremental version records of its columns: the schema id (this write's when its
 * columns changed or none was recorded, else the table's), and the `select` fingerprint when the
 * SELECT's columns were found (`incoming`) or known to be the table's. A version whose columns
 * changed records none: the next run probes again.
 */
function schemaRecord(
  input: PlanInput,
  changed: boolean,
  known: boolean,
): Pick<PublishedState, "schema" | "select"> {
  const schema = changed || input.state.schema === undefined ? input.writeId : input.state.schema;
  const compared = !changed && (known || input.incoming !== undefined);
  return compared && input.selectInputs !== undefined
    ? { schema, select: selectRecord(input.selectInputs, schema) }
    : { schema };
}

/** `<column> < sluice_incremental_from()` or `<=`, an unquoted column, nothing else. */
const BOUND_SHAPE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=?)\s*sluice_incremental_from\(\s*\)\s*$/i;

/** The step's `carryBound` when the model's `carry_where` has the shape {@link BOUND_SHAPE}. */
function carryBoundOf(node: CompiledNode, from: string): { carryBound?: CarryBound } {
  const m = BOUND_SHAPE.exec(String(node.config.carry_where));
  return m ? { carryBound: { column: m[1]!, inclusive: m[2] === "<=", from } } : {};
}

/**
 * insert_overwrite with `carry_where`: the condition with the window's start bound. The lake then
 * writes only the SELECT's rows it is not true for and carries the current version's rows it is
 * true for, instead of writing every row of each replaced partition again (the SELECT returns
 * those as they are, by the model's own contract; see libs/compiler/README.md).
 */
function carriedCondition(
  node: CompiledNode,
  dialect: LakeDialect,
  from: string,
  strategy: string,
): string | undefined {
  const condition = node.config.carry_where;
  if (strategy !== "insert_overwrite" || typeof condition !== "string") return undefined;
  return bindWindowStart(condition, dialect.literal(from));
}
