import { DuckDBTypeId, JsonDuckDBValueConverter, type DuckDBValueConverter } from "@duckdb/node-api";

/**
 * Result values as plain JS: integers as numbers while they are safe integers, beyond that as
 * bigint; DECIMAL as number; DATE `YYYY-MM-DD`; TIMESTAMP `YYYY-MM-DDTHH:MM:SS[.ffffff]`;
 * TIMESTAMPTZ the same with `Z` (sessions are UTC); lists/structs as arrays/objects.
 */
export const plainValueConverter: DuckDBValueConverter<unknown> = (value, type, self) => {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT: {
      const n = BigInt(value as bigint);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case DuckDBTypeId.DECIMAL:
      return Number(String(value));
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return String(value).replace(" ", "T");
    case DuckDBTypeId.TIMESTAMP_TZ:
      return String(value).replace(" ", "T").replace(/\+00(:00)?$/, "Z");
    default:
      return (JsonDuckDBValueConverter as DuckDBValueConverter<unknown>)(value, type, self);
  }
};
