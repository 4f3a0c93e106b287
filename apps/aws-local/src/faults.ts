import { AthenaFailure } from "./athena-failure.js";
import { AwsError } from "./aws-error.js";

/**
 * Fail or throttle calls of one API: `api` is `<Service>.<Operation>` (`Athena.StartQueryExecution`,
 * `Glue.BatchCreatePartition`, `S3.PutObject`), or `*` for every call of every API (to fail the
 * Nth call of a run, whatever it is); the rule fires on the `nth` call counted from when it was
 * set (1 = the next one) and on the `times - 1` calls after it.
 */
export interface CallFault {
  api: string;
  nth?: number;
  times?: number;
  /**
   * `throttle` (the service's throttling error), `fail` (its internal error, retried by the SDK)
   * `deny` (its access-denied error, which nothing retries), or `hang`: no answer until the
   * rules are cleared (then the internal error), so a test can kill the client at that call;
   * `hang-after` does the call, then hangs the same way (the client dies not knowing it
   * happened). Default fail.
   */
  kind?: "throttle" | "fail" | "deny" | "hang" | "hang-after";
  /**
   * Only calls whose JSON request matches this regular expression count (Athena and Glue; e.g.
   * `__sluice_` on `Athena.StartQueryExecution` picks the first statement that names a staging
   * table). Refused for S3, whose requests are not JSON.
   */
  match?: string;
  /** Override the error code, e.g. `AccessDeniedException`. */
  error?: string;
  message?: string;
}

/** Make queries whose SQL matches `match` (a regular expression) fail with an Athena error, or stall. */
export interface QueryFault {
  match: string;
  /** e.g. `ICEBERG_COMMIT_ERROR`; the query FAILS with it (category 2 unless set). */
  athenaError?: string;
  message?: string;
  errorType?: number;
  category?: number;
  retryable?: boolean;
  /** Stay RUNNING until StopQueryExecution. */
  stall?: boolean;
  /**
   * Stay QUEUED (as behind a busy workgroup) until the rules are cleared, then run: a test can
   * change what the query will read while it waits.
   */
  queue?: boolean;
  /** How many matching queries it applies to (default 1). */
  times?: number;
}

export interface FaultPlan {
  calls?: CallFault[];
  queries?: QueryFault[];
}

const THROTTLE: Record<string, [string, number]> = {
  Athena: ["TooManyRequestsException", 400],
  Glue: ["ThrottlingException", 400],
  S3: ["SlowDown", 503],
};
const DENIED: Record<string, [string, number]> = {
  Athena: ["AccessDeniedException", 400],
  Glue: ["AccessDeniedException", 400],
  S3: ["AccessDenied", 403],
};
const INTERNAL: Record<string, [string, number]> = {
  Athena: ["InternalServerException", 500],
  Glue: ["InternalServiceException", 500],
  S3: ["InternalError", 500],
};

/** What a query fault does to one query: stall it, hold it queued, or fail it. */
export interface QueryFaultOutcome {
  stall?: boolean;
  /** Resolves when the query may run. */
  queued?: Promise<void>;
  failure?: AthenaFailure;
}

/** The fault plan of one endpoint, with per-API call counters. */
export class Faults {
  private calls: (CallFault & { seen: number; left: number })[] = [];
  private queries: (QueryFault & { left: number })[] = [];
  /** Calls per API since start, e.g. `{"Glue.GetTable": 4}`. */
  readonly counts: Record<string, number> = {};

  /** Add rules (`replace` drops the current ones first). */
  set(plan: FaultPlan, replace = false): void {
    if (replace) this.clear();
    for (const c of plan.calls ?? []) {
      if (!/^((Athena|Glue|S3)\.\w+|\*)$/.test(c.api))
        throw new AwsError(
          "ValidationException",
          `fault api must be Athena.|Glue.|S3.<Operation> or *, not ${c.api}`,
        );
      if (c.match !== undefined) {
        if (c.api.startsWith("S3.") || c.api === "*")
          throw new AwsError(
            "ValidationException",
            `fault match needs an Athena. or Glue. api (JSON requests), not ${c.api}`,
          );
        new RegExp(c.match);
      }
      this.calls.push({ ...c, seen: 0, left: c.times ?? 1 });
    }
    for (const q of plan.queries ?? []) {
      new RegExp(q.match);
      this.queries.push({ ...q, left: q.times ?? 1 });
    }
  }

  /** The rules set, each with `left`: how many more calls or queries it will fail (0 = spent). */
  pending(): FaultPlan {
    return {
      calls: this.calls.map(({ seen: _seen, ...rule }) => rule),
      queries: this.queries.map((rule) => ({ ...rule })),
    };
  }

  clear(): void {
    this.calls = [];
    this.queries = [];
    for (const resolve of this.release.splice(0)) resolve();
  }

  private release: (() => void)[] = [];

  /** Resolves when the rules are cleared: how long a hung call waits. */
  private cleared(): Promise<void> {
    return new Promise((resolve) => this.release.push(resolve));
  }

  /**
   * Count a call (`input`: its JSON request, for rules with `match`); throw the error a rule asks for. A `hang` rule waits here (until the rules are
   * cleared); for a `hang-after` rule, the returned function waits after the call is served.
   */
  async onCall(
    service: string,
    operation: string,
    input?: Readonly<Record<string, unknown>>,
  ): Promise<(() => Promise<void>) | undefined> {
    const api = `${service}.${operation}`;
    this.counts[api] = (this.counts[api] ?? 0) + 1;
    for (const rule of this.calls) {
      if ((rule.api !== api && rule.api !== "*") || rule.left <= 0) continue;
      if (rule.match !== undefined && !new RegExp(rule.match).test(JSON.stringify(input ?? {})))
        continue;
      rule.seen++;
      if (rule.seen < (rule.nth ?? 1)) continue;
      rule.left--;
      if (rule.kind === "hang-after") return () => this.hangUntilCleared(service, api);
      if (rule.kind === "hang") await this.hangUntilCleared(service, api);
      const errors = rule.kind === "throttle" ? THROTTLE : rule.kind === "deny" ? DENIED : INTERNAL;
      const [code, status] = errors[service]!;
      throw new AwsError(
        rule.error ?? code,
        rule.message ?? `injected by aws-local (${api} call ${rule.seen})`,
        rule.error === undefined ? status : 400,
      );
    }
    return undefined;
  }

  private async hangUntilCleared(service: string, api: string): Promise<never> {
    await this.cleared();
    const [code, status] = INTERNAL[service]!;
    throw new AwsError(code, `aws-local: ${api} hung until the faults were cleared`, status);
  }

  /** The fault for a query about to run, if a rule matches it. */
  queryFault(sql: string): QueryFaultOutcome | undefined {
    const rule = this.queries.find((q) => q.left > 0 && new RegExp(q.match).test(sql));
    if (rule === undefined) return undefined;
    rule.left--;
    if (rule.stall) return { stall: true };
    if (rule.queue) return { queued: this.cleared() };
    return {
      failure: new AthenaFailure(
        rule.athenaError ?? "GENERIC_INTERNAL_ERROR",
        rule.message ?? "injected by aws-local",
        {
          ...(rule.errorType !== undefined ? { errorType: rule.errorType } : {}),
          ...(rule.category !== undefined ? { category: rule.category } : {}),
          ...(rule.retryable !== undefined ? { retryable: rule.retryable } : {}),
        },
      ),
    };
  }
}
