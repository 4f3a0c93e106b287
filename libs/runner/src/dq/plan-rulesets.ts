import { error } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import type { BoundRuleset } from "./bind-rulesets.js";
import type { RulesetToPublish } from "@sluice/engines";

/**
 * The Glue Data Quality rulesets of a project on a catalog target: one per table, named
 * `<project>_<database>_<table>`, with the file's DQDL text (LF endings). Views are skipped
 * (Glue Data Quality evaluates tables); two files on one table are a DQDL_TARGET error.
 *
 * @example
 * planRulesets("ecommerce", bound).rulesets[0];
 * // { name: "ecommerce_ecommerce_silver_events", targetTable: { DatabaseName: "ecommerce_silver", TableName: "events" }, ... }
 */
export function planRulesets(
  projectName: string,
  bound: readonly BoundRuleset[],
): {
  rulesets: RulesetToPublish[];
  skipped: { file: string; reason: string }[];
  diagnostics: Diagnostic[];
} {
  const rulesets: RulesetToPublish[] = [];
  const skipped: { file: string; reason: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  const byTable = new Map<string, string>();
  for (const b of bound) {
    const rel = b.target.relation;
    if (b.target.materialization === "view") {
      skipped.push({
        file: b.file.path,
        reason: `${rel.schema}.${rel.name} is a view; Glue Data Quality checks tables`,
      });
      continue;
    }
    const key = `${rel.schema}.${rel.name}`;
    const other = byTable.get(key);
    if (other) {
      diagnostics.push(
        error(
          "DQDL_TARGET",
          `${key} already has a ruleset (${other}); Glue keeps one per table here`,
          { file: b.file.path, line: 1, column: 1 },
          "merge the two files",
        ),
      );
      continue;
    }
    byTable.set(key, b.file.path);
    rulesets.push({
      name: `${projectName}_${rel.schema}_${rel.name}`,
      ruleset: `${b.file.text.replace(/\r\n?/g, "\n").trimEnd()}\n`,
      description: `Published by sluice from ${b.file.path}`,
      targetTable: { DatabaseName: rel.schema, TableName: rel.name },
    });
  }
  return { rulesets, skipped, diagnostics };
}
