import { z } from "zod";
import type { Diagnostic, SourceLocation } from "./diagnostics.js";
import type { YamlPath, YamlSource } from "./yaml-source.js";
import { issuesToDiagnostics } from "./zod-issues.js";

/** A dbt freshness threshold: `{count: 12, period: hour}`. */
export interface FreshnessThreshold {
  count: number;
  period: "minute" | "hour" | "day";
}

/**
 * dbt's source freshness of one source table (the table's keys over its source's): how old
 * its newest row may be before `sluice source freshness` warns or errors, and how that age is
 * found: `loaded_at_field` (a column, with `filter`), or for a raw (external) table without
 * one, the newest hour folder and the time its newest file or object landed.
 */
export interface SourceFreshness {
  warn_after?: FreshnessThreshold;
  error_after?: FreshnessThreshold;
  filter?: string;
  loaded_at_field?: string;
  at: SourceLocation;
}

const threshold = z.strictObject({
  count: z.number().int().positive(),
  period: z.enum(["minute", "hour", "day"]),
});
const freshnessSchema = z.strictObject({
  warn_after: threshold.optional(),
  error_after: threshold.optional(),
  filter: z.string().min(1).optional(),
});

/** Keys a source and a source table take for freshness (the table's win). */
export const freshnessKeys = {
  freshness: z.unknown().optional(),
  loaded_at_field: z.preprocess((v) => (v === null ? undefined : v), z.string().min(1).optional()),
};

type Level = { freshness?: unknown; loaded_at_field?: string | undefined; path: YamlPath };

/**
 * A table's freshness from its source's and its own keys: the table's `freshness:` replaces the
 * source's (`freshness: null` turns it off), `loaded_at_field` likewise. Undefined when neither
 * sets thresholds. A bad value is PROPERTIES_INVALID at its key.
 */
export function resolveFreshness(
  levels: readonly Level[],
  source: YamlSource,
  diagnostics: Diagnostic[],
): SourceFreshness | undefined {
  let found: { value: z.output<typeof freshnessSchema>; path: YamlPath } | undefined;
  let field: string | undefined;
  for (const level of levels) {
    if (level.loaded_at_field !== undefined) field = level.loaded_at_field;
    if (level.freshness === undefined) continue;
    if (level.freshness === null) {
      found = undefined;
      continue;
    }
    const path = [...level.path, "freshness"];
    const r = freshnessSchema.safeParse(level.freshness);
    if (!r.success) {
      diagnostics.push(
        ...issuesToDiagnostics(r.error.issues, {
          source,
          code: "PROPERTIES_INVALID",
          schema: freshnessSchema,
          data: level.freshness,
          base: path,
        }),
      );
      return undefined;
    }
    found = { value: r.data, path };
  }
  if (!found || (!found.value.warn_after && !found.value.error_after)) return undefined;
  const { warn_after, error_after, filter } = found.value;
  return {
    ...(warn_after ? { warn_after } : {}),
    ...(error_after ? { error_after } : {}),
    ...(filter !== undefined ? { filter } : {}),
    ...(field !== undefined ? { loaded_at_field: field } : {}),
    at: source.locate(found.path, "key"),
  };
}

export { thresholdSeconds } from "./freshness-threshold.js";
