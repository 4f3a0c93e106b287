import type { Diagnostic } from "./diagnostics.js";
import { warning } from "./diagnostics.js";
import type { YamlPath, YamlSource } from "./yaml-source.js";
import { isMapping } from "./yaml-source.js";

/** Where a key sits in a properties file. */
type Level = "file" | "model" | "column" | "source" | "table";

/**
 * dbt properties keys sluice does not read, by level: `inert` ones change nothing sluice builds
 * or checks (documentation, governance) and are dropped; `ignored` ones have an effect sluice
 * does not apply, said in a DBT_KEY_IGNORED warning at the key.
 */
const KEYS: Record<Level, { inert: readonly string[]; ignored: Record<string, string> }> = {
  file: {
    inert: ["groups", "macros", "analyses"],
    ignored: {
      metrics: "sluice has no semantic layer",
      semantic_models: "sluice has no semantic layer",
      saved_queries: "sluice has no semantic layer",
    },
  },
  model: {
    inert: ["docs", "access", "group", "latest_version", "deprecation_date"],
    ignored: {
      constraints: "sluice does not enforce constraints; test the columns instead",
      versions: "sluice builds one version of each model",
    },
  },
  column: {
    inert: ["quote", "granularity", "policy_tags"],
    ignored: {
      constraints: "sluice does not enforce constraints; test the column instead",
      tags: "a column's tags are not given to its tests; tag the tests in their config",
      config: "a column's config is not read (its meta and tags)",
    },
  },
  source: {
    inert: ["loader", "quoting"],
    ignored: {
      database: "sluice reads sources from the target's catalog",
      tags: "a source's tags are not read; select sources by name (source:raw)",
      config: "a source's config is not read",
      overrides: "sluice does not override a package's sources",
    },
  },
  table: {
    inert: ["quoting"],
    ignored: {
      tags: "a source table's tags are not read; select it by name (source:raw.events)",
      config: "a source table's config is not read",
    },
  },
};

/**
 * A parsed properties file (dbt `version: 2`) without the keys dbt reads and sluice does not
 * (see {@link KEYS}): before, each was `unknown key` and stopped every command, so a dbt project
 * whose YAML had `docs:` or `constraints:` could not build. `data` is unchanged: an entry that
 * loses a key is copied, the others are the same objects.
 *
 * @example withoutDbtOnlyKeys({ models: [{ name: "m", docs: { show: false } }] }, source, d)
 * // { models: [{ name: "m" }] }
 */
export function withoutDbtOnlyKeys(
  data: unknown,
  source: YamlSource,
  diagnostics: Diagnostic[],
): unknown {
  // The same object where nothing is dropped (almost every entry): no copy of 10,000 models.
  const strip = (value: unknown, level: Level, path: YamlPath): unknown => {
    if (!isMapping(value)) return value;
    const { inert, ignored } = KEYS[level];
    let out: Record<string, unknown> = value;
    const drop = (key: string): void => {
      if (out === value) out = { ...value };
      delete out[key];
    };
    for (const key of Object.keys(value)) {
      if (inert.includes(key)) drop(key);
      else if (Object.hasOwn(ignored, key)) {
        diagnostics.push(
          warning(
            "DBT_KEY_IGNORED",
            `'${key}' is not applied by sluice: ${ignored[key]}`,
            source.locate([...path, key], "key"),
          ),
        );
        drop(key);
      }
    }
    const each = (key: string, inner: Level): void => {
      const items = out[key];
      if (!Array.isArray(items)) return;
      const stripped = items.map((item, i) => strip(item, inner, [...path, key, i]));
      if (stripped.some((item, i) => item !== items[i])) {
        if (out === value) out = { ...value };
        out[key] = stripped;
      }
    };
    if (level === "file") {
      each("models", "model");
      each("snapshots", "model");
      each("seeds", "model");
      each("sources", "source");
    } else if (level === "source") each("tables", "table");
    if (level !== "file" && level !== "source") each("columns", "column");
    return out;
  };
  return strip(data, "file", []);
}
