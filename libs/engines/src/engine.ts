import type { Relation } from "@sluice/dialects";

export interface ColumnInfo {
  name: string;
  /** Engine type name, lower case (`varchar`, `bigint`, `double`, `timestamp`, `date`, ...). */
  type: string;
}

export interface QueryStats {
  elapsedMs: number;
  /** Rows written by a CTAS/INSERT/COPY, when the engine reports it. */
  rowsAffected?: number;
  /** Athena DataScannedInBytes; bytes of files read locally when known. */
  bytesScanned?: number;
  /** Athena QueryExecutionId. */
  queryId?: string;
  /** Time the engine spent running the statement (Athena EngineExecutionTimeInMillis). */
  engineMs?: number;
}

export interface QueryResult {
  columns: ColumnInfo[];
  /** Plain JS values: number for ints that fit, bigint beyond, string, boolean, null, Date-free ISO strings for timestamps. */
  rows: Record<string, unknown>[];
  stats: QueryStats;
}

export interface RelationInfo {
  exists: boolean;
  kind?: "table" | "view";
  /** Physical data location of a table (the Parquet directory or S3 prefix). */
  location?: string;
  columns?: ColumnInfo[];
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  /** What the statement belongs to (node id), for errors and logs. */
  label?: string;
}

/**
 * Runs finished SQL; never writes SQL text itself (that is the Dialect's job).
 *
 * @example
 * const engine = await openDuckdbEngine({ lakeDir: "/abs/models/.lake" });
 * const { rows } = await engine.execute("select 1 as x");
 * await engine.close();
 */
export interface Engine {
  readonly name: "athena" | "duckdb";
  execute(sql: string, options?: ExecuteOptions): Promise<QueryResult>;
  describeRelation(relation: Relation): Promise<RelationInfo>;
  /**
   * After a table was published at `keepLocation`, remove every other data location of that
   * table (old versions, leftovers of crashed builds).
   */
  removeStaleLocations(relation: Relation, keepLocation: string): Promise<void>;
  close(): Promise<void>;
}

/** A failed statement, with what a user needs to find it. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly details: { sql: string; label?: string; queryId?: string; engineMessage: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "QueryError";
  }
}
