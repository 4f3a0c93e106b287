/**
 * Trino's checks of the columns a CREATE TABLE AS or CREATE VIEW makes
 * (`StatementAnalyzer.validateColumns`), which Athena runs before reading any data and DuckDB
 * does not run at all: DuckDB names `count(*)` `count_star()`, renames a second `a` to `a_1` and
 * types a bare `NULL` as INTEGER, so a model the lake builds can fail on Athena with
 *
 *     MISSING_COLUMN_NAME: line 1:1: Column name not specified at position 2
 *     DUPLICATE_COLUMN_NAME: line 1:1: Column name 'a' specified more than once
 *     COLUMN_TYPE_UNKNOWN: line 1:1: Column type is unknown: a
 *
 * Each column is checked in order, those three rules in that order, and the first failure is
 * the statement's (Trino stops there).
 */

/** One column of the query's select list (its left-most SELECT for a UNION), as written. */
export interface CreatedColumn {
  /**
   * The name Trino gives it: the alias, else a column reference's last part; undefined for
   * any other expression without AS.
   */
  name?: string;
  /** A bare `NULL` literal: a column of no type. */
  untyped?: boolean;
  /** `*` or `t.*`: columns of a relation, named by it (checked by the caller, if it can). */
  star?: boolean;
  /**
   * Its 1-based position among the result's columns when known (the caller counted the
   * columns a `*` before it expands to); else its position when no `*` comes before it.
   */
  position?: number;
}

/** The first rule a statement's columns break, as Athena names it. */
export interface CreatedColumnsProblem {
  errorName: "MISSING_COLUMN_NAME" | "DUPLICATE_COLUMN_NAME" | "COLUMN_TYPE_UNKNOWN";
  /** Trino's message (without the `line:column` prefix Athena gives it). */
  message: string;
  /** The failing column's index in `columns`. */
  index: number;
  /** How to fix the model's SQL. */
  hint: string;
}

/**
 * The first of Trino's CTAS / CREATE VIEW column rules `columns` break, or undefined. Names are
 * compared without case (Athena's catalog keeps them lower case).
 *
 * @example
 * createdColumnsProblem([{ name: "a" }, { name: "A" }]);
 * // { errorName: "DUPLICATE_COLUMN_NAME", message: "Column name 'a' specified more than once", index: 1, ... }
 */
export function createdColumnsProblem(
  columns: readonly CreatedColumn[],
): CreatedColumnsProblem | undefined {
  const seen = new Set<string>();
  let starBefore = false;
  for (const [index, column] of columns.entries()) {
    if (column.star) {
      starBefore = true;
      continue;
    }
    if (column.name === undefined) {
      const position = column.position ?? (starBefore ? undefined : index + 1);
      return {
        errorName: "MISSING_COLUMN_NAME",
        message: `Column name not specified${position === undefined ? "" : ` at position ${position}`}`,
        index,
        hint: "name the column: <expression> AS <name> (the lake's DuckDB names it after the expression, Athena does not)",
      };
    }
    const name = column.name.toLowerCase();
    if (seen.has(name))
      return {
        errorName: "DUPLICATE_COLUMN_NAME",
        message: `Column name '${name}' specified more than once`,
        index,
        hint: "give each column its own name (the lake's DuckDB renames the second, Athena refuses the table)",
      };
    seen.add(name);
    if (column.untyped)
      return {
        errorName: "COLUMN_TYPE_UNKNOWN",
        message: `Column type is unknown: ${name}`,
        index,
        hint: `give the NULL a type: CAST(NULL AS varchar) AS ${name} (or the type the column holds)`,
      };
  }
  return undefined;
}
