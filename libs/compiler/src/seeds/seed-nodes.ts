import type { FolderConfig, SeedFile } from "@sluice/project";
import type { Dialect } from "@sluice/dialects";
import { planStatements } from "../plan/plan-statements.js";
import type { ResolvedTarget } from "../target/resolve-target.js";
import type { CompiledNode } from "../types.js";
import { seedSelectSql } from "./seed-sql.js";

/**
 * A seed CSV as a table node built from a VALUES query. Its schema and tags come from
 * sluice.yml's `seeds:` folder config (deeper folders win; tags add up), else the default schema.
 */
export function seedNode(
  seed: SeedFile,
  target: ResolvedTarget,
  dialect: Dialect,
  runId: string,
  folders: FolderConfig,
): CompiledNode {
  const config = seedConfig(seed, folders);
  const { tags } = config;
  const schema = target.schemaName(config.schema);
  const node: CompiledNode = {
    id: `seed.${seed.name}`,
    kind: "seed",
    name: seed.name,
    path: seed.path,
    schema,
    relation: target.relation(schema, seed.name),
    materialization: "seed",
    partitionedBy: [],
    config: { schema, tags },
    tags,
    columns: seed.columns.map((name) => ({ name })),
    dependsOn: [],
    sql: seedSelectSql(dialect, seed.columns, seed.rows),
    statements: [],
    location: target.tableLocation(schema, seed.name, runId),
  };
  node.statements = planStatements(node, dialect, {
    exists: false,
    fullRefresh: false,
    writeId: runId,
  });
  return node;
}

function seedConfig(
  seed: SeedFile,
  root: FolderConfig,
): { schema: string | undefined; tags: string[] } {
  let schema: string | undefined;
  const tags: string[] = [];
  const apply = (folder: FolderConfig): void => {
    if (typeof folder.config.schema === "string") schema = folder.config.schema;
    const t = folder.config.tags as unknown;
    for (const tag of typeof t === "string" ? [t] : Array.isArray(t) ? t : [])
      if (!tags.includes(String(tag))) tags.push(String(tag));
  };
  apply(root);
  let node: FolderConfig | undefined = root;
  for (const folder of seed.path.split("/").slice(0, -1)) {
    node = node.children[folder];
    if (!node) break;
    apply(node);
  }
  return { schema, tags };
}
