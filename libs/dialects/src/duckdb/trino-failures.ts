/**
 * The failures the compat layer raises (trino-arithmetic.ts, trino-casts.ts) read back as Trino
 * words them. DuckDB's `error()` is volatile and TRY refuses it, so the layer fails through a cast
 * of Trino's message, and DuckDB reports the cast: `Conversion Error: Could not convert string
 * 'Division by zero' to INT32`. The message inside is the failure; the rest is how it was raised.
 */
export interface TrinoFailure {
  /** Trino's error name, as Athena's `StateChangeReason` starts with it. */
  errorName: "DIVISION_BY_ZERO" | "INVALID_CAST_ARGUMENT";
  /** Trino's message, e.g. `Cannot cast '1.5' to BIGINT`. */
  message: string;
}

/**
 * A cast of the layer's message, as DuckDB reports it. The message cannot hold a newline, and is
 * the longest match up to `' to INT<n>`: a value cast may itself hold quotes.
 */
const RAISED = /Could not convert string '(Division by zero|Cannot cast '.*' to [A-Z]+)' to INT\d+/;

/**
 * The Trino failure a DuckDB error message raised by the compat layer stands for, or undefined
 * for any other message.
 *
 * @example
 * trinoFailure("Conversion Error: Could not convert string 'Division by zero' to INT32")
 * // → { errorName: "DIVISION_BY_ZERO", message: "Division by zero" }
 */
export function trinoFailure(engineMessage: string): TrinoFailure | undefined {
  const m = RAISED.exec(engineMessage);
  if (!m) return undefined;
  const message = m[1]!;
  return {
    errorName: message === "Division by zero" ? "DIVISION_BY_ZERO" : "INVALID_CAST_ARGUMENT",
    message,
  };
}

/**
 * `engineMessage` with a compat-layer failure put as Athena reports it (`DIVISION_BY_ZERO:
 * Division by zero`), so the lake and Athena fail a model in the same words; any other message
 * as it is.
 */
export function trinoFailureMessage(engineMessage: string): string {
  const failure = trinoFailure(engineMessage);
  return failure ? `${failure.errorName}: ${failure.message}` : engineMessage;
}
