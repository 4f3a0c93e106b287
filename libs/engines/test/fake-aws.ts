/* eslint-disable @typescript-eslint/no-explicit-any -- the fake mirrors untyped wire shapes */
import type { Partition, Table } from "@aws-sdk/client-glue";
import type { AthenaTarget } from "@sluice/project";
import type { AthenaClients } from "../src/athena/athena-clients.js";

/** One recorded client call. */
export interface Call {
  service: "athena" | "glue" | "s3";
  command: string;
  input: Record<string, any>;
}

/** How a started query behaves: the states GetQueryExecution reports, one per poll (last one sticks). */
export interface QueryScript {
  states: ("QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED")[];
  athenaError?: { ErrorCategory?: number; ErrorType?: number; ErrorMessage?: string };
  stateChangeReason?: string;
  statementType?: "DDL" | "DML" | "UTILITY";
  substatementType?: string;
  statistics?: {
    DataScannedInBytes?: number;
    EngineExecutionTimeInMillis?: number;
    DataManifestLocation?: string;
  };
  columns?: { Name: string; Type: string }[];
  /** Result rows as strings (null = SQL NULL), header excluded; the fake adds the header for SELECTs. */
  rows?: (string | null)[][];
  pageSize?: number;
  updateCount?: number;
}

/** The prod target the engine tests open against the fake clients. */
export const fakeAthenaTarget = (overrides: Partial<AthenaTarget> = {}): AthenaTarget => ({
  engine: "athena",
  region: "eu-west-1",
  workgroup: "sluice",
  s3_staging_dir: "s3://results/sluice/",
  s3_lake_root: "s3://lake",
  databases: { silver: "ecommerce_silver" },
  threads: 4,
  ...overrides,
});

export const awsError = (name: string, message = name) =>
  Object.assign(new Error(message), { name });

/**
 * A faithful-enough fake of the Athena, Glue and S3 calls the engine makes: query state over
 * time, paginated results with a header row, Glue tables and partitions with the real batch
 * limits, S3 listing in 1,000-key pages and DeleteObjects capped at 1,000 keys.
 */
export class FakeAws {
  readonly calls: Call[] = [];
  readonly scripts: QueryScript[] = [];
  readonly tables = new Map<string, Table>();
  readonly partitions = new Map<string, Partition[]>();
  readonly objects = new Map<string, Set<string>>();
  /** Contents of the objects GetObject reads, by `bucket/key`. */
  readonly bodies = new Map<string, string>();
  /** Errors to throw before the next calls of a command, in order. */
  readonly failNext = new Map<string, Error[]>();
  /** Per-command hook that may return a response override (e.g. Glue `Errors`). */
  readonly respond = new Map<string, (input: any) => unknown>();
  /** Glue databases that exist (GetDatabase); empty = every database exists. */
  readonly databases = new Set<string>();
  /** Athena workgroups (GetWorkGroup). */
  readonly workgroups = new Map<string, any>();
  /** Called before each call (already recorded): an error returned is thrown as that call's failure. */
  failWhen?: (call: Call, index: number) => Error | undefined;
  /** Decides the script of a query when `scripts` is empty (a fake that answers by SQL). */
  scriptFor?: (sql: string) => QueryScript;
  private readonly queries = new Map<
    string,
    { script: QueryScript; polls: number; stopped: boolean }
  >();

  readonly clients: AthenaClients = {
    athena: { send: (command: any) => this.dispatch("athena", command) } as AthenaClients["athena"],
    glue: { send: (command: any) => this.dispatch("glue", command) } as AthenaClients["glue"],
    s3: { send: (command: any) => this.dispatch("s3", command) } as AthenaClients["s3"],
  };

  commands(service?: Call["service"]): string[] {
    return this.calls
      .filter((c) => service === undefined || c.service === service)
      .map((c) => c.command);
  }

  putTable(database: string, table: Table, partitions: Partition[] = []): void {
    this.tables.set(`${database}.${table.Name}`, { ...table, DatabaseName: database });
    if (partitions.length > 0) this.partitions.set(`${database}.${table.Name}`, partitions);
  }

  putObject(bucket: string, key: string, body: string): void {
    this.putObjects(bucket, [key]);
    this.bodies.set(`${bucket}/${key}`, body);
  }

  putObjects(bucket: string, keys: string[]): void {
    const set = this.objects.get(bucket) ?? new Set<string>();
    for (const key of keys) set.add(key);
    this.objects.set(bucket, set);
  }

  private async dispatch(
    service: Call["service"],
    command: { input: any; constructor: { name: string } },
  ): Promise<any> {
    const name = command.constructor.name.replace(/Command$/, "");
    const input = command.input;
    this.calls.push({ service, command: name, input });
    const failure =
      this.failNext.get(name)?.shift() ??
      this.failWhen?.(this.calls.at(-1)!, this.calls.length - 1);
    if (failure) throw failure;
    const override = this.respond.get(name)?.(input);
    if (override !== undefined) return override;
    const handler = (this as any)[name] as ((input: any) => unknown) | undefined;
    if (!handler) throw new Error(`fake: ${service} ${name} not implemented`);
    return handler.call(this, input);
  }

  // Athena ------------------------------------------------------------------------------------
  StartQueryExecution(input: any) {
    const script = this.scripts.shift() ?? this.scriptFor?.(input.QueryString);
    if (!script) throw new Error(`fake: no script for query ${input.QueryString}`);
    const id = `q-${this.queries.size + 1}`;
    this.queries.set(id, { script, polls: 0, stopped: false });
    return { QueryExecutionId: id };
  }

  GetQueryExecution(input: any) {
    const q = this.query(input.QueryExecutionId);
    const state = q.stopped
      ? "CANCELLED"
      : q.script.states[Math.min(q.polls, q.script.states.length - 1)];
    q.polls++;
    return {
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        StatementType: q.script.statementType ?? "DML",
        SubstatementType: q.script.substatementType,
        Status: {
          State: state,
          StateChangeReason: q.script.stateChangeReason,
          AthenaError: state === "FAILED" ? q.script.athenaError : undefined,
        },
        Statistics: q.script.statistics,
      },
    };
  }

  GetQueryResults(input: any) {
    const { script } = this.query(input.QueryExecutionId);
    const columns = script.columns ?? [];
    const isSelect = (script.substatementType ?? "SELECT") === "SELECT";
    const all = [...(isSelect ? [columns.map((c) => c.Name)] : []), ...(script.rows ?? [])];
    const size = Math.min(input.MaxResults ?? 1000, script.pageSize ?? 1000);
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const page = all.slice(start, start + size);
    return {
      UpdateCount: script.updateCount ?? 0,
      NextToken: start + size < all.length ? String(start + size) : undefined,
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: columns.map((c) => ({ Name: c.Name, Label: c.Name, Type: c.Type })),
        },
        Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
      },
    };
  }

  GetWorkGroup(input: any) {
    const workgroup = this.workgroups.get(input.WorkGroup);
    if (!workgroup)
      throw awsError("InvalidRequestException", `WorkGroup ${input.WorkGroup} is not found.`);
    return { WorkGroup: workgroup };
  }

  /** As Athena: stopping a query that already finished changes nothing (it stays SUCCEEDED). */
  StopQueryExecution(input: any) {
    const q = this.query(input.QueryExecutionId);
    const now = q.script.states[Math.min(q.polls, q.script.states.length - 1)];
    if (now === "QUEUED" || now === "RUNNING") q.stopped = true;
    return {};
  }

  private query(id: string) {
    const q = this.queries.get(id);
    if (!q) throw awsError("InvalidRequestException", `unknown query ${id}`);
    return q;
  }

  // Glue --------------------------------------------------------------------------------------
  GetTable(input: any) {
    const table = this.tables.get(`${input.DatabaseName}.${input.Name}`);
    if (!table) throw awsError("EntityNotFoundException", `Table ${input.Name} not found.`);
    return { Table: structuredClone(table) };
  }

  GetDatabase(input: any) {
    if (this.databases.size > 0 && !this.databases.has(input.Name))
      throw awsError("EntityNotFoundException", `Database ${input.Name} not found.`);
    return { Database: { Name: input.Name } };
  }

  /** The databases that exist, or (none declared) those holding a table; one page. */
  GetDatabases() {
    const names =
      this.databases.size > 0
        ? [...this.databases]
        : [...new Set([...this.tables.keys()].map((k) => k.split(".")[0]!))];
    return { DatabaseList: names.sort().map((Name) => ({ Name })) };
  }

  CreateDatabase(input: any) {
    const name = input.DatabaseInput?.Name as string;
    if (this.databases.size === 0 || this.databases.has(name))
      throw awsError("AlreadyExistsException", `Database ${name} already exists.`);
    this.databases.add(name);
    return {};
  }

  GetTables(input: any) {
    if (this.databases.size > 0 && !this.databases.has(input.DatabaseName))
      throw awsError("EntityNotFoundException", `Database ${input.DatabaseName} not found.`);
    const pattern = new RegExp(`^(?:${input.Expression ?? ".*"})$`);
    const all = [...this.tables.values()].filter(
      (t) => t.DatabaseName === input.DatabaseName && pattern.test(t.Name ?? ""),
    );
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const size = Math.min(input.MaxResults ?? 100, 100);
    return {
      TableList: structuredClone(all.slice(start, start + size)),
      NextToken: start + size < all.length ? String(start + size) : undefined,
    };
  }

  BatchGetPartition(input: any) {
    this.limit("PartitionsToGet", input.PartitionsToGet, 1000);
    const list = this.partitionList(input);
    const found = list.filter((q) =>
      input.PartitionsToGet.some((g: any) => same(g.Values, q.Values)),
    );
    // Missing partitions are simply absent (UnprocessedKeys is for throttled keys).
    return { Partitions: structuredClone(found), UnprocessedKeys: [] };
  }

  CreateTable(input: any) {
    const key = `${input.DatabaseName}.${input.TableInput.Name}`;
    if (this.tables.has(key))
      throw awsError("AlreadyExistsException", `Table ${key} already exists.`);
    this.tables.set(key, {
      ...structuredClone(input.TableInput),
      DatabaseName: input.DatabaseName,
    });
    return {};
  }

  UpdateTable(input: any) {
    const key = `${input.DatabaseName}.${input.TableInput.Name}`;
    if (!this.tables.has(key)) throw awsError("EntityNotFoundException", `Table ${key} not found.`);
    this.tables.set(key, {
      ...structuredClone(input.TableInput),
      DatabaseName: input.DatabaseName,
    });
    return {};
  }

  DeleteTable(input: any) {
    const key = `${input.DatabaseName}.${input.Name}`;
    if (!this.tables.delete(key))
      throw awsError("EntityNotFoundException", `Table ${key} not found.`);
    this.partitions.delete(key);
    return {};
  }

  BatchDeleteTable(input: any) {
    this.limit("TablesToDelete", input.TablesToDelete, 100);
    const Errors: any[] = [];
    for (const name of input.TablesToDelete as string[]) {
      const key = `${input.DatabaseName}.${name}`;
      if (this.tables.delete(key)) this.partitions.delete(key);
      else
        Errors.push({
          TableName: name,
          ErrorDetail: {
            ErrorCode: "EntityNotFoundException",
            ErrorMessage: `Table ${key} not found.`,
          },
        });
    }
    return { Errors };
  }

  GetPartitions(input: any) {
    const key = `${input.DatabaseName}.${input.TableName}`;
    if (!this.tables.has(key)) throw awsError("EntityNotFoundException", `Table ${key} not found.`);
    const all = this.partitions.get(key) ?? [];
    const size = Math.min(input.MaxResults ?? 1000, 1000);
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    return {
      Partitions: structuredClone(all.slice(start, start + size)),
      NextToken: start + size < all.length ? String(start + size) : undefined,
    };
  }

  BatchCreatePartition(input: any) {
    this.limit("PartitionInputList", input.PartitionInputList, 100);
    const list = this.partitionList(input);
    const Errors: any[] = [];
    for (const p of input.PartitionInputList) {
      if (list.some((q) => same(q.Values, p.Values))) {
        Errors.push({
          PartitionValues: p.Values,
          ErrorDetail: {
            ErrorCode: "AlreadyExistsException",
            ErrorMessage: "Partition already exists.",
          },
        });
      } else list.push(structuredClone(p));
    }
    return { Errors };
  }

  BatchUpdatePartition(input: any) {
    this.limit("Entries", input.Entries, 100);
    const list = this.partitionList(input);
    const Errors: any[] = [];
    for (const e of input.Entries) {
      const i = list.findIndex((q) => same(q.Values, e.PartitionValueList));
      if (i < 0)
        Errors.push({
          PartitionValueList: e.PartitionValueList,
          ErrorDetail: {
            ErrorCode: "EntityNotFoundException",
            ErrorMessage: "Partition not found.",
          },
        });
      else list[i] = structuredClone(e.PartitionInput);
    }
    return { Errors };
  }

  BatchDeletePartition(input: any) {
    this.limit("PartitionsToDelete", input.PartitionsToDelete, 25);
    const key = `${input.DatabaseName}.${input.TableName}`;
    const list = this.partitionList(input);
    const Errors: any[] = [];
    const remaining = list.filter(
      (q) => !input.PartitionsToDelete.some((d: any) => same(d.Values, q.Values)),
    );
    for (const d of input.PartitionsToDelete) {
      if (!list.some((q) => same(q.Values, d.Values)))
        Errors.push({
          PartitionValues: d.Values,
          ErrorDetail: { ErrorCode: "EntityNotFoundException" },
        });
    }
    this.partitions.set(key, remaining);
    return { Errors };
  }

  private partitionList(input: any): Partition[] {
    const key = `${input.DatabaseName}.${input.TableName}`;
    if (!this.tables.has(key)) throw awsError("EntityNotFoundException", `Table ${key} not found.`);
    const list = this.partitions.get(key) ?? [];
    this.partitions.set(key, list);
    return list;
  }

  private limit(member: string, items: unknown[], max: number) {
    if (items.length < 1 || items.length > max) {
      throw awsError(
        "ValidationException",
        `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
      );
    }
  }

  // S3 ----------------------------------------------------------------------------------------
  ListObjectsV2(input: any) {
    const keys = [...(this.objects.get(input.Bucket) ?? [])]
      .filter((k) => k.startsWith(input.Prefix ?? ""))
      .sort();
    const start =
      input.ContinuationToken === undefined
        ? 0
        : keys.findIndex((k) => k > input.ContinuationToken);
    const page = start < 0 ? [] : keys.slice(start, start + Math.min(input.MaxKeys ?? 1000, 1000));
    const truncated = start >= 0 && start + page.length < keys.length;
    return {
      Contents: page.map((Key) => ({ Key })),
      IsTruncated: truncated,
      NextContinuationToken: truncated ? page.at(-1) : undefined,
      KeyCount: page.length,
    };
  }

  GetObject(input: any) {
    const body = this.bodies.get(`${input.Bucket}/${input.Key}`);
    if (body === undefined || !this.objects.get(input.Bucket)?.has(input.Key))
      throw awsError("NoSuchKey", "The specified key does not exist.");
    return { Body: { transformToString: async () => body } };
  }

  DeleteObjects(input: any) {
    const objects = input.Delete.Objects as { Key: string }[];
    if (objects.length > 1000)
      throw awsError(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
      );
    const set = this.objects.get(input.Bucket) ?? new Set<string>();
    for (const { Key } of objects) set.delete(Key);
    return { Errors: [] };
  }
}

const same = (a: string[] | undefined, b: string[] | undefined) =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
