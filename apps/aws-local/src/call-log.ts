/** One AWS call as the endpoint saw it: the API and the resource the request names. */
export interface LoggedCall {
  /** `<Service>.<Operation>`, as in the fault plan (`Glue.GetTable`, `S3.PutObject`). */
  api: string;
  /**
   * What the call is about: a query's SQL (Athena.StartQueryExecution), `database.table`
   * (Glue, `database` alone for database calls), `bucket/key` or `bucket/prefix` (S3), else "".
   */
  resource: string;
  /** Athena.StartQueryExecution: the id of the query it started (absent if it failed). */
  queryId?: string;
}

/**
 * The calls an endpoint answered, in order, for tests and benchmarks that count calls per
 * table (`GET /_aws-local/calls/log`; `DELETE /_aws-local/calls/log` empties it).
 *
 * @example
 * log.add("Glue", "GetTable", { DatabaseName: "db", Name: "t" }); // { api: "Glue.GetTable", resource: "db.t" }
 */
export class CallLog {
  readonly entries: LoggedCall[] = [];

  /** Record a JSON-protocol call (Athena, Glue) from its parsed input; returns the entry. */
  add(service: string, operation: string, input: Record<string, unknown>): LoggedCall {
    const entry: LoggedCall = { api: `${service}.${operation}`, resource: jsonResource(input) };
    this.entries.push(entry);
    return entry;
  }

  /** Record an S3 REST call from its URL (path-style: `/bucket/key?prefix=...`). */
  addS3(operation: string, url: URL): void {
    const prefix = url.searchParams.get("prefix");
    const path = decodeURIComponent(url.pathname.slice(1));
    this.entries.push({ api: `S3.${operation}`, resource: prefix ? `${path}/${prefix}` : path });
  }

  clear(): void {
    this.entries.length = 0;
  }
}

function jsonResource(input: Record<string, unknown>): string {
  if (typeof input["QueryString"] === "string") return input["QueryString"];
  const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  const tableInput = input["TableInput"] as Record<string, unknown> | undefined;
  const database = text(input["DatabaseName"]);
  const table = text(input["TableName"]) ?? text(input["Name"]) ?? text(tableInput?.["Name"]);
  if (database === undefined) return table ?? "";
  return table === undefined ? database : `${database}.${table}`;
}
