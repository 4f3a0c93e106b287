import { randomUUID } from "node:crypto";
import { AthenaFailure } from "./athena-failure.js";
import { AwsError, rejectUnknownMembers } from "./aws-error.js";
import type { Faults, QueryFaultOutcome } from "./faults.js";
import { classify, type QueryOutcome, type SqlEngine } from "./sql-engine.js";
import { duckdbToAthena } from "./sql-types.js";

type Body = Record<string, unknown>;
type State = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

interface Execution {
  id: string;
  sql: string;
  database: string;
  catalog: string;
  workgroup: string;
  outputLocation: string;
  state: State;
  submitted: number;
  started?: number;
  completed?: number;
  outcome?: QueryOutcome;
  failure?: AthenaFailure;
}

const invalid = (message: string) =>
  new AwsError("InvalidRequestException", message, 400, { AthenaErrorCode: "INVALID_INPUT" });

/**
 * Athena's query API over {@link SqlEngine}: a query is QUEUED for a quarter of the latency,
 * then RUNNING until its statement has run and the latency has passed, then SUCCEEDED or FAILED;
 * StopQueryExecution cancels it (a statement not yet started never runs). Results page like
 * Athena's (header row first for a SELECT, MaxResults up to 1000).
 */
export class AthenaApi {
  private readonly executions = new Map<string, Execution>();
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly sql: SqlEngine,
    private readonly faults: Faults,
    private readonly latencyMs: number,
  ) {}

  /** Wait until every started query has finished (for a clean shutdown). */
  async idle(): Promise<void> {
    while (
      [...this.executions.values()].some(
        (e) =>
          e.state === "RUNNING" &&
          e.started !== undefined &&
          e.completed === undefined &&
          e.outcome === undefined &&
          e.failure === undefined,
      )
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  readonly operations: Record<string, (body: Body) => unknown> = {
    StartQueryExecution: (body) => {
      rejectUnknownMembers(
        body,
        [
          "QueryString",
          "ClientRequestToken",
          "QueryExecutionContext",
          "ResultConfiguration",
          "WorkGroup",
        ],
        "InvalidRequestException",
      );
      const sql = String(body.QueryString ?? "");
      if (sql.trim() === "") throw invalid("QueryString must not be empty");
      if (sql.length > 262144) throw invalid("QueryString is longer than 262144 characters");
      const token =
        body.ClientRequestToken === undefined ? undefined : String(body.ClientRequestToken);
      if (token !== undefined && (token.length < 32 || token.length > 128))
        throw invalid("ClientRequestToken must be 32 to 128 characters");
      const earlier = token === undefined ? undefined : this.tokens.get(token);
      if (earlier !== undefined) {
        if (this.executions.get(earlier)!.sql !== sql)
          throw invalid("Idempotent parameters do not match");
        return { QueryExecutionId: earlier };
      }
      const context = (body.QueryExecutionContext as Body | undefined) ?? {};
      rejectUnknownMembers(context, ["Database", "Catalog"], "InvalidRequestException");
      const result = (body.ResultConfiguration as Body | undefined) ?? {};
      rejectUnknownMembers(result, ["OutputLocation"], "InvalidRequestException");
      if (result.OutputLocation === undefined)
        throw invalid(
          "No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.",
        );
      const catalog = String(context.Catalog ?? "AwsDataCatalog");
      if (catalog.toLowerCase() !== "awsdatacatalog")
        throw invalid(`aws-local has only the AwsDataCatalog catalog, not ${catalog}`);
      const execution: Execution = {
        id: randomUUID(),
        sql,
        database: String(context.Database ?? "default"),
        catalog,
        workgroup: String(body.WorkGroup ?? "primary"),
        outputLocation: String(result.OutputLocation),
        state: "QUEUED",
        submitted: Date.now(),
      };
      this.executions.set(execution.id, execution);
      if (token !== undefined) this.tokens.set(token, execution.id);
      setTimeout(() => this.begin(execution), this.latencyMs / 4).unref();
      return { QueryExecutionId: execution.id };
    },
    GetQueryExecution: (body) => {
      rejectUnknownMembers(body, ["QueryExecutionId"], "InvalidRequestException");
      return { QueryExecution: this.describe(this.execution(body.QueryExecutionId)) };
    },
    BatchGetQueryExecution: (body) => {
      rejectUnknownMembers(body, ["QueryExecutionIds"], "InvalidRequestException");
      const ids = (body.QueryExecutionIds as string[]) ?? [];
      const found = ids.filter((id) => this.executions.has(id));
      return {
        QueryExecutions: found.map((id) => this.describe(this.executions.get(id)!)),
        UnprocessedQueryExecutionIds: ids
          .filter((id) => !this.executions.has(id))
          .map((id) => ({
            QueryExecutionId: id,
            ErrorCode: "INVALID_INPUT",
            ErrorMessage: "not found",
          })),
      };
    },
    GetQueryResults: (body) => {
      rejectUnknownMembers(
        body,
        ["QueryExecutionId", "NextToken", "MaxResults", "QueryResultType"],
        "InvalidRequestException",
      );
      const execution = this.execution(body.QueryExecutionId);
      if (execution.state !== "SUCCEEDED") {
        throw invalid(
          execution.state === "QUEUED" || execution.state === "RUNNING"
            ? `Query has not yet finished. Current state: ${execution.state}`
            : `Query did not finish successfully. Final query state: ${execution.state}`,
        );
      }
      const max = body.MaxResults === undefined ? 1000 : Number(body.MaxResults);
      if (!Number.isInteger(max) || max < 1 || max > 1000)
        throw invalid(`MaxResults must be between 1 and 1000`);
      const outcome = execution.outcome!;
      const { substatementType } = classify(execution.sql);
      const header = substatementType === "SELECT" ? [outcome.columns.map((c) => c.name)] : [];
      const all: (string | null)[][] = [...header, ...outcome.rows];
      const start = body.NextToken === undefined ? 0 : Number.parseInt(String(body.NextToken), 36);
      if (!Number.isInteger(start) || start < 0 || start > all.length)
        throw invalid("NextToken is invalid");
      const end = Math.min(all.length, start + max);
      return {
        ...(outcome.updateCount !== undefined ? { UpdateCount: outcome.updateCount } : {}),
        ResultSet: {
          Rows: all
            .slice(start, end)
            .map((row) => ({ Data: row.map((v) => (v === null ? {} : { VarCharValue: v })) })),
          ResultSetMetadata: {
            ColumnInfo: outcome.columns.map((c) => ({
              CatalogName: "hive",
              SchemaName: "",
              TableName: "",
              Name: c.name,
              Label: c.name,
              ...duckdbToAthena(c.type),
              Nullable: "UNKNOWN",
              CaseSensitive: duckdbToAthena(c.type).Type === "varchar",
            })),
          },
        },
        ...(end < all.length ? { NextToken: end.toString(36) } : {}),
      };
    },
    StopQueryExecution: (body) => {
      rejectUnknownMembers(body, ["QueryExecutionId"], "InvalidRequestException");
      const execution = this.execution(body.QueryExecutionId);
      if (execution.state === "QUEUED" || execution.state === "RUNNING") {
        execution.state = "CANCELLED";
        execution.completed = Date.now();
        execution.failure = new AthenaFailure("USER_CANCELLED", "Query cancelled by user");
      }
      return {};
    },
    GetWorkGroup: (body) => {
      rejectUnknownMembers(body, ["WorkGroup"], "InvalidRequestException");
      const name = String(body.WorkGroup);
      if (!/^[a-zA-Z0-9._-]{1,128}$/.test(name)) throw invalid(`WorkGroup name ${name} is invalid`);
      return {
        WorkGroup: {
          Name: name,
          State: "ENABLED",
          Description:
            "aws-local: every workgroup name exists, engine version 3, no enforced settings",
          CreationTime: 0,
          Configuration: {
            EnforceWorkGroupConfiguration: false,
            PublishCloudWatchMetricsEnabled: false,
            RequesterPaysEnabled: false,
            EngineVersion: {
              SelectedEngineVersion: "AUTO",
              EffectiveEngineVersion: "Athena engine version 3",
            },
          },
        },
      };
    },
  };

  private execution(id: unknown): Execution {
    const execution = this.executions.get(String(id));
    if (execution === undefined) throw invalid(`QueryExecution ${String(id)} was not found`);
    return execution;
  }

  private begin(execution: Execution): void {
    if (execution.state !== "QUEUED") return;
    const fault = this.faults.queryFault(execution.sql);
    // QUEUED until the faults are cleared, then run as any other query.
    if (fault?.queued) void fault.queued.then(() => this.run(execution, undefined));
    else this.run(execution, fault);
  }

  private run(execution: Execution, fault: QueryFaultOutcome | undefined): void {
    if (execution.state !== "QUEUED") return;
    execution.state = "RUNNING";
    execution.started = Date.now();
    if (fault?.stall) return; // RUNNING until stopped
    const finish = (update: () => void) => {
      const wait = Math.max(0, execution.submitted + this.latencyMs - Date.now());
      setTimeout(() => {
        if (execution.state !== "RUNNING") return;
        update();
        execution.completed = Date.now();
      }, wait).unref();
    };
    const input = {
      queryId: execution.id,
      sql: execution.sql,
      database: execution.database,
      outputLocation: execution.outputLocation,
    };
    const failed = async (error: unknown) => {
      const failure =
        error instanceof AthenaFailure
          ? error
          : new AthenaFailure("GENERIC_INTERNAL_ERROR", String(error));
      const writes = ["CREATE_TABLE_AS_SELECT", "INSERT"].includes(
        classify(execution.sql).substatementType,
      );
      const manifest = writes
        ? await this.sql.writeManifest(input, []).catch(() => undefined)
        : undefined;
      finish(() => {
        execution.state = "FAILED";
        execution.failure = failure;
        if (manifest !== undefined)
          execution.outcome = { columns: [], rows: [], scannedBytes: 0, manifest };
      });
    };
    if (fault?.failure) {
      void failed(fault.failure);
      return;
    }
    this.sql
      .run(input, () => execution.state === "RUNNING")
      .then(
        (outcome) =>
          finish(() => {
            execution.state = "SUCCEEDED";
            execution.outcome = outcome;
          }),
        failed,
      );
  }

  private describe(e: Execution): Body {
    const { statementType, substatementType } = classify(e.sql);
    const end = e.completed ?? Date.now();
    const engineMs = e.started === undefined ? 0 : end - e.started;
    const done = e.state === "SUCCEEDED" || e.state === "FAILED" || e.state === "CANCELLED";
    return {
      QueryExecutionId: e.id,
      Query: e.sql,
      StatementType: statementType,
      SubstatementType: substatementType,
      ResultConfiguration: {
        OutputLocation: `${e.outputLocation.replace(/\/?$/, "/")}${e.id}.csv`,
      },
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
      QueryExecutionContext: { Database: e.database, Catalog: e.catalog },
      Status: {
        State: e.state,
        SubmissionDateTime: e.submitted / 1000,
        ...(done ? { CompletionDateTime: end / 1000 } : {}),
        ...(e.failure
          ? {
              StateChangeReason: e.failure.message,
              ...(e.state === "FAILED"
                ? {
                    AthenaError: {
                      ErrorCategory: e.failure.category,
                      ErrorType: e.failure.errorType,
                      Retryable: e.failure.retryable,
                      ErrorMessage: e.failure.message,
                    },
                  }
                : {}),
            }
          : {}),
      },
      Statistics: {
        EngineExecutionTimeInMillis: engineMs,
        DataScannedInBytes: e.outcome?.scannedBytes ?? 0,
        TotalExecutionTimeInMillis: end - e.submitted,
        QueryQueueTimeInMillis: (e.started ?? end) - e.submitted,
        ServiceProcessingTimeInMillis: 0,
        ResultReuseInformation: { ReusedPreviousResult: false },
        ...(e.outcome?.manifest ? { DataManifestLocation: e.outcome.manifest } : {}),
      },
      WorkGroup: e.workgroup,
      EngineVersion: {
        SelectedEngineVersion: "AUTO",
        EffectiveEngineVersion: "Athena engine version 3",
      },
    };
  }
}
