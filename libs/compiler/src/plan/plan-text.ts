import type { Relation } from "@sluice/dialects";
import type { NodePlan, PlanStep, PublishedState } from "./node-plan.js";

const name = (r: Relation): string => `${r.schema}.${r.name}`;

/** ` with k=v, ...` (nothing without parameters). */
const withParameters = (parameters: Readonly<Record<string, string>>): string => {
  const entries = Object.entries(parameters);
  return entries.length === 0 ? "" : ` with ${entries.map(([k, v]) => `${k}=${v}`).join(", ")}`;
};

/** ` and N earlier version(s)` when `versions_to_keep` is set. */
const kept = (versions: number | undefined): string =>
  versions === undefined ? "" : ` and ${versions} earlier version(s)`;

/** ` recording k=v, ...`: the state a lake version is published with (its run id left out). */
const recording = (state: PublishedState): string => {
  const entries = Object.entries(state).filter(([k]) => k !== "runId");
  const text = (v: unknown): string => (typeof v === "object" ? JSON.stringify(v) : String(v));
  return entries.length === 0
    ? ""
    : ` recording ${entries.map(([k, v]) => `${k}=${text(v)}`).join(", ")}`;
};

/** One step's operation in words (SQL steps: their kind and grammar; the SQL follows). */
function operation(step: PlanStep): string {
  switch (step.kind) {
    case "sql":
      return `sql ${step.statement.kind} (${step.statement.grammar})`;
    case "catalog":
      switch (step.op) {
        case "drop_staging_tables":
          return `catalog drop_staging_tables ${name(step.relation)}${step.marker}* except ${step.keep}`;
        case "publish_table":
        case "publish_partitions":
          return `catalog ${step.op} ${name(step.staging)} -> ${name(step.target)}${withParameters(step.parameters)}${step.op === "publish_partitions" ? kept(step.versionsToKeep) : ""}`;
        case "set_parameters":
          return `catalog set_parameters ${name(step.relation)}${withParameters(step.parameters)}`;
        case "publish_version":
          return `catalog publish_version ${name(step.relation)} -> ${step.location}${recording(step.state)}`;
        case "drop_table":
          return `catalog drop_table ${name(step.relation)} (entry and data${step.unlessReadBy ? `, unless ${name(step.unlessReadBy)} reads it` : ""})`;
      }
      break;
    case "storage":
      switch (step.op) {
        case "delete_stale_locations":
          return `storage delete_stale_locations ${name(step.relation)} except ${step.keep}${kept(step.versionsToKeep)}${step.deferred ? " (at the end of the run)" : ""}`;
        case "remove_leftovers":
          return `storage remove_leftovers ${name(step.relation)}${step.partitioned ? " (retired partition locations)" : ""}${kept(step.versionsToKeep)}${step.deferred ? " (at the end of the run)" : ""}`;
        case "carry_version_files":
          return `storage carry_version_files ${step.from} -> ${step.to}${step.skipWrittenPartitions ? " (partitions not rewritten)" : ""}${step.carryWhere === undefined ? "" : ` (rows where ${step.carryWhere})`}`;
      }
  }
}

/** A SQL text indented under its step. */
const indented = (sql: string): string[] =>
  sql
    .trim()
    .split("\n")
    .map((line) => `     ${line}`.trimEnd());

/**
 * Plans as readable text, one block per node in order: what it does, its window and partitions,
 * then each numbered step (SQL in full, indented) and the notes.
 *
 * @example
 * formatPlans([plan]);
 * // "silver.events (model, incremental) on catalog: insert_overwrite\n  window: ...\n  1. catalog drop_staging_tables ..."
 */
export function formatPlans(plans: readonly NodePlan[]): string {
  return plans
    .map((plan) => {
      const lines = [
        `${plan.relation ?? plan.node} (${plan.kind}, ${plan.materialization}) on ${plan.engine}: ${plan.action}`,
      ];
      if (plan.relation !== undefined && plan.relation !== plan.node)
        lines.push(`  node: ${plan.node}`);
      if (plan.window)
        lines.push(
          `  window: from ${plan.window.from}${plan.window.watermark === undefined ? " (no recorded watermark)" : ` (watermark ${plan.window.watermark})`}`,
        );
      if (plan.partitions)
        lines.push(
          `  partitions (${plan.partitions.columns.join(", ")}): ${plan.partitions.touched}`,
        );
      if (plan.error) lines.push(`  error: ${plan.error}`);
      plan.steps.forEach((step, i) => {
        lines.push(`  ${i + 1}. ${operation(step)}: ${step.purpose}`);
        if (step.when !== undefined) lines.push(`     only when ${step.when}`);
        if (step.kind === "sql") lines.push(...indented(step.statement.sql));
      });
      for (const note of plan.notes) lines.push(`  note: ${note}`);
      return lines.join("\n");
    })
    .join("\n\n");
}
