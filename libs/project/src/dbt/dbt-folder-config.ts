import { warning } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import { parseFolderConfig } from "../folder-config.js";
import { modelConfigKeys } from "../model-config-schema.js";
import type { FolderConfig } from "../types.js";
import type { YamlPath, YamlSource } from "../yaml-source.js";
import { isMapping } from "../yaml-source.js";

/** dbt config keys that change nothing sluice writes (documentation, ownership, grouping). */
const INERT_CONFIG = new Set(["docs", "group", "access", "description", "quoting"]);

/** dbt config keys with a visible effect sluice does not apply, and what to do instead. */
const IGNORED_CONFIG: Record<string, string> = {
  grants: "sluice does not grant privileges; grant them outside the build",
  contract: "sluice does not enforce model contracts; test the columns instead",
  database: "sluice builds every model in the target's catalog",
  sql_header: "sluice does not run SQL headers; use a pre-hook",
  column_types: "seed column types are inferred from the CSV",
  quote_columns: "sluice always quotes seed column names",
  delimiter: "seeds are read as comma-separated",
  store_failures: "use --store-failures on the command line",
  store_failures_as: "use --store-failures on the command line",
  snapshot_meta_column_names:
    "snapshot columns keep dbt's names (dbt_valid_from, dbt_valid_to, dbt_scd_id, dbt_updated_at)",
  dbt_valid_to_current: "a snapshot's current rows have dbt_valid_to null",
};

/** dbt_project.yml's spelling of config keys that config() and sluice.yml write with `_`. */
const DBT_SPELLING: Record<string, string> = { "pre-hook": "pre_hook", "post-hook": "post_hook" };

/** Every key dbt reads as config when it appears without `+` (others are sub-folders). */
const CONFIG_WITHOUT_PLUS = new Set([
  ...modelConfigKeys,
  ...INERT_CONFIG,
  ...Object.keys(IGNORED_CONFIG),
  ...Object.keys(DBT_SPELLING),
  "severity",
  "where",
  "limit",
  "warn_if",
  "error_if",
  "fail_calc",
]);

/**
 * A `models:`/`seeds:` block of dbt_project.yml as sluice's folder tree. As in dbt, a key is
 * config when it starts with `+` or names a config (`materialized: table` under a folder),
 * otherwise a sub-folder; paths are counted from the model (seed) paths, under the project
 * name. Inert keys (`+docs`, `+group`) are dropped; keys with a visible effect sluice does not
 * apply (`+grants`, `+contract`) are DBT_KEY_IGNORED warnings at their position.
 *
 * @example parseDbtFolderConfig({ jaffle_shop: { staging: { materialized: "view" } } }, src, ["models"], d)
 */
export function parseDbtFolderConfig(
  raw: unknown,
  source: YamlSource,
  path: YamlPath,
  diagnostics: Diagnostic[],
): FolderConfig {
  // Where a key written without `+` is: the rewritten tree names it `+key`.
  const original = new Map<string, YamlPath>();
  const rewrite = (node: unknown, at: YamlPath, rewritten: YamlPath): unknown => {
    if (!isMapping(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const written = key.replace(/^\+/, "");
      const bare = DBT_SPELLING[written] ?? written;
      if (key.startsWith("+") || CONFIG_WITHOUT_PLUS.has(key)) {
        if (INERT_CONFIG.has(bare)) continue;
        if (bare in IGNORED_CONFIG) {
          diagnostics.push(
            warning(
              "DBT_KEY_IGNORED",
              `'${key}' is not applied by sluice: ${IGNORED_CONFIG[bare]}`,
              source.locate([...at, key], "key"),
            ),
          );
          continue;
        }
        out[`+${bare}`] = value;
        original.set([...rewritten, `+${bare}`].join("\u0000"), [...at, key]);
      } else out[key] = rewrite(value, [...at, key], [...rewritten, key]);
    }
    return out;
  };
  const tree = rewrite(raw, path, path);
  const located: YamlSource = {
    ...source,
    locate: (p, prefer) => source.locate(original.get(p.join("\u0000")) ?? p, prefer),
  };
  return parseFolderConfig(tree, located, path, diagnostics);
}
