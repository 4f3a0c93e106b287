import type { Diagnostic, FolderConfig, ModelConfig, SeedFile } from "@sluice/project";
import { foldersUnder } from "@sluice/project/compile-time";
import { warning } from "@sluice/project/diagnostics";
import { folderLayers } from "../config/merge-config.js";
import type { Dialect } from "@sluice/dialects";
import { planStatements } from "../plan/plan-statements.js";
import type { ResolvedTarget } from "../target/resolve-target.js";
import type { CompiledNode } from "../types.js";
import type { HookKey } from "../compile/hook-keys.js";
import { seedSelectSql } from "./seed-sql.js";

/** Where a dbt project's `seeds:` config is keyed: under its name, by folders of seed-paths. */
export interface SeedLayout {
  projectName: string;
  seedPaths: readonly string[];
}

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
  layout?: SeedLayout,
): CompiledNode {
  const config = seedConfig(seed, folders, layout);
  const { tags, hooks } = config;
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
    config: { schema, tags, ...hooks },
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

/**
 * The keys of `seeds:` folder config a seed applies, and `meta` (documentation, no effect):
 * what {@link seedFolderWarnings} says nothing about.
 */
const SEED_KEYS = new Set(["schema", "tags", "pre_hook", "post_hook", "meta"]);

/**
 * A warning for each key of the `seeds:` folder config that seeds do not apply (`+enabled`,
 * `+alias`, `+materialized`...: model keys the folder config accepts), at its folder: before,
 * they were dropped without a word.
 */
export function seedFolderWarnings(root: FolderConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  const visit = (folder: FolderConfig, trail: string): void => {
    for (const [key, value] of Object.entries(folder.config)) {
      // `+enabled: true` asks for what every seed is.
      const applied = SEED_KEYS.has(key) || value === undefined;
      if (applied || (key === "enabled" && value === true)) continue;
      out.push(
        warning(
          "SEED_CONFIG_IGNORED",
          `'+${key}' under ${trail} is not applied to seeds: a seed takes schema, tags, pre_hook and post_hook from its folders`,
          folder.at,
          "set it on the models that read the seed, or remove it",
        ),
      );
    }
    for (const [name, child] of Object.entries(folder.children)) visit(child, `${trail}.${name}`);
  };
  visit(root, "seeds");
  return out;
}

function seedConfig(
  seed: SeedFile,
  root: FolderConfig,
  layout: SeedLayout | undefined,
): {
  schema: string | undefined;
  tags: string[];
  hooks: Pick<ModelConfig, HookKey>;
} {
  let schema: string | undefined;
  const tags: string[] = [];
  const hooks: Pick<ModelConfig, HookKey> = {};
  const apply = (config: FolderConfig["config"]): void => {
    if (typeof config.schema === "string") schema = config.schema;
    // The deepest folder's hooks, as for a model's.
    if (config.pre_hook !== undefined) hooks.pre_hook = config.pre_hook;
    if (config.post_hook !== undefined) hooks.post_hook = config.post_hook;
    const t = config.tags as unknown;
    for (const tag of typeof t === "string" ? [t] : Array.isArray(t) ? t : [])
      if (!tags.includes(String(tag))) tags.push(String(tag));
  };
  // dbt nests it under the project name, folders counted from the seed paths (as models'); a
  // sluice.yml's folders count from the project folder.
  const inPath = seed.path.split("/").slice(0, -1);
  const nested = layout && root.children[layout.projectName] && inPath[0] !== layout.projectName;
  const folders = nested ? foldersUnder(seed.path, layout.seedPaths) : inPath;
  for (const layer of folderLayers(root, folders, layout?.projectName ?? "")) apply(layer.values);
  return { schema, tags, hooks };
}
