export type * from "./dialect.js";
export { catalogDialect, isCatalogDialect, isLakeDialect, lakeDialect } from "./dialect.js";
export {
  createDuckdbDialect,
  DUCKDB_SOURCE_COMMENT_PREFIX,
  DUCKDB_TABLE_COMMENT_PREFIX,
  DUCKDB_TABLE_STATE,
} from "./duckdb/duckdb-dialect.js";
export { duckdbGlobLiteral, duckdbLiteral, quoteDuckdbIdentifier } from "./duckdb/duckdb-escape.js";
export { copyFileRowsSql } from "./duckdb/file-rows-copy.js";
export { trinoCompatStatements } from "./duckdb/trino-compat.js";
export { RAW_LINE_SIZE_OPTIONS } from "./duckdb/raw-line-size.js";
export { strictIntegerCasts } from "./duckdb/trino-casts.js";
export { trinoFailure, trinoFailureMessage, type TrinoFailure } from "./duckdb/trino-failures.js";
export { createAthenaDialect, athenaCapabilities } from "./athena/athena-dialect.js";
export { rawSourceLayout } from "./athena/athena-raw-source.js";
export { athenaStatementGrammar } from "./athena/athena-statement-grammar.js";
export { TRINO_FUNCTIONS, trinoSpelling } from "./athena/trino-functions.js";
export {
  createdColumnsProblem,
  type CreatedColumn,
  type CreatedColumnsProblem,
} from "./athena/created-columns.js";
export { splitTopLevel } from "./athena/athena-types.js";
export { dialectForEngine } from "./dialect-for-engine.js";
export {
  isSqlTextProblem,
  tokenizeSql,
  type SqlToken,
  type SqlTextProblem,
} from "./sql-text/sql-tokens.js";
export {
  checkReadOnlyQuery,
  checkSelectStatement,
  checkSqlExpression,
  READING_STATEMENT_STARTS,
  WRITING_KEYWORDS,
} from "./sql-text/statement-checks.js";
export * from "./duckdb/version-records.js";
export * from "./duckdb/lake-root.js";
export * from "./duckdb/unit-test-sql.js";
export { freshnessSql } from "./sql-text/freshness-sql.js";
