import type { SourceLocation } from "@sluice/project";
import type { DqRuleset } from "./ast.js";

/** Which model or source a ruleset tests, and what said so. */
export interface RulesetTarget {
  /** A model name (`stg_events`) or a source table (`raw.events`), as written. */
  name: string;
  via: "DataSources" | "file name";
  at?: SourceLocation;
}

/**
 * The relation a ruleset tests: `DataSources = { "Primary": "<name>" }` when given, else the
 * file name convention `rules/<model>.dqdl`. The caller resolves the name (DQDL_TARGET when unknown).
 *
 * @example
 * rulesetTarget(ruleset, "rules/stg_events.dqdl"); // { name: "stg_events", via: "file name" }
 */
export function rulesetTarget(ruleset: DqRuleset, fileName: string): RulesetTarget | undefined {
  const primary = ruleset.dataSources?.primary;
  if (primary !== undefined && primary !== "") {
    const at = ruleset.dataSources?.at;
    return {
      name: primary,
      via: "DataSources",
      ...(at ? { at: { file: ruleset.file, line: at.line, column: at.column } } : {}),
    };
  }
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const name = base.replace(/\.dqdl$/i, "");
  return name === "" ? undefined : { name, via: "file name" };
}
