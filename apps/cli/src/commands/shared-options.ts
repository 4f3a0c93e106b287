import type { Options } from "yargs";

/** --select/--exclude, as in dbt: space- or flag-separated selectors. */
export const selectionOptions: Record<string, Options> = {
  select: {
    alias: "s",
    type: "string",
    array: true,
    describe:
      "Nodes to include, as dbt selects: a name, folder or file (stg_*, marts, marts/funnel.sql); " +
      "methods tag:, path:, file:, fqn:, source:, resource_type:, test_type:generic|singular|dq|unit|data, " +
      "config.<key>:<value>, exposure:<name> (what it reads), state:modified|new|unmodified (with --state; " +
      "modified.body|configs|relation|macros|contract), result:error|fail|warn|skipped (the --state run's results), " +
      "source_status:fresher (sources with newer rows than in --state's sources.json); " +
      "+name / name+ / 2+name / @name for ancestors and descendants; " +
      "spaces unite, commas intersect (tag:silver,config.materialized:incremental)",
  },
  exclude: {
    type: "string",
    array: true,
    describe: "Nodes to leave out (same syntax as --select)",
  },
  state: {
    type: "string",
    describe:
      "Folder holding a previous run's manifest.json (and run_results.json, sources.json), e.g. production's target/: what state:, result: and source_status: selectors and --defer compare with",
  },
};

/** The resource types sluice has, as dbt names them (`--resource-type`, `resource_type:`). */
export const RESOURCE_TYPES = ["source", "seed", "model", "snapshot", "test", "unit_test"];

/** dbt's --resource-type / --exclude-resource-type (build, run, test, seed, snapshot, ls). */
export const resourceTypeOptions: Record<string, Options> = {
  "resource-type": {
    type: "string",
    array: true,
    choices: RESOURCE_TYPES,
    describe:
      "Only selected nodes of these resource types, as dbt's (unit tests are unit_test, not test)",
  },
  "exclude-resource-type": {
    type: "string",
    array: true,
    choices: RESOURCE_TYPES,
    describe:
      "Leave out selected nodes of these resource types (dbt's, e.g. --exclude-resource-type unit_test in production)",
  },
};

export const formatOption = (choices: string[], dflt = "table"): Options => ({
  type: "string",
  choices,
  default: dflt,
  describe: "Output format",
});

export interface SelectionArgs {
  select?: string[];
  exclude?: string[];
  /** `--resource-type` / `--exclude-resource-type` (see {@link resourceTypeOptions}). */
  resourceType?: string[];
  excludeResourceType?: string[];
  /** `--state DIR`: a previous run's artifacts. */
  state?: string;
}

/** A flag described as plain data (by the generator app) → yargs options. */
export function toYargsOptions(
  flags: readonly {
    name: string;
    type: "number" | "string" | "boolean";
    describe: string;
    default?: unknown;
    demandOption?: boolean;
    choices?: readonly string[];
  }[],
): Record<string, Options> {
  return Object.fromEntries(
    flags.map((o) => [
      o.name,
      {
        type: o.type,
        describe: o.describe,
        ...(o.default !== undefined ? { default: o.default } : {}),
        ...(o.demandOption ? { demandOption: true } : {}),
        ...(o.choices ? { choices: [...o.choices] } : {}),
      } satisfies Options,
    ]),
  );
}
