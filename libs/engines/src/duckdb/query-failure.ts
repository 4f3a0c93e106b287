import { trinoFailureMessage } from "@sluice/dialects";
import { QueryError } from "../engine.js";

/**
 * A DuckDB statement's failure as a QueryError, the label (when given) before what DuckDB said; a
 * failure the Trino compat layer raised reads as Athena words it (`DIVISION_BY_ZERO: Division by
 * zero`, see `trinoFailureMessage`), so the lake and Athena fail a model in the same words.
 */
export const queryFailure =
  (sql: string, label?: string) =>
  (said: string, cause?: unknown): QueryError => {
    const engineMessage = trinoFailureMessage(said);
    return new QueryError(
      `${label ? `${label}: ` : ""}${engineMessage}`,
      { sql, ...(label ? { label } : {}), engineMessage },
      { cause },
    );
  };
