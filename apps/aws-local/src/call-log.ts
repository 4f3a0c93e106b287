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
  /** S3.DeleteObjects: how many keys it named. */
  keys?: number;
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

  /**
   * Record an S3 REST call from its URL (path-style: `/bucket/key?prefix=...`): `bucket/key`,
   * `bucket/prefix` for a listing, and for DeleteObjects `bucket/` plus the longest common
   * prefix of the keys it names (`keys`: their number), so a batch of one table's objects is
   * that table's call and one shared by several tables is not any one table's.
   */
  addS3(operation: string, url: URL, keys?: readonly string[]): void {
    const prefix = url.searchParams.get("prefix") ?? (keys ? commonPrefix(keys) : undefined);
    // A path that does not decode is recorded as sent (the request is refused: InvalidURI).
    let path = url.pathname.slice(1);
    try {
      path = decodeURIComponent(path);
    } catch {
      // kept as sent
    }
    const resource = prefix ? `${path.replace(/\/+$/, "")}/${prefix}` : path;
    this.entries.push({
      api: `S3.${operation}`,
      resource,
      ...(keys === undefined ? {} : { keys: keys.length }),
    });
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

function commonPrefix(keys: readonly string[]): string {
  if (keys.length === 0) return "";
  let prefix = keys[0]!;
  for (const key of keys) while (!key.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
