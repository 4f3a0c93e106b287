import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { openRelationReader, type RelationReader } from "./relation-reader.js";

/** Reading statements on a project's local lake, answered as `sluice query --format json`. */
export type LakeReader = Pick<RelationReader, "query" | "close">;

/**
 * Open a project's target (default: its default target; a local DuckDB lake) in this process, as
 * `sluice query --target` does: read-only, from a snapshot of the catalog (so a build is never
 * blocked), rows through the CLI's own JSON serialiser ({@link openRelationReader}). For a test's
 * checks, where a CLI start-up per query (~0.5 CPU-s more than a statement here) would cost more
 * than the check; tests of the `query` command itself spawn it.
 *
 * @example
 * const lake = await openLakeReader(dir);
 * const [row] = await lake.query<{ n: number }>("select count(*) as n from silver.events");
 * await lake.close();
 */
export const openLakeReader = (projectDir: string, targetName?: string): Promise<LakeReader> =>
  openRelationReader(projectDir, targetName, { lakeOnly: true });

/** One statement on a project's lake ({@link openLakeReader}): open, read, close. */
export async function queryLake<T = Record<string, unknown>>(
  projectDir: string,
  sql: string,
  targetName?: string,
): Promise<T[]> {
  const lake = await openLakeReader(projectDir, targetName);
  try {
    return await lake.query<T>(sql);
  } finally {
    await lake.close();
  }
}

/**
 * Run statements on a project's lake catalog (`.lake/catalog.duckdb`) directly, read-write: to
 * set up what a test starts from (a stale view, a relation made by hand), not to check results.
 */
export async function onLakeCatalog(projectDir: string, ...statements: string[]): Promise<void> {
  const db = await DuckDBInstance.create(path.join(projectDir, ".lake/catalog.duckdb"));
  const connection = await db.connect();
  try {
    for (const sql of statements) await connection.run(sql);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}
