import { z } from "zod";
import type { Diagnostic, SourceLocation } from "./diagnostics.js";
import { error } from "./diagnostics.js";
import type { Exposure, ExposureRef } from "./types.js";
import type { YamlPath, YamlSource } from "./yaml-source.js";

/** Empty YAML values (`url:`) count as absent. */
const opt = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

/** dbt's exposure types. */
export const exposureTypes = ["dashboard", "notebook", "analysis", "ml", "application"] as const;

/** One entry of a properties file's `exposures:` list, in dbt's shape. */
export const exposureSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "letters, digits and underscores"),
  label: opt(z.string()),
  type: z.enum(exposureTypes),
  maturity: opt(z.enum(["low", "medium", "high"])),
  url: opt(z.string()),
  description: opt(z.string()),
  owner: z.strictObject({ name: opt(z.string()), email: opt(z.string()) }),
  depends_on: z.array(z.string()).min(1),
  tags: opt(z.array(z.string())),
  meta: opt(z.record(z.string(), z.unknown())),
});

const REF = /^\s*ref\(\s*(['"])([^'"]+)\1\s*\)\s*$/;
const SOURCE = /^\s*source\(\s*(['"])([^'"]+)\1\s*,\s*(['"])([^'"]+)\3\s*\)\s*$/;

/** `ref('m')` or `source('s', 't')` as data; undefined for anything else. */
function parseRef(text: string, at: SourceLocation): ExposureRef | undefined {
  const ref = REF.exec(text);
  if (ref) return { ref: ref[2]!, at };
  const source = SOURCE.exec(text);
  return source ? { source: [source[2]!, source[4]!], at } : undefined;
}

/**
 * One validated exposure entry → `Exposure`; a `depends_on` item that is not `ref('m')` or
 * `source('s', 't')` is a PROPERTIES_INVALID diagnostic at the item (the entry is kept without it).
 *
 * @example toExposure({ name: "sales", type: "dashboard", owner: {}, depends_on: ["ref('funnel')"] }, src, ["exposures", 0], d)
 * // { name: "sales", type: "dashboard", dependsOn: [{ ref: "funnel", at }], ... }
 */
export function toExposure(
  e: z.output<typeof exposureSchema>,
  source: YamlSource,
  path: YamlPath,
  diagnostics: Diagnostic[],
): Exposure {
  const dependsOn: ExposureRef[] = [];
  e.depends_on.forEach((text, i) => {
    const at = source.locate([...path, "depends_on", i]);
    const ref = parseRef(text, at);
    if (ref) dependsOn.push(ref);
    else
      diagnostics.push(
        error(
          "PROPERTIES_INVALID",
          `exposures: '${e.name}' depends_on '${text}' is not ref('model') or source('source', 'table')`,
          at,
          "write ref('sales_by_country') or source('raw', 'events')",
        ),
      );
  });
  return {
    name: e.name,
    type: e.type,
    owner: {
      ...(e.owner.name ? { name: e.owner.name } : {}),
      ...(e.owner.email ? { email: e.owner.email } : {}),
    },
    dependsOn,
    tags: e.tags ?? [],
    ...(e.label !== undefined ? { label: e.label } : {}),
    ...(e.maturity !== undefined ? { maturity: e.maturity } : {}),
    ...(e.url !== undefined ? { url: e.url } : {}),
    ...(e.description !== undefined ? { description: e.description } : {}),
    at: source.locate(path),
  };
}
