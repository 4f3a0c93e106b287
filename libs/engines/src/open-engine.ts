import { availableParallelism } from "node:os";
import path from "node:path";
import type { TargetConfig } from "@sluice/project";
import type { CatalogEngine, LakeEngine } from "./engine.js";

/** How to open an engine; see DuckdbEngineOptions for what each means locally. */
export interface OpenEngineOptions {
  /**
   * Nodes the run executes at once (the run's `threads`): a local lake opens that many DuckDB
   * connections, at most one per core (more could not run at once), so their statements do not
   * queue on one. Athena queries are remote: its engine needs none.
   */
  threads?: number;
  /** Only read (the engine refuses writes). */
  readOnly?: boolean;
  /** With readOnly, on a local lake: read a private copy of the catalog, taking no lock. */
  snapshot?: boolean;
  /**
   * The run this engine writes for: named in the local lake's lock file; on Athena the engine
   * holds the target's build lease for it (see acquireBuildLease).
   */
  runId?: string;
  /** Told of retries of AWS calls and queries (the CLI prints them with `--debug`). */
  log?: (line: string) => void;
  /** Told what the user should know but does not stop the run (a dead build's lease taken over). */
  warn?: (message: string) => void;
  /** Athena: the build lease went to another build; the run must stop (its deletes already refuse). */
  onLeaseLost?: (error: Error) => void;
}

/**
 * Open the engine a target names. Each engine's module (DuckDB native binding, AWS SDK) is
 * loaded only when used.
 *
 * @example
 * const engine = await openEngine(project.config.targets.local, project.dir);
 */
export async function openEngine(
  target: TargetConfig,
  projectDir: string,
  options: OpenEngineOptions = {},
): Promise<LakeEngine | CatalogEngine> {
  if (target.engine === "duckdb") {
    const { openDuckdbEngine } = await import("./duckdb/duckdb-engine.js");
    const { threads, ...rest } = options;
    return openDuckdbEngine({
      ...rest,
      connections: Math.max(1, Math.min(threads ?? 1, availableParallelism())),
      lakeDir: path.resolve(projectDir, target.lake),
      trinoCompat: (target.sql_dialect ?? "trino") === "trino",
    });
  }
  const { openAthenaEngine } = await import("./athena/athena-engine.js");
  const { runId, warn, onLeaseLost } = options;
  return openAthenaEngine({
    target,
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(runId === undefined || options.readOnly
      ? {}
      : {
          lease: {
            runId,
            ...(warn === undefined ? {} : { warn }),
            ...(onLeaseLost === undefined ? {} : { onLost: onLeaseLost }),
          },
        }),
  });
}
