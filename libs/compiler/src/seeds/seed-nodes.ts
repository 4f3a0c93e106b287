import type { SeedFile } from "@sluice/project";
import type { Dialect } from "@sluice/dialects";
import { defaultModelConfig } from "../config/merge-config.js";
import { planStatements } from "../plan/plan-statements.js";
import type { ResolvedTarget } from "../target/resolve-target.js";
import type { CompiledNode } from "../types.js";
import { seedSelectSql } from "./seed-sql.js";

/** A seed CSV as a table node built from a VALUES query, in the default schema. */
export function seedNode(seed: SeedFile, target: ResolvedTarget, dialect: Dialect, runId: string): CompiledNode {
  const schema = defaultModelConfig.schema;
  const node: CompiledNode = {
    id: `seed.${seed.name}`,
    kind: "seed",
    name: seed.name,
    path: seed.path,
    schema,
    relation: target.relation(schema, seed.name),
    materialization: "seed",
    partitionedBy: [],
    config: {},
    tags: [],
    columns: seed.columns.map((name) => ({ name })),
    dependsOn: [],
    sql: seedSelectSql(dialect, seed.columns, seed.rows),
    statements: [],
    location: target.tableLocation(schema, seed.name, runId),
  };
  node.statements = planStatements(node, dialect, { exists: false, fullRefresh: false, writeId: runId });
  return node;
}
