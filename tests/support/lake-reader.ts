import { rowsToJson } from "@sluice/cli";
import { openEngine } from "@sluice/engines";
import { loadProject } from "@sluice/project";

/** Reading statements on a project's local lake, answered as `sluice query --format json`. */
export interface LakeReader {
  /** One statement's rows as the CLI's JSON prints them (exact DECIMAL text, ISO timestamps). */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Open a project's target (default: its default target; a local DuckDB lake) in this process, as
 * `sluice query --target` does:
 * read-only, from a snapshot of the catalog (so a build is never blocked), rows through the CLI's
 * own JSON serialiser. For a test's checks, where a CLI start-up per query (~0.5 CPU-s more than
 * a statement here) would cost more than the check; tests of the `query` command itself spawn it.
 *
 * @example
 * const lake = await openLakeReader(dir);
 * const [row] = await lake.query<{ n: number }>("select count(*) as n from silver.events");
 * await lake.close();
 */
export async function openLakeReader(projectDir: string, targetName?: string): Promise<LakeReader> {
  const project = await loadProject(projectDir, { env: {} });
  const errors = project.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join("; "));
  const name = targetName ?? project.config["default-target"];
  const target = project.config.targets[name];
  if (target?.engine !== "duckdb") throw new Error(`${projectDir}: target ${name} is no lake`);
  const engine = await openEngine(target, project.dir, { readOnly: true, snapshot: true });
  return {
    query: async <T>(sql: string) => {
      const result = await engine.execute(sql, { label: "query" });
      return JSON.parse(rowsToJson(result.columns, result.rows)) as T[];
    },
    close: () => engine.close(),
  };
}

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
