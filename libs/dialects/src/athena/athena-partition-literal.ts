import { trinoString } from "./athena-escape.js";

/**
 * A partition value as a literal of the column's type, from its catalog text. Athena does no
 * dynamic partition pruning, so a partition filter must be literals typed like the column
 * (`DATE '2024-01-02'`, not `'2024-01-02'`, which Trino refuses to compare with a date).
 *
 * @example typedLiteral("2024-01-02", "date") // "DATE '2024-01-02'"
 */
export function typedLiteral(text: string, type: string): string {
  const base = type.toLowerCase().replace(/\(.*$/, "").trim();
  switch (base) {
    case "tinyint":
    case "smallint":
    case "integer":
    case "int":
    case "bigint":
      if (!/^-?\d+$/.test(text)) throw new TypeError(`not an integer partition value: ${text}`);
      return text;
    case "boolean":
      if (text !== "true" && text !== "false")
        throw new TypeError(`not a boolean partition value: ${text}`);
      return text.toUpperCase();
    case "date":
      return `DATE ${trinoString(text)}`;
    case "timestamp":
      return `TIMESTAMP ${trinoString(text.replace("T", " "))}`;
    case "double":
    case "real":
    case "float":
    case "decimal":
      return `CAST(${trinoString(text)} AS ${type})`;
    default:
      return trinoString(text);
  }
}
