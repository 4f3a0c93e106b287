import { randomUUID } from "node:crypto";
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecution,
  type Row,
  type ColumnInfo as AthenaColumn,
} from "@aws-sdk/client-athena";
import { QueryError, type ExecuteOptions, type QueryResult } from "../engine.js";
import type { AthenaContext } from "./athena-clients.js";
import { toColumns, toRows } from "./result-converter.js";
import { retryThrottled } from "./retry.js";

/** Where and how queries run. */
export interface QuerySettings {
  workgroup: string;
  /** Query results location (`s3_staging_dir`). */
  outputLocation: string;
  /** Default database for unqualified names. */
  database: string;
  catalog?: string;
  /** Idempotency token factory (32–128 chars); injectable for tests. */
  token?: () => string;
}

const FIRST_POLL_MS = 100;
/**
 * Poll interval as a share of the time the query has run so far. A geometric backoff (x1.5)
 * notices completion up to 50% late (a 1.6 s query seen at 2.1 s); waiting 5% of the elapsed
 * time bounds that at 5% (plus one poll's round trip) while keeping long queries at one poll
 * per 2 s, far under GetQueryExecution's 100 calls/s account quota with a few threads.
 */
const POLL_RATIO = 0.05;
const MAX_POLL_MS = 2_000;

/** How long to wait before the next GetQueryExecution, `elapsedMs` after the start. */
export function pollDelay(elapsedMs: number): number {
  return Math.min(MAX_POLL_MS, Math.max(FIRST_POLL_MS, elapsedMs * POLL_RATIO));
}

/**
 * Run one statement on Athena (see {@link runStatement}). An API call that fails for good while
 * the query is polled or its results read (AccessDenied, a network error) fails the statement
 * like a failed query, a {@link QueryError} naming it, never as a bug of sluice.
 */
export async function runQuery(
  ctx: AthenaContext,
  settings: QuerySettings,
  sql: string,
  options: ExecuteOptions = {},
): Promise<QueryResult> {
  try {
    return await runStatement(ctx, settings, sql, options);
  } catch (error) {
    if (error instanceof QueryError || !(error instanceof Error)) throw error;
    throw new QueryError(
      `${options.label ?? "statement"} failed: ${error.message}`,
      { sql, label: options.label, engineMessage: error.message },
      { cause: error },
    );
  }
}

/**
 * Run one statement on Athena: start it (with a ClientRequestToken, so a throttled and retried
 * start cannot run twice), poll with adaptive backoff ({@link pollDelay}), fetch paginated results, and stop the
 * query if the signal fires.
 */
async function runStatement(
  ctx: AthenaContext,
  settings: QuerySettings,
  sql: string,
  options: ExecuteOptions,
): Promise<QueryResult> {
  const { signal, label } = options;
  const startedAt = ctx.now();
  const retry = <T>(fn: () => Promise<T>) =>
    retryThrottled(fn, { sleep: ctx.sleep, random: ctx.random });
  const fail = (queryId: string | undefined, engineMessage: string, cause?: unknown) =>
    new QueryError(
      `${label ?? "statement"} failed${queryId ? ` (Athena query ${queryId})` : ""}: ${engineMessage}`,
      { sql, label, queryId, engineMessage },
      { cause },
    );

  if (signal?.aborted) throw fail(undefined, "cancelled before it started", signal.reason);
  const token = (settings.token ?? randomUUID)();
  const started = await retry(() =>
    ctx.clients.athena.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        ClientRequestToken: token,
        WorkGroup: settings.workgroup,
        QueryExecutionContext: {
          Catalog: settings.catalog ?? "AwsDataCatalog",
          Database: settings.database,
        },
        ResultConfiguration: { OutputLocation: settings.outputLocation },
      }),
    ),
  ).catch((error: unknown) => {
    throw fail(undefined, error instanceof Error ? error.message : String(error), error);
  });
  const queryId = started.QueryExecutionId!;

  let execution: QueryExecution | undefined;
  for (;;) {
    if (signal?.aborted) {
      await retry(() =>
        ctx.clients.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId })),
      );
      throw fail(queryId, "cancelled", signal.reason);
    }
    const polled = await retry(() =>
      ctx.clients.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId })),
    );
    execution = polled.QueryExecution;
    const state = execution?.Status?.State;
    if (state === "SUCCEEDED") break;
    if (state === "FAILED") {
      const error = execution?.Status?.AthenaError;
      const reason = error?.ErrorMessage ?? execution?.Status?.StateChangeReason ?? "unknown error";
      throw fail(
        queryId,
        error?.ErrorType === undefined ? reason : `${reason} [ErrorType ${error.ErrorType}]`,
      );
    }
    if (state === "CANCELLED")
      throw fail(queryId, execution?.Status?.StateChangeReason ?? "cancelled");
    await sleepUnlessAborted(ctx, pollDelay(ctx.now() - startedAt), signal);
  }

  const { columns, rows, updateCount } = needsResults(execution)
    ? await fetchResults(ctx, execution, queryId, retry)
    : empty;
  const stats = execution?.Statistics;
  return {
    columns,
    rows,
    stats: {
      elapsedMs: ctx.now() - startedAt,
      queryId,
      bytesScanned: stats?.DataScannedInBytes,
      engineMs: stats?.EngineExecutionTimeInMillis,
      rowsAffected: updateCount,
      billedBytes: needsResults(execution) ? billedBytes(stats?.DataScannedInBytes ?? 0) : 0,
    },
  };
}

const MB = 1024 * 1024;

/** Athena bills scanned bytes rounded up to the MB, with a 10 MB minimum per (non-DDL) query. */
export function billedBytes(scanned: number): number {
  return Math.max(10 * MB, Math.ceil(scanned / MB) * MB);
}

const empty = { columns: [], rows: [], updateCount: undefined };

/** Plain DDL has no result set worth a round trip; SELECTs, CTAS and INSERTs do. */
function needsResults(execution: QueryExecution | undefined): boolean {
  return (
    execution?.StatementType !== "DDL" ||
    (execution.SubstatementType ?? "").startsWith("CREATE_TABLE_AS")
  );
}

async function fetchResults(
  ctx: AthenaContext,
  execution: QueryExecution | undefined,
  queryId: string,
  retry: <T>(fn: () => Promise<T>) => Promise<T>,
) {
  let athenaColumns: AthenaColumn[] = [];
  const rawRows: Row[] = [];
  let updateCount: number | undefined;
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await retry(() =>
      ctx.clients.athena.send(
        new GetQueryResultsCommand({
          QueryExecutionId: queryId,
          NextToken: token,
          MaxResults: 1000,
        }),
      ),
    );
    if (token === undefined) {
      athenaColumns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      updateCount = page.UpdateCount;
    }
    rawRows.push(...(page.ResultSet?.Rows ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  const columns = toColumns(athenaColumns);
  // A SELECT's first row is its header row; CTAS/INSERT/DDL/utility results have none. Older
  // responses lack SubstatementType: then a DML first row equal to the column names is the header.
  const header = rawRows[0];
  const matchesNames =
    header !== undefined && columns.every((c, i) => header.Data?.[i]?.VarCharValue === c.name);
  const sub = execution?.SubstatementType;
  const isSelect =
    sub === "SELECT" || (sub === undefined && execution?.StatementType === "DML" && matchesNames);
  return {
    columns,
    rows: toRows(columns, isSelect ? rawRows.slice(1) : rawRows),
    updateCount: isSelect ? undefined : updateCount,
  };
}

/** Sleep, but wake as soon as the signal fires so StopQueryExecution is not delayed by a poll wait. */
function sleepUnlessAborted(
  ctx: AthenaContext,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal === undefined) return ctx.sleep(ms);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener("abort", onAbort, { once: true });
    ctx.sleep(ms).then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, reject);
  });
}
