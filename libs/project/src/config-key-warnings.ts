import { warning } from "./diagnostics.js";
import type { Diagnostic, SourceLocation } from "./diagnostics.js";
import { modelConfigKeys } from "./model-config-schema.js";
import { didYouMean } from "./suggest.js";

/**
 * A CONFIG_KEY_UNKNOWN warning for each key of a config layer that sluice does not read (the
 * value is kept for macros, but a typo must not pass silently). `prefix` is how keys are
 * spelled where they were written (`+` in sluice.yml's folder tree).
 *
 * @example unknownConfigKeyWarnings({ materialised: "table" }, () => at, "config() in a.sql")
 * // [warn CONFIG_KEY_UNKNOWN: unknown model config key 'materialised' in config() in a.sql;
 * //  hint: did you mean 'materialized'?]
 */
export function unknownConfigKeyWarnings(
  values: Record<string, unknown>,
  locate: (key: string) => SourceLocation | undefined,
  origin: string,
  prefix = "",
): Diagnostic[] {
  return Object.keys(values)
    .filter((key) => !modelConfigKeys.includes(key))
    .map((key) =>
      warning(
        "CONFIG_KEY_UNKNOWN",
        `unknown model config key '${prefix}${key}' in ${origin}: sluice does not read it`,
        locate(key),
        didYouMean(key, modelConfigKeys)?.replace("'", `'${prefix}`) ??
          `model config keys are ${modelConfigKeys.join(", ")}`,
      ),
    );
}
