import type { DuckDBConnection } from "@duckdb/node-api";
import { readdirSync } from "node:fs";
import {
  DUCKDB_TABLE_COMMENT_PREFIX,
  lakeRootQuery,
  lakeRootSetupSql,
  movedViewSql,
  relocateSql,
  rootOfTableView,
  setLakeRootSql,
  tableStateExistsQuery,
  tableViewsQuery,
  type TableView,
} from "@sluice/dialects";

/** What {@link relocateCatalog} did. */
export type Relocation = "unchanged" | "recorded" | { from: string; to: string; views: number };

/**
 * Make a writable catalog's views point into `lakeDir`: when the lake root the catalog records
 * (or, on a lake from before it was recorded, the one its table views imply) is not `lakeDir`,
 * the project folder was moved or copied, and every table view, its location comment and the
 * table state are rewritten to the new root in one transaction. Runs on every writable open,
 * before anything else; costs one query when nothing moved. Works on a copy of a catalog too
 * (the root compared is `lakeDir`, not where the catalog file is).
 *
 * @example await relocateCatalog(connection, "/new/home/models/.lake") // { from: "/old/…", … }
 */
export async function relocateCatalog(
  connection: DuckDBConnection,
  lakeDir: string,
): Promise<Relocation> {
  const recorded = await recordedRoot(connection);
  if (recorded === lakeDir) return "unchanged";
  const views = (
    await connection.runAndReadAll(tableViewsQuery())
  ).getRowObjectsJS() as unknown as TableView[];
  const from = recorded ?? views.map(rootOfTableView).find((root) => root !== undefined);
  if (from === undefined || from === lakeDir) {
    await connection.run(setLakeRootSql(lakeDir));
    return "recorded";
  }
  const state = await connection.runAndReadAll(tableStateExistsQuery());
  const hasTableState = state.currentRowCount > 0;
  const unreadable = new Set(views.filter((v) => !hasParquetFile(movedLocation(v, from, lakeDir))));
  const move = (unbound: ReadonlySet<TableView>) =>
    connection.run(relocateSql(views, from, lakeDir, { hasTableState, unreadable: unbound }));
  try {
    await move(unreadable).catch(async (error: unknown) => {
      await connection.run("ROLLBACK").catch(() => undefined);
      // A version whose file DuckDB cannot read (cut short, overwritten) fails its view's
      // creation, and with it the whole move: such views, found one by one, move as those with
      // no file (their comment only: the build then names the damaged file and the way back).
      const damaged = await unbindableViews(connection, views, unreadable, from, lakeDir);
      if (damaged.length === 0) throw error;
      await move(new Set([...unreadable, ...damaged]));
    });
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => undefined);
    // What DuckDB said is the reason (a damaged catalog, a full disk): part of the message.
    const why = error instanceof Error ? `: ${error.message.split("\n")[0]}` : "";
    throw new Error(`could not move the catalog's tables from ${from} to ${lakeDir}${why}`, {
      cause: error,
    });
  }
  return { from, to: lakeDir, views: views.length };
}

/** The views (but those in `skipped`) DuckDB cannot create under the new root, each tried alone. */
async function unbindableViews(
  connection: DuckDBConnection,
  views: readonly TableView[],
  skipped: ReadonlySet<TableView>,
  from: string,
  to: string,
): Promise<TableView[]> {
  const failed: TableView[] = [];
  for (const view of views) {
    if (skipped.has(view)) continue;
    try {
      await connection.run(`BEGIN TRANSACTION; ${movedViewSql(view, from, to)}; ROLLBACK`);
    } catch {
      await connection.run("ROLLBACK").catch(() => undefined);
      failed.push(view);
    }
  }
  return failed;
}

const movedLocation = (view: TableView, from: string, to: string): string =>
  to + view.comment.slice(DUCKDB_TABLE_COMMENT_PREFIX.length + from.length);

/** Whether a version folder still holds a data file (a view over it can be bound). */
function hasParquetFile(dir: string): boolean {
  try {
    return readdirSync(dir, { recursive: true, encoding: "utf8" }).some((f) =>
      f.endsWith(".parquet"),
    );
  } catch {
    return false;
  }
}

async function recordedRoot(connection: DuckDBConnection): Promise<string | undefined> {
  let rows: Record<string, unknown>[];
  try {
    rows = (await connection.runAndReadAll(lakeRootQuery())).getRowObjectsJS();
  } catch {
    // A lake from before the root was recorded (or a new one).
    await connection.run(lakeRootSetupSql());
    return undefined;
  }
  const root = rows[0]?.["root"];
  return typeof root === "string" ? root : undefined;
}
