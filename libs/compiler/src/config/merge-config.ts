import { error } from "@sluice/project";
import type { Diagnostic, FolderConfig, ModelConfig, SourceLocation } from "@sluice/project";
import { allowedValues, mergedConfigSchema } from "./config-schema.js";

/** Project-wide defaults, the weakest config layer. */
export const defaultModelConfig: ModelConfig = {
  materialized: "view",
  schema: "default",
  tags: [],
  partitioned_by: [],
  incremental_strategy: "append",
  on_schema_change: "ignore",
  enabled: true,
};

/** One source of config values; later layers win. */
export interface ConfigLayer {
  /** Human name of where the values come from, e.g. `sluice.yml models.staging`. */
  origin: string;
  at?: SourceLocation;
  values: Record<string, unknown>;
}

/** Folder `+key` layers for a model, outermost first (deeper folders win). */
export function folderLayers(
  root: FolderConfig,
  folders: readonly string[],
  projectName: string,
): ConfigLayer[] {
  const layers: ConfigLayer[] = [{ origin: "sluice.yml models", values: root.config }];
  let node: FolderConfig | undefined = root;
  let trail = "models";
  // dbt nests folder config under the project name; accept both spellings.
  const named = root.children[projectName];
  if (named && folders[0] !== projectName) {
    node = named;
    trail += `.${projectName}`;
    layers.push({ origin: `sluice.yml ${trail}`, values: named.config });
  }
  for (const folder of folders) {
    node = node?.children[folder];
    if (!node) break;
    trail += `.${folder}`;
    layers.push({ origin: `sluice.yml ${trail}`, values: node.config });
  }
  return layers;
}

const asList = (v: unknown): unknown => (typeof v === "string" ? [v] : v);

/**
 * Merge config layers over the defaults and validate the result. Tags add up across layers (as
 * in dbt); every other key is replaced by the most specific layer. An invalid value is reported
 * at the layer that set it.
 */
export function mergeConfig(layers: readonly ConfigLayer[]): {
  config: ModelConfig;
  diagnostics: Diagnostic[];
} {
  const merged: Record<string, unknown> = { ...defaultModelConfig };
  const setBy = new Map<string, ConfigLayer>();
  const tags: unknown[] = [];
  for (const layer of layers) {
    for (const [key, raw] of Object.entries(layer.values)) {
      if (raw === undefined) continue;
      const value = key === "tags" || key === "partitioned_by" ? asList(raw) : raw;
      if (key === "tags" && Array.isArray(value)) tags.push(...value);
      else merged[key] = value;
      setBy.set(key, layer);
    }
  }
  merged.tags = [...new Set(tags)];
  const parsed = mergedConfigSchema.safeParse(merged);
  if (parsed.success) return { config: parsed.data as ModelConfig, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? "");
    if (reported.has(key)) continue;
    reported.add(key);
    const layer = setBy.get(key);
    const where = layer ? ` (set in ${layer.origin})` : "";
    diagnostics.push(
      error(
        "CONFIG_VALUE_INVALID",
        `config '${key}' has an invalid value ${JSON.stringify(merged[key])}${where}`,
        layer?.at,
        allowedValues[key] ? `'${key}' must be ${allowedValues[key]}` : issue.message,
      ),
    );
  }
  return { config: { ...defaultModelConfig }, diagnostics };
}
