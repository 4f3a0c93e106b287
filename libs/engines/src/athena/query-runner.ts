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
import { retryIn, retryOptions } from "./glue-catalog.js";
import { retryWhen } from "./retry.js";

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
  /** The wait before the first poll, and the least between polls (target `poll_interval`). */
  firstPollMs?: number;
}

/** The default least wait between polls (a target's `poll_interval` replaces it). */
const FIRST_POLL_MS = 100;
/**
 * Poll interval as a share of the time the query has run so far. A geometric backoff (x1.5)
 * notices completion up to 50% late (a 1.6 s query seen at 2.1 s); waiting 5% of the elapsed
 * time bounds that at 5% (plus one poll's round trip) while keeping long queries at one poll
 * per 2 s, far under GetQueryExecution's 100 calls/s account quota with a few threads.
 */
const POLL_RATIO = 0.05;
const MAX_POLL_MS = 2_000;

/**
 * How long to wait before the next GetQueryExecution, `elapsedMs` after the start: 5% of the
 * elapsed time, at least `firstPollMs` (the target's `poll_interval`) and at most 2 s, unless
 * `firstPollMs` is longer (dbt-athena's fixed `poll_interval: 5` stays 5 s).
 */
export function pollDelay(elapsedMs: number, firstPollMs = FIRST_POLL_MS): number {
  return Math.max(firstPollMs, Math.min(MAX_POLL_MS, elapsedMs * POLL_RATIO));
}

/** Calls of a statement Athena failed as retryable and that is safe to run again. */
const MAX_QUERY_ATTEMPTS = 4;
const QUERY_RETRY_BASE_MS = 1_000;

/** How long to wait for a stopped query to reach its final state. */
const STOP_WAIT_MS = 60_000;

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
 * start cannot run twice), poll with adaptive backoff ({@link pollDelay}), fetch paginated
 * results, and stop the query if the signal fires (then wait for its final state, so its data
 * manifest is complete before anyone reads it). A failure Athena marks `Retryable`, or an
 * `ICEBERG_COMMIT_ERROR`, is run again (jittered backoff, told to `ctx.log`) when the statement
 * writes nothing a failed try could leave behind, as Athena classifies it: a SELECT, a utility
 * statement, DDL other than CTAS, or a MERGE whose Iceberg commit failed. A failed CTAS or INSERT
 * is not: its error says `retryable`, and the caller removes the partial output first.
 */
async function runStatement(
  ctx: AthenaContext,
  settings: QuerySettings,
  sql: string,
  options: ExecuteOptions,
): Promise<QueryResult> {
  const startedAt = ctx.now();
  return retryWhen(
    (error) => error instanceof RerunnableQueryError,
    () => runOnce(ctx, settings, sql, options, startedAt),
    { ...retryOptions(ctx), maxAttempts: MAX_QUERY_ATTEMPTS, baseMs: QUERY_RETRY_BASE_MS },
  );
}

/** A failed statement that may succeed if run again, and writes nothing a try leaves behind. */
class RerunnableQueryError extends QueryError {}

async function runOnce(
  ctx: AthenaContext,
  settings: QuerySettings,
  sql: string,
  options: ExecuteOptions,
  startedAt: number,
): Promise<QueryResult> {
  const { signal, label } = options;
  const retry = retryIn(ctx);
  const fail = (
    queryId: string | undefined,
    engineMessage: string,
    cause?: unknown,
    retryable?: boolean,
    rerun?: boolean,
  ) =>
    new (rerun ? RerunnableQueryError : QueryError)(
      `${label ?? "statement"} failed${queryId ? ` (Athena query ${queryId})` : ""}: ${engineMessage}`,
      { sql, label, queryId, engineMessage, ...(retryable ? { retryable } : {}) },
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
  const poll = async () =>
    (
      await retry(() =>
        ctx.clients.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId })),
      )
    ).QueryExecution;

  let execution: QueryExecution | undefined;
  for (;;) {
    if (signal?.aborted) {
      await retry(() =>
        ctx.clients.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId })),
      );
      const final = await waitForFinalState(ctx, poll, settings.firstPollMs);
      throw fail(queryId, cancelledMessage(final), signal.reason);
    }
    execution = await poll();
    const state = execution?.Status?.State;
    if (state === "SUCCEEDED") break;
    if (state === "FAILED") {
      const error = execution?.Status?.AthenaError;
      const reason = error?.ErrorMessage ?? execution?.Status?.StateChangeReason ?? "unknown error";
      const retryable = error?.Retryable === true || isIcebergCommitError(reason);
      throw fail(
        queryId,
        error?.ErrorType === undefined ? reason : `${reason} [ErrorType ${error.ErrorType}]`,
        undefined,
        retryable,
        retryable && safeToRerun(execution, reason),
      );
    }
    if (state === "CANCELLED")
      throw fail(queryId, execution?.Status?.StateChangeReason ?? "cancelled");
    await sleepUnlessAborted(ctx, pollDelay(ctx.now() - startedAt, settings.firstPollMs), signal);
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

/** Iceberg's optimistic commit lost a race: nothing was committed, a rerun may succeed. */
function isIcebergCommitError(reason: string): boolean {
  return /\bICEBERG_COMMIT_ERROR\b/.test(reason);
}

/** The statement leaves nothing behind when it fails, as Athena classifies it. */
function safeToRerun(execution: QueryExecution | undefined, reason: string): boolean {
  const type = execution?.StatementType;
  const sub = execution?.SubstatementType ?? "";
  if (type === "UTILITY" || sub === "SELECT") return true;
  if (type === "DDL") return !sub.startsWith("CREATE_TABLE_AS");
  return sub === "MERGE" && isIcebergCommitError(reason);
}

/**
 * The message of a statement stopped by the signal, from the state Athena ended it in: a query
 * that had already SUCCEEDED when the stop arrived says so (what it wrote is there: the node's
 * compensation, not the stop, undoes it).
 */
function cancelledMessage(final: string | undefined): string {
  return final === "SUCCEEDED"
    ? "cancelled after Athena had finished it (SUCCEEDED): what it wrote stays until undone"
    : "cancelled";
}

/**
 * After StopQueryExecution: polls until CANCELLED, FAILED or SUCCEEDED (bounded) and returns that
 * state, or undefined when Athena did not reach one in time.
 */
async function waitForFinalState(
  ctx: AthenaContext,
  poll: () => Promise<QueryExecution | undefined>,
  firstPollMs: number | undefined,
): Promise<string | undefined> {
  const stoppedAt = ctx.now();
  for (;;) {
    const state = (await poll())?.Status?.State;
    if (state === "CANCELLED" || state === "FAILED" || state === "SUCCEEDED") return state;
    if (ctx.now() - stoppedAt > STOP_WAIT_MS) return undefined;
    await ctx.sleep(pollDelay(ctx.now() - stoppedAt, firstPollMs));
  }
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
