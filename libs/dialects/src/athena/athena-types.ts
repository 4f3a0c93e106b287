/**
 * Athena names one type two ways: Hive DDL (and Glue) says `string`, `int`, `float`,
 * `array<string>`, `struct<a:int>`; Trino SQL says `varchar`, `integer`, `real`,
 * `array(varchar)`, `row(a integer)`. These convert between the two.
 */
const TRINO_TO_HIVE: Record<string, string> = { varchar: "string", integer: "int", real: "float" };

/**
 * A Trino type name as Hive DDL writes it (`varchar` → `string`, `array(integer)` → `array<int>`,
 * `decimal(38, 2)` → `decimal(38,2)`, `decimal(10)` → `decimal(10,0)`).
 */
export function hiveType(trinoType: string): string {
  const type = trinoType.trim().toLowerCase();
  const complex = /^(array|map|row)\((.*)\)$/s.exec(type);
  if (complex) {
    const [, kind, inner] = complex;
    const parts = splitTopLevel(inner!);
    if (kind === "row") {
      return `struct<${parts
        .map((p) => {
          const m = /^("?)([^\s"]+)\1\s+(.+)$/s.exec(p.trim());
          return m ? `${m[2]}:${hiveType(m[3]!)}` : hiveType(p);
        })
        .join(",")}>`;
    }
    return `${kind}<${parts.map(hiveType).join(",")}>`;
  }
  // Trino prints `decimal(38, 2)` in some places; Glue stores the text as given.
  const decimal = /^decimal\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(type);
  if (decimal) return `decimal(${decimal[1]},${decimal[2] ?? "0"})`;
  return TRINO_TO_HIVE[type] ?? type;
}

/** Split on commas outside parentheses/angle brackets. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(" || c === "<") depth++;
    else if (c === ")" || c === ">") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== "");
}
