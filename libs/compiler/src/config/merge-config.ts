import { error } from "@sluice/project/diagnostics";
import { defaultModelConfig, resolvedModelConfigSchema } from "@sluice/project/compile-time";
import type { Diagnostic, FolderConfig, ModelConfig, SourceLocation } from "@sluice/project";

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
    layers.push(folderLayer(named, trail));
  }
  for (const folder of folders) {
    node = node?.children[folder];
    if (!node) break;
    trail += `.${folder}`;
    layers.push(folderLayer(node, trail));
  }
  return layers;
}

const folderLayer = (folder: FolderConfig, trail: string): ConfigLayer => ({
  origin: `sluice.yml ${trail}`,
  ...(folder.at ? { at: folder.at } : {}),
  values: folder.config,
});

/**
 * Valid merged configs by the JSON text of what was validated, within one compile: most models
 * of a large project merge the same few configs, and the schema's parse is the dearest step.
 * Only values that JSON states exactly are keyed (see {@link isPlainJson}).
 */
export type ConfigCache = Map<string, ModelConfig>;

/** Strings, booleans, finite numbers (not -0), null, arrays and plain objects of them. */
function isPlainJson(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(isPlainJson);
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) return false;
        if (!isPlainJson((value as Record<string, unknown>)[key])) return false;
      }
      return Object.getOwnPropertySymbols(value).length === 0;
    }
    default:
      return false;
  }
}

/** A deep copy of a value {@link isPlainJson} accepts (cheaper than `structuredClone`). */
function copyJson(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = copyJson((value as Record<string, unknown>)[key]);
  return out;
}

const asList = (v: unknown): unknown => (typeof v === "string" ? [v] : v);

/** A merged model config, and which layer set each key (for positions of later checks). */
export interface MergedConfig {
  config: ModelConfig;
  diagnostics: Diagnostic[];
  setBy: ReadonlyMap<string, ConfigLayer>;
}

/**
 * Merge config layers over the defaults and validate the result against the one model-config
 * schema (`resolvedModelConfigSchema` of @sluice/project). Tags add up across layers (as in
 * dbt); every other key is replaced by the most specific layer. An invalid value is a
 * CONFIG_VALUE_INVALID error at the layer that set it, naming the key path
 * (`reconcile.key`) — never a silent fallback to the default; a key set to an undefined value
 * (`config(materialized=table)`: `table` names nothing) is CONFIG_VALUE_UNDEFINED.
 *
 * @example mergeConfig([{ origin: "config() in a.sql", values: { lookback: "abc" } }]).diagnostics
 * // [error CONFIG_VALUE_INVALID: config 'lookback' has an invalid value "abc" (set in config() in a.sql)]
 */
export function mergeConfig(layers: readonly ConfigLayer[], cache?: ConfigCache): MergedConfig {
  const merged: Record<string, unknown> = { ...defaultModelConfig };
  const setBy = new Map<string, ConfigLayer>();
  const tags: unknown[] = [];
  // A value that is undefined names nothing the template defines (`materialized=table`, the
  // quotes forgotten): an error, never a key silently left at its default.
  const undefinedValues: Diagnostic[] = [];
  for (const layer of layers) {
    for (const [key, raw] of Object.entries(layer.values)) {
      if (raw === undefined) {
        undefinedValues.push(undefinedValue(key, layer));
        continue;
      }
      const value = key === "tags" || key === "partitioned_by" ? asList(raw) : raw;
      if (key === "tags" && Array.isArray(value)) tags.push(...value);
      else merged[key] = value;
      setBy.set(key, layer);
    }
  }
  if (undefinedValues.length > 0)
    return { config: { ...defaultModelConfig }, diagnostics: undefinedValues, setBy };
  merged.tags = [...new Set(tags)];
  const key = cache && isPlainJson(merged) ? JSON.stringify(merged) : undefined;
  const known = key === undefined ? undefined : cache!.get(key);
  // A copy: the caller completes its config (the schema), and no two models share one.
  if (known) return { config: copyJson(known) as ModelConfig, diagnostics: [], setBy };
  const parsed = resolvedModelConfigSchema.safeParse(merged);
  if (parsed.success) {
    if (key !== undefined) cache!.set(key, copyJson(parsed.data) as ModelConfig);
    return { config: parsed.data, diagnostics: [], setBy };
  }
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? "");
    if (reported.has(key)) continue;
    reported.add(key);
    const keyPath = issue.path.map(String).join(".");
    let value: unknown = merged;
    for (const seg of issue.path) value = (value as Record<PropertyKey, unknown>)?.[seg];
    const layer = setBy.get(key);
    const where = layer ? ` (set in ${layer.origin})` : "";
    diagnostics.push(
      error(
        "CONFIG_VALUE_INVALID",
        `config '${keyPath}' has an invalid value ${JSON.stringify(value)}${where}`,
        layer?.at,
        `'${keyPath}' must be ${issue.message.replace(/^expected /, "")}`,
      ),
    );
  }
  return { config: { ...defaultModelConfig }, diagnostics, setBy };
}

/** CONFIG_VALUE_UNDEFINED: `key` set to an undefined value (a name nothing defines) by `layer`. */
function undefinedValue(key: string, layer: ConfigLayer): Diagnostic {
  return error(
    "CONFIG_VALUE_UNDEFINED",
    `config '${key}' is set to an undefined value (in ${layer.origin}): its expression names nothing defined`,
    layer.at,
    `quote a string (${key}='...'), or remove the key to keep its default`,
  );
}
