import { splitTopLevel } from "@sluice/dialects";

const HIVE_TO_TRINO: Record<string, string> = { string: "varchar", int: "integer", float: "real" };

/**
 * A Glue (Hive DDL) column type as Trino SQL names it, the way query results and CASTs do:
 * `string` → `varchar`, `int` → `integer`, `array<string>` → `array(varchar)`,
 * `struct<a:int>` → `row(a integer)`.
 */
export function trinoType(hiveType: string): string {
  const type = hiveType.trim().toLowerCase();
  const complex = /^(array|map|struct)<(.*)>$/s.exec(type);
  if (!complex) return HIVE_TO_TRINO[type] ?? type;
  const [, kind, inner] = complex;
  const parts = splitTopLevel(inner!);
  if (kind === "struct") {
    return `row(${parts
      .map((p) => {
        const colon = p.indexOf(":");
        return colon < 0
          ? trinoType(p)
          : `${p.slice(0, colon).trim()} ${trinoType(p.slice(colon + 1))}`;
      })
      .join(", ")})`;
  }
  return `${kind}(${parts.map(trinoType).join(", ")})`;
}
