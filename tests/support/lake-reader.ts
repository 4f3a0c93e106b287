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
