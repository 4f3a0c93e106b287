import type { DuckDBConnection } from "@duckdb/node-api";
import {
  DUCKDB_SOURCE_COMMENT_PREFIX,
  DUCKDB_TABLE_COMMENT_PREFIX,
  type Relation,
} from "@sluice/dialects";
import type { RelationInfo } from "../engine.js";

/**
 * The relations of the catalog's own database (views with their comments, tables, and the
 * columns of both), read in three queries and then served from memory: a run describes every
 * model it may write before the first one runs (9 in the e-commerce project), and each
 * `duckdb_columns()` materializes every column of the catalog (~650 rows with the compat layer),
 * ~4 ms of CPU per describe on a busy 2-core machine, whatever the relation.
 *
 * The engine drops its listing whenever it runs a statement that may change the catalog
 * ({@link mayChangeCatalog}), so a listing never outlives a write issued after it was read.
 */
export class RelationListing {
  private constructor(
    private readonly views: Map<string, unknown>,
    private readonly tables: Set<string>,
    private readonly columns: Map<string, { name: string; type: string }[]>,
  ) {}

  /** Read the listing; `query` runs one statement on the engine's connection. */
  static async read(
    query: (sql: string) => ReturnType<DuckDBConnection["runAndReadAll"]>,
  ): Promise<RelationListing> {
    const own = "database_name = current_database()";
    const views = (
      await query(`SELECT schema_name, view_name AS name, comment FROM duckdb_views() WHERE ${own}`)
    ).getRowObjectsJS();
    const tables = (
      await query(`SELECT schema_name, table_name AS name FROM duckdb_tables() WHERE ${own}`)
    ).getRowObjectsJS();
    const columns = (
      await query(
        `SELECT schema_name, table_name AS name, column_name, data_type FROM duckdb_columns() ` +
          `WHERE ${own} ORDER BY schema_name, table_name, column_index`,
      )
    ).getRowObjectsJS();
    const byName = new Map<string, { name: string; type: string }[]>();
    for (const c of columns) {
      const key = keyOf(c);
      let list = byName.get(key);
      if (!list) byName.set(key, (list = []));
      list.push({ name: String(c.column_name), type: String(c.data_type).toLowerCase() });
    }
    return new RelationListing(
      new Map(views.map((v) => [keyOf(v), v.comment])),
      new Set(tables.map(keyOf)),
      byName,
    );
  }

  /**
   * What the engine's `describeRelation` returns: a view whose comment names its location is a
   * table (a lake table is a view over its version's Parquet files), any other view a view, a
   * DuckDB table a table; columns in their order. A view sluice marked (a raw source's) has the
   * `definition` recorded in its comment.
   */
  describe(relation: Relation): RelationInfo {
    const key = JSON.stringify([relation.schema, relation.name]);
    let kind: RelationInfo["kind"];
    let location: string | undefined;
    let definition: string | undefined;
    if (this.views.has(key)) {
      const comment = this.views.get(key);
      const text = typeof comment === "string" ? comment : "";
      if (text.startsWith(DUCKDB_TABLE_COMMENT_PREFIX)) {
        kind = "table";
        location = text.slice(DUCKDB_TABLE_COMMENT_PREFIX.length);
      } else {
        kind = "view";
        if (text.startsWith(DUCKDB_SOURCE_COMMENT_PREFIX))
          definition = text.slice(DUCKDB_SOURCE_COMMENT_PREFIX.length);
      }
    } else if (this.tables.has(key)) kind = "table";
    else return { exists: false };
    return {
      exists: true,
      kind,
      ...(location === undefined ? {} : { location }),
      ...(definition === undefined ? {} : { definition }),
      columns: (this.columns.get(key) ?? []).map((c) => ({ ...c })),
    };
  }
}

const keyOf = (row: Record<string, unknown>): string =>
  JSON.stringify([String(row.schema_name), String(row.name)]);

/**
 * Whether a statement may change what the catalog lists: anything but one plain SELECT (no `;`,
 * so no second statement; a `;` inside a literal only costs a re-read). Text, not parsing: a
 * wrong "yes" costs three queries, and no SELECT creates, drops or alters a relation.
 */
export const mayChangeCatalog = (sql: string): boolean =>
  !/^\s*select\b/i.test(sql) || sql.includes(";");
