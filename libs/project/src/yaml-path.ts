/**
 * Key paths into a parsed YAML document and the shape test of a mapping: what reading parsed
 * YAML needs, without the YAML parser (yaml-source.ts parses; this file loads no package, so the
 * compiler's entry, see compile-time.ts, does not load the parser through it).
 */

/** A key path into a YAML document: mapping keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** `targets.prod.region`, `models[0].columns[1].tests[0]`; the document root is `(root)`. */
export function formatPath(path: YamlPath): string {
  let out = "";
  for (const seg of path)
    out += typeof seg === "number" ? `[${seg}]` : out === "" ? seg : `.${seg}`;
  return out === "" ? "(root)" : out;
}

/** A YAML mapping (a plain object as parsed): not null, not an array, not a scalar. */
export const isMapping = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === "object" && !Array.isArray(v);
