/**
 * Trino's division by zero on DuckDB. Trino fails an exact division or remainder by zero
 * (`io.trino.type.BigintOperators.divide`/`modulus`, `DecimalOperators.divide…`: "Division by
 * zero", NULL under try) and divides doubles as Java does (`DoubleOperators.divide`: ±Infinity,
 * NaN for 0/0 and for any remainder by zero). DuckDB answers NULL to all of them.
 *
 * DuckDB binds operators as functions looked up on the search path, temp first, so these macros
 * shadow them. With `integer_division` set (Trino truncates integer division), `/` binds to `//`.
 * A failure is raised through a cast of its message (TRY refuses DuckDB's volatile `error()`).
 * Known gap: a divisor of -0.0 gives the infinity of the dividend's sign (Java flips it).
 */

const isDouble = (x: string) => `typeof(${x}) IN ('DOUBLE', 'FLOAT')`;
const DIVISION_BY_ZERO = "CAST('Division by zero' AS INTEGER)";

/** `a op b` as Trino answers it, where DuckDB's `op` is the built-in operator. */
const divide = (op: string, doubleByZero: string) =>
  `CASE WHEN b <> 0 OR b IS NULL OR a IS NULL THEN system.main."${op}"(a, b) ` +
  `WHEN ${isDouble("a")} OR ${isDouble("b")} THEN ${doubleByZero} ` +
  `ELSE ${DIVISION_BY_ZERO} END`;

const NAN = "CAST('NaN' AS DOUBLE)";

/** The operator macros, as `[head, body]` pairs of the compat layer. */
export const arithmeticMacros: Array<[string, string]> = [
  [
    `"//"(a, b)`,
    divide(
      "//",
      `CASE WHEN a = 0 OR isnan(a) THEN ${NAN} ` +
        "WHEN a > 0 THEN CAST('Infinity' AS DOUBLE) ELSE CAST('-Infinity' AS DOUBLE) END",
    ),
  ],
  [`"%"(a, b)`, divide("%", NAN)],
];
