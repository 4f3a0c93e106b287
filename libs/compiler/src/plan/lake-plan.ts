import type { LakeDialect, Statement, TableWrite } from "@sluice/dialects";
import { uniqueKeys } from "../config/check-config.js";
import type { CompiledNode } from "../types.js";
import type { PlanInput, PlanStep } from "./node-plan.js";
import { planSteps, touching, versionsKept, type PlanBody } from "./plan-steps.js";
import { bindWindow, incrementalFrom, lookbackHours } from "./window.js";

/**
 * The local lake (dialects with `publishesTablesAsViews`): every table write is a new Parquet
 * version folder, published by swapping the view onto it with the table's state in one
 * transaction; incremental runs carry the current version's untouched files over by hard link.
 * Mirrors what libs/runner's view swap executes.
 */
export function planLakeTable(
  node: CompiledNode & { materialization: "table" | "seed" | "incremental" },
  dialect: LakeDialect,
  input: PlanInput,
): PlanBody {
  const { state } = input;
  const current = state.exists && state.kind === "table" ? state.location : undefined;
  const location = node.location ?? "";
  const write = (selectSql: string): TableWrite => ({
    relation: node.relation,
    selectSql,
    partitionedBy: node.partitionedBy,
    location,
    writeId: input.writeId,
  });
  const stale: PlanStep = {
    kind: "storage",
    op: "delete_stale_locations",
    purpose: "delete older versions' folders",
    relation: node.relation,
    keep: location,
    ...versionsKept(node),
    deferred: true,
  };
  switch (node.materialization) {
    case "table":
    case "seed":
      return newVersion(node, dialect, write(node.sql), stale);
    case "incremental":
      if (current === undefined || input.fullRefresh)
        return newVersion(node, dialect, write(node.sql), stale);
      return nextVersion(node, dialect, input, current, write, stale);
  }
}

function newVersion(
  node: CompiledNode,
  dialect: LakeDialect,
  write: TableWrite,
  stale: PlanStep,
): PlanBody {
  return {
    action: "new version",
    ...touching(node, "all (a new version)"),
    steps: [...writeSteps(dialect.createTableAs(write)), stale],
    notes: [
      "the published state also records the version's files (and, incremental: watermark and raw hours) at publish",
    ],
  };
}

/** Each statement of a new version, with what it is for. */
function writeSteps(statements: readonly Statement[]): PlanStep[] {
  return statements.flatMap((statement) =>
    planSteps(
      statement.kind === "create_schema"
        ? "create the schema if missing"
        : statement.kind === "create_view"
          ? "publish: swap the view onto the new version, with its state"
          : statement.kind === "record_version"
            ? "record the version as being written (cleanup removes only recorded versions)"
            : statement.kind === "copy"
              ? "write the rows to the new version's folder"
              : "write the new version",
      [statement],
    ),
  );
}

/** An incremental run: the window's rows into a new version, the rest carried or merged. */
function nextVersion(
  node: CompiledNode,
  dialect: LakeDialect,
  input: PlanInput,
  current: string,
  write: (selectSql: string) => TableWrite,
  stale: PlanStep,
): PlanBody {
  const watermark = input.state.watermark;
  const from = incrementalFrom(watermark, lookbackHours(node.config as Record<string, unknown>));
  const selectSql = bindWindow(node.incrementalSql ?? node.sql, dialect.literal(from));
  const strategy = node.incrementalStrategy ?? "append";
  const probe =
    (input.state.columns ?? []).length === 0
      ? []
      : planSteps("on_schema_change: the SELECT's columns, compared with the table's", [
          { kind: "select", sql: dialect.limit(selectSql, 0), grammar: dialect.queryGrammar },
        ]);
  const record = planSteps(
    "record the version as being written",
    dialect.recordTableVersions([write(selectSql)], input.writeId),
  );
  const publish = planSteps(
    "publish: swap the view onto the new version, with its state",
    dialect.publishTableVersion(node.relation, write(selectSql).location, {
      runId: input.writeId,
      ...(watermark === undefined ? {} : { watermark }),
    }),
  );
  const notes = [
    "the window may start earlier: at a lookback hour whose files changed, an older hour a late file landed in, or the first hour no reconciliation balanced",
    "raw source reads bind to the run's table of the window's raw lines; ref_window() reads to the partitions' files",
    "the published state records the newest raw hour, the lookback's raw hours and the version's files at publish",
  ];
  let steps: PlanStep[];
  let touched: string;
  if (strategy === "merge") {
    const keys = uniqueKeys(node.config);
    if (keys.length === 0)
      return {
        action: "fail",
        steps: [],
        notes: [],
        error: "incremental_strategy 'merge' needs a unique_key",
      };
    steps = planSteps(
      "merge: current rows whose key is not new, plus the new rows, into the new version",
      dialect.mergeRewrite(write(selectSql), current, keys),
    );
    touched = "all (the version is rewritten)";
  } else {
    const copy = dialect.createTableAs(write(selectSql)).filter((s) => s.kind === "copy");
    steps = [
      ...planSteps("write the window's rows to the new version's folder", copy),
      {
        kind: "storage",
        op: "carry_version_files",
        purpose:
          strategy === "insert_overwrite"
            ? "link the current version's files of the partitions not rewritten"
            : "link the current version's files",
        from: current,
        to: write(selectSql).location,
        skipWrittenPartitions: strategy === "insert_overwrite",
      },
    ];
    touched =
      strategy === "insert_overwrite"
        ? "those the new rows hold (replaced whole)"
        : "those of the appended rows (added to)";
  }
  return {
    action: strategy,
    window: { ...(watermark === undefined ? {} : { watermark }), from },
    ...touching(node, touched),
    steps: [...record, ...probe, ...steps, ...publish, stale],
    notes,
  };
}
