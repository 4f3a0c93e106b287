import { DUCKDB_TABLE_COMMENT_PREFIX, DUCKDB_TABLE_STATE } from "./duckdb-dialect.js";
import { duckdbGlobLiteral, duckdbStringLiteral, quoteDuckdbIdentifier } from "./duckdb-escape.js";
import { DUCKDB_LAKE_ROOT } from "./version-records.js";

/** A view standing for a table, as `duckdb_views()` returns it. */
export interface TableView {
  schema_name: string;
  view_name: string;
  /** DuckDB's stored `CREATE VIEW ... ;` text. */
  sql: string;
  /** `sluice:table location=<absolute version folder>`. */
  comment: string;
}

/** CREATE of {@link DUCKDB_LAKE_ROOT} (idempotent). */
export const lakeRootSetupSql = (): string =>
  `CREATE TABLE IF NOT EXISTS ${DUCKDB_LAKE_ROOT} (root VARCHAR)`;

/** SELECT `{ root }`: the lake root the views were written for; no row on a lake from before. */
export const lakeRootQuery = (): string => `SELECT root FROM ${DUCKDB_LAKE_ROOT}`;

/** Replace the recorded lake root. */
export const setLakeRootSql = (root: string): string =>
  `DELETE FROM ${DUCKDB_LAKE_ROOT}; ` +
  `INSERT INTO ${DUCKDB_LAKE_ROOT} VALUES (${duckdbStringLiteral(root)})`;

/** SELECT the views that stand for tables ({@link TableView}). */
export const tableViewsQuery = (): string =>
  `SELECT schema_name, view_name, sql, comment FROM duckdb_views() ` +
  `WHERE database_name = current_database() ` +
  `AND NOT internal AND starts_with(comment, ${duckdbStringLiteral(DUCKDB_TABLE_COMMENT_PREFIX)})`;

/** SELECT returning a row when the table state table exists. */
export const tableStateExistsQuery = (): string =>
  `SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() ` +
  `AND schema_name || '.' || table_name = ${duckdbStringLiteral(DUCKDB_TABLE_STATE)}`;

/** The lake root a table view's location implies (`<root>/<schema>/<table>/<version>`). */
export function rootOfTableView(view: Pick<TableView, "comment">): string | undefined {
  const segments = view.comment.slice(DUCKDB_TABLE_COMMENT_PREFIX.length).split("/");
  return segments.length > 4 ? segments.slice(0, -3).join("/") : undefined;
}

/** `text` with every path (in a string literal when `quoted`) under `from/` moved to `to/`. */
function movePaths(text: string, from: string, to: string, quoted: boolean): string {
  if (!quoted) return text.replaceAll(`${from}/`, `${to}/`);
  // A table view's SQL reads its version through a glob, where the root is a glob literal.
  const q = (s: string): string => `'${duckdbGlobLiteral(s).replaceAll("'", "''")}/`;
  return text.replaceAll(q(from), q(to));
}

/** What {@link relocateSql} needs besides the views. */
export interface RelocateOptions {
  /** The table state table exists (its locations are moved too). */
  hasTableState: boolean;
  /**
   * Views whose version has no data file left under the new root, or one DuckDB cannot read
   * (cut short): DuckDB binds a view when it is created, so such a view becomes one whose every
   * read fails saying so (its SQL still named the old root: a copied lake's reader was refused
   * there, a build could have read the old lake's files), and its comment is moved (a build
   * then names what is missing or damaged).
   */
  unreadable?: ReadonlySet<TableView>;
}

/**
 * The statement that makes `view` read its version under lake root `to` instead of `from`
 * (DuckDB binds it: it fails when a data file of the version cannot be read).
 *
 * @example movedViewSql(view, "/old/models/.lake", "/new/models/.lake") // "CREATE OR REPLACE VIEW …"
 */
export function movedViewSql(view: TableView, from: string, to: string): string {
  const sql = movePaths(view.sql.trim().replace(/;\s*$/, ""), from, to, true);
  return sql.replace(/^CREATE\s+VIEW\b/i, "CREATE OR REPLACE VIEW");
}

/**
 * One transaction that points every table view (its SQL and its location comment) and the
 * table state's locations from lake root `from` to `to`, and records `to` as the root: the
 * statements of a lake whose folder was moved or copied. Views that are not tables (the raw
 * source's, models' views) are left alone: builds write those again.
 *
 * @example relocateSql(views, "/old/models/.lake", "/new/models/.lake", { hasTableState: true })
 */
export function relocateSql(
  views: readonly TableView[],
  from: string,
  to: string,
  options: RelocateOptions,
): string {
  const lines = ["BEGIN TRANSACTION;"];
  for (const view of views) {
    const [schema, name] = [view.schema_name, view.view_name].map(quoteDuckdbIdentifier);
    const relation = `${schema}.${name}`;
    const moved = movePaths(view.comment, from, to, false);
    if (!options.unreadable?.has(view)) lines.push(`${movedViewSql(view, from, to)};`);
    else {
      const location = moved.slice(DUCKDB_TABLE_COMMENT_PREFIX.length);
      const said = duckdbStringLiteral(
        `${view.schema_name}.${view.view_name}: its data in ${location} cannot be read (a file ` +
          "missing, cut short or overwritten since it was written): `sluice build` names it; " +
          "`sluice build --full-refresh` builds the table again",
      );
      // error() in the filter too: a count(*) reads no column, and would count one row.
      lines.push(
        `CREATE OR REPLACE VIEW ${relation} AS SELECT error(${said}) AS unreadable ` +
          `WHERE error(${said}) IS NULL;`,
      );
    }
    const comment = duckdbStringLiteral(moved);
    lines.push(`COMMENT ON VIEW ${relation} IS ${comment};`);
  }
  if (options.hasTableState) {
    const [old, root] = [duckdbStringLiteral(from), duckdbStringLiteral(to)];
    lines.push(
      `UPDATE ${DUCKDB_TABLE_STATE} ` +
        `SET location = ${root} || substr(location, length(${old}) + 1) ` +
        `WHERE starts_with(location, ${duckdbStringLiteral(`${from}/`)});`,
    );
  }
  lines.push(`${setLakeRootSql(to)};`, "COMMIT");
  return lines.join("\n");
}
