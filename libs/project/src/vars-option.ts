import { error } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import { parseYaml } from "./yaml-source.js";

/**
 * Parse the CLI's `--vars` value: a YAML (or JSON) mapping. Anything else is a VARS_INVALID
 * diagnostic and empty vars.
 *
 * @example parseVarsOption("{start_date: '2024-01-01', lookback_hours: 3}")
 *   // { vars: { start_date: "2024-01-01", lookback_hours: 3 }, diagnostics: [] }
 */
export function parseVarsOption(text: string): {
  vars: Record<string, unknown>;
  diagnostics: Diagnostic[];
} {
  const source = parseYaml(text, "--vars", "VARS_INVALID");
  const fail = (message: string) => ({
    vars: {},
    diagnostics: [
      error("VARS_INVALID", message, undefined, "pass a YAML mapping, e.g. --vars '{key: value}'"),
    ],
  });
  const first = source.syntaxErrors[0];
  if (first)
    return fail(
      `--vars does not parse as YAML (column ${first.at?.column ?? 1}): ${first.message}`,
    );
  const data = source.data;
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    return fail(
      `--vars must be a YAML mapping, got ${Array.isArray(data) ? "a list" : data == null ? "nothing" : `'${String(data)}'`}`,
    );
  }
  return { vars: data as Record<string, unknown>, diagnostics: [] };
}
