import { compileProject, dialectFor } from "@sluice/compiler";
import { rawSourceLayout } from "@sluice/dialects";
import { loadProject, type Diagnostic, type TargetConfig } from "@sluice/project";
import { bindRulesets, planRulesets } from "@sluice/runner";

/** A Glue Data Quality ruleset as `sluice dq publish` would create it. */
export interface RulesetFacts {
  name: string;
  ruleset: string;
  description: string;
  database: string;
  table: string;
}

/** What the stack needs to know about the models project, read from its files. */
export interface ProjectFacts {
  projectName: string;
  /** Glue database of each schema the project uses (`raw`, `staging`, ...). */
  databases: Record<string, string>;
  /** The raw source table: its database, name and layout (location relative to the lake root). */
  raw: {
    database: string;
    table: string;
    relativeLocation: string;
    projectionStart: string;
    /** Declared with `partitioning: firehose_event_type_hourly`: the zone is read by event type. */
    eventTypes?: string[];
  };
  rulesets: RulesetFacts[];
  diagnostics: Diagnostic[];
}

/** Glue database names: `<project>_<stage>_<schema>`, '-' as '_' (Athena names). */
export function databaseName(project: string, stage: string, schema: string): string {
  return `${project}_${stage}_${schema}`.replace(/-/g, "_").toLowerCase();
}

/**
 * Loads and compiles the models project for an Athena target named like the stack's databases,
 * so the raw table and the DQ rulesets are exactly what `sources register` and `dq publish` would
 * make on that target (the same layout and planning code, not a copy).
 *
 * @example
 * const facts = await projectFacts("models", "prod");
 * facts.rulesets.map((r) => r.name); // ["ecommerce_ecommerce_prod_silver_events", ...]
 */
export async function projectFacts(modelsDir: string, stage: string): Promise<ProjectFacts> {
  const project = await loadProject(modelsDir);
  const name = project.config.name;
  const schemas = new Set<string>(["raw"]);
  for (const t of Object.values(project.config.targets))
    if (t.engine === "athena") for (const s of Object.keys(t.databases)) schemas.add(s);
  const databases = Object.fromEntries(
    [...schemas].sort().map((s) => [s, databaseName(name, stage, s)]),
  );
  // Compiled for a target that names the stack's databases; the S3 locations are not used.
  const target: TargetConfig = {
    engine: "athena",
    region: "us-east-1",
    workgroup: "primary",
    s3_staging_dir: "s3://stack/results/",
    s3_lake_root: "s3://stack",
    databases,
    threads: 1,
  };
  const targetName = "__stack";
  project.config.targets[targetName] = target;
  const compiled = compileProject(project, {
    targetName,
    vars: {},
    env: {},
    runId: "stack",
    dialect: dialectFor(target),
  });
  const bound = bindRulesets(project, compiled);
  const plan = planRulesets(name, bound.bound);
  const source = project.sources.find((s) => s.external !== undefined);
  if (source?.external === undefined)
    throw new Error(`${modelsDir}: no source with an 'external:' raw zone declaration`);
  return {
    projectName: name,
    databases,
    raw: {
      database: databases[source.sourceName] ?? databaseName(name, stage, source.sourceName),
      table: source.name,
      relativeLocation: source.external.location.replace(/^\/+|\/+$/g, ""),
      projectionStart: String(project.config.vars["raw_projection_start"] ?? "2024/01/01/00"),
      ...(source.external.event_types ? { eventTypes: source.external.event_types } : {}),
    },
    rulesets: plan.rulesets.map((r) => ({
      name: r.name,
      ruleset: r.ruleset,
      description: r.description,
      database: r.targetTable.DatabaseName,
      table: r.targetTable.TableName,
    })),
    diagnostics: [
      ...project.diagnostics,
      ...compiled.diagnostics,
      ...bound.diagnostics,
      ...plan.diagnostics,
    ],
  };
}

/** The raw table's Glue TableInput (CloudFormation spelling) under the raw zone's root. */
export function rawTableInput(facts: ProjectFacts, rawRoot: string) {
  const layout = rawSourceLayout({
    relation: { schema: facts.raw.database, name: facts.raw.table },
    location: `${rawRoot}/${facts.raw.relativeLocation}`,
    projectionStart: facts.raw.projectionStart,
    ...(facts.raw.eventTypes ? { eventTypes: facts.raw.eventTypes } : {}),
  });
  return {
    name: facts.raw.table,
    tableType: "EXTERNAL_TABLE",
    parameters: { EXTERNAL: "TRUE", ...layout.parameters },
    partitionKeys: layout.partitionKeys,
    storageDescriptor: {
      columns: layout.columns,
      location: layout.location,
      inputFormat: layout.inputFormat,
      outputFormat: layout.outputFormat,
      serdeInfo: { serializationLibrary: layout.serde, parameters: layout.serdeParameters },
    },
  };
}
