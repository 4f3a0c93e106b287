/**
 * Trino's division by zero on DuckDB. Trino fails an exact division or remainder by zero
 * (`io.trino.type.BigintOperators.divide`/`modulus`, `DecimalOperators.divide…`: "Division by
 * zero", NULL under try); DuckDB answers NULL.
 *
 * DuckDB binds operators as functions looked up on the search path, temp first, so these macros
 * shadow them. With `integer_division` set (Trino truncates integer division), `/` binds to `//`.
 * The result must keep the built-in's type (a CASE with a failing branch would widen it), so the
 * failure is raised inside the divisor: `[b][i]` is `b` with `b`'s type, and its index `i` is a
 * cast that fails ("Could not convert string 'Division by zero' …") when `b` is an exact zero.
 * TRY refuses DuckDB's volatile `error()`, hence the failing cast.
 *
 * Known gap: Trino divides doubles as Java does (`DoubleOperators.divide`: ±Infinity, NaN for
 * 0/0 and any remainder by zero); the lake still answers NULL there.
 */

const isDouble = (x: string) => `typeof(${x}) IN ('DOUBLE', 'FLOAT')`;

/** `b`, or a failure when it is an exact zero. */
const DIVISOR =
  `[b][CAST(CASE WHEN b = 0 AND NOT (${isDouble("a")} OR ${isDouble("b")}) ` +
  "THEN 'Division by zero' ELSE '1' END AS INTEGER)]";

/** The operator macros, as `[head, body]` pairs of the compat layer. */
export const arithmeticMacros: Array<[string, string]> = ["//", "%"].map((op) => [
  `"${op}"(a, b)`,
  `system.main."${op}"(a, ${DIVISOR})`,
]);
