import { error } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import { unknownConfigKeyWarnings } from "./config-key-warnings.js";
import { modelConfigKeys, modelConfigSchema } from "./model-config-schema.js";
import type { ModelConfigLayer } from "./model-config-schema.js";
import type { FolderConfig } from "./types.js";
import { describe, issuesToDiagnostics, salvage } from "./zod-issues.js";
import { formatPath } from "./yaml-source.js";
import type { YamlPath, YamlSource } from "./yaml-source.js";

/**
 * Parse sluice.yml's `models:` tree: `+key` entries configure the folder, other keys are
 * sub-folders (paths relative to the project dir).
 *
 * @example parseFolderConfig({ staging: { "+schema": "staging" } }, src, ["models"])
 *   // { config: {}, children: { staging: { config: { schema: "staging" }, children: {} } } }
 */
export function parseFolderConfig(
  raw: unknown,
  source: YamlSource,
  path: YamlPath,
  diagnostics: Diagnostic[],
): FolderConfig {
  const folder: FolderConfig = {
    config: {},
    children: {},
    ...(path.length > 1 ? { at: source.locate(path, "key") } : {}),
  };
  if (raw === undefined || raw === null) return folder;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    const hint = modelConfigKeys.includes(String(path.at(-1)))
      ? `config keys start with '+': did you mean '+${String(path.at(-1))}'?`
      : undefined;
    diagnostics.push(
      error(
        "CONFIG_INVALID",
        `${formatPath(path)}: expected a mapping of '+config' keys and sub-folders, got ${describe(raw)}`,
        source.locate(path),
        hint,
      ),
    );
    return folder;
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith("+")) config[key.slice(1)] = value;
    else folder.children[key] = parseFolderConfig(value, source, [...path, key], diagnostics);
  }
  diagnostics.push(
    ...unknownConfigKeyWarnings(
      config,
      (key) => source.locate([...path, `+${key}`], "key"),
      `sluice.yml ${formatPath(path)}`,
      "+",
    ),
  );
  const parsed = modelConfigSchema.safeParse(config);
  if (parsed.success) folder.config = stripUndefined(parsed.data);
  else {
    diagnostics.push(
      ...issuesToDiagnostics(parsed.error.issues, {
        source,
        code: "CONFIG_INVALID",
        schema: modelConfigSchema,
        data: config,
        base: path,
        rename: ([first, ...rest]) => (first === undefined ? [] : [`+${String(first)}`, ...rest]),
      }),
    );
    folder.config = salvage<ModelConfigLayer>(modelConfigSchema, config);
  }
  return folder;
}

/** Drop keys whose value is undefined, so merged configs don't overwrite with undefined. */
export function stripUndefined<T extends object>(o: T): ModelConfigLayer {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  ) as ModelConfigLayer;
}
