import {
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBValueConverter,
} from "@duckdb/node-api";

/**
 * Result values as plain JS: integers as numbers while they are safe integers, beyond that as
 * bigint; DECIMAL as number while the number prints as the same decimal (a double keeps about
 * 15 significant digits), beyond that as its exact text (`123456789.123456789`); DATE
 * `YYYY-MM-DD`; TIMESTAMP `YYYY-MM-DDTHH:MM:SS[.ffffff]`; TIMESTAMPTZ the same with `Z`
 * (sessions are UTC); lists/structs as arrays/objects.
 */
export const plainValueConverter: DuckDBValueConverter<unknown> = (value, type, self) => {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT: {
      const n = BigInt(value as bigint);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(n)
        : n;
    }
    case DuckDBTypeId.DECIMAL: {
      const text = String(value);
      const n = Number(text);
      // `1.50` → 1.5 is the same decimal; `123456789.123456789` → 123456789.12345679 is not.
      const plain = text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
      return String(n) === plain.replace(/^(-?)0+(?=\d)/, "$1") ? n : text;
    }
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return String(value).replace(" ", "T");
    case DuckDBTypeId.TIMESTAMP_TZ:
      return String(value)
        .replace(" ", "T")
        .replace(/\+00(:00)?$/, "Z");
    default:
      return (JsonDuckDBValueConverter as DuckDBValueConverter<unknown>)(value, type, self);
  }
};
