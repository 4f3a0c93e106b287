// A fake of the Athena, Glue and S3 client slices (`{ send }`) that answers like the services
// and takes a realistic time per call: StartQueryExecution 80 ms, GetQueryExecution and
// GetQueryResults 40 ms, Glue 30-60 ms, S3 30-50 ms. A query stays RUNNING for the time
// `runMs(sql)` gives it. Every call is recorded with the node it serves (by table name or
// query id) and its service time, so a benchmark can compute per-node latencies.

/** Deterministic jitter (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const awsError = (name, message = name) => Object.assign(new Error(message), { name });
const modelOf = (table) => String(table).replace(/__sluice_.*$/, "");

export class LatencyAws {
  /** @param {{ runMs: (sql: string) => number, seed?: number }} options */
  constructor(options) {
    this.runMs = options.runMs;
    this.random = rng(options.seed ?? 7);
    /** @type {{ service: string, command: string, node?: string, ms: number, final?: boolean }[]} */
    this.calls = [];
    this.tables = new Map();
    this.objects = new Map();
    this.queries = new Map();
    const client = (service) => ({ send: (command) => this.dispatch(service, command) });
    this.clients = { athena: client("athena"), glue: client("glue"), s3: client("s3") };
  }

  latency(service, command) {
    if (service === "athena") return command === "StartQueryExecution" ? 80 : 40;
    return service === "glue" ? 30 + 30 * this.random() : 30 + 20 * this.random();
  }

  async dispatch(service, command) {
    const name = command.constructor.name.replace(/Command$/, "");
    const ms = this.latency(service, name);
    await wait(ms);
    const call = { service, command: name, ms };
    this.calls.push(call);
    return this[name](command.input, call);
  }

  // Athena ------------------------------------------------------------------------------------
  StartQueryExecution(input, call) {
    const sql = input.QueryString;
    const id = `q${this.queries.size + 1}`;
    const ctas = /^CREATE TABLE "([^"]+)"\."([^"]+)"[\s\S]*?external_location = '([^']+)'/.exec(
      sql,
    );
    const node = ctas ? modelOf(ctas[2]) : /^CREATE DATABASE/.test(sql) ? "schemas" : undefined;
    const runMs = this.runMs(sql, node);
    this.queries.set(id, {
      sql,
      node,
      ctas,
      doneAt: performance.now() + runMs,
      runMs,
      finished: false,
    });
    call.node = node;
    call.runMs = runMs;
    return { QueryExecutionId: id };
  }

  GetQueryExecution(input, call) {
    const q = this.queries.get(input.QueryExecutionId);
    call.node = q.node;
    const done = performance.now() >= q.doneAt;
    if (done && !q.finished) {
      q.finished = true;
      call.final = true;
      if (q.ctas) this.finishCtas(q.ctas);
    }
    return {
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        StatementType: "DDL",
        SubstatementType: q.ctas ? "CREATE_TABLE_AS_SELECT" : "CREATE_DATABASE",
        Status: { State: done ? "SUCCEEDED" : "RUNNING" },
        Statistics: { DataScannedInBytes: 50_000_000, EngineExecutionTimeInMillis: q.runMs },
      },
    };
  }

  GetQueryResults(input, call) {
    call.node = this.queries.get(input.QueryExecutionId).node;
    return {
      UpdateCount: 100,
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: "rows", Type: "bigint" }] },
        Rows: [{ Data: [{ VarCharValue: "100" }] }],
      },
    };
  }

  finishCtas([, database, name, location]) {
    this.tables.set(`${database}.${name}`, {
      Name: name,
      DatabaseName: database,
      TableType: "EXTERNAL_TABLE",
      Parameters: { classification: "parquet" },
      PartitionKeys: [],
      StorageDescriptor: { Location: location, Columns: [{ Name: "id", Type: "bigint" }] },
    });
    const { bucket, prefix } = parse(location);
    this.put(bucket, [`${prefix}part-0.parquet`, `${prefix}part-1.parquet`]);
  }

  // Glue --------------------------------------------------------------------------------------
  GetTables(input) {
    const pattern = new RegExp(`^(?:${input.Expression ?? ".*"})$`);
    return {
      TableList: [...this.tables.values()]
        .filter((t) => t.DatabaseName === input.DatabaseName && pattern.test(t.Name))
        .map((t) => structuredClone(t)),
    };
  }

  GetTable(input, call) {
    call.node = modelOf(input.Name);
    const table = this.tables.get(`${input.DatabaseName}.${input.Name}`);
    if (!table) throw awsError("EntityNotFoundException", `Table ${input.Name} not found.`);
    return { Table: structuredClone(table) };
  }

  UpdateTable(input, call) {
    call.node = modelOf(input.TableInput.Name);
    const key = `${input.DatabaseName}.${input.TableInput.Name}`;
    if (!this.tables.has(key)) throw awsError("EntityNotFoundException", `Table ${key} not found.`);
    this.tables.set(key, {
      ...structuredClone(input.TableInput),
      DatabaseName: input.DatabaseName,
    });
    return {};
  }

  CreateTable(input, call) {
    call.node = modelOf(input.TableInput.Name);
    this.tables.set(`${input.DatabaseName}.${input.TableInput.Name}`, {
      ...structuredClone(input.TableInput),
      DatabaseName: input.DatabaseName,
    });
    return {};
  }

  DeleteTable(input, call) {
    call.node = modelOf(input.Name);
    this.tables.delete(`${input.DatabaseName}.${input.Name}`);
    return {};
  }

  BatchDeleteTable(input) {
    if (input.TablesToDelete.length > 100)
      throw awsError("ValidationException", "TablesToDelete: at most 100");
    for (const name of input.TablesToDelete) this.tables.delete(`${input.DatabaseName}.${name}`);
    return { Errors: [] };
  }

  GetPartitions() {
    return { Partitions: [] };
  }

  // S3 ----------------------------------------------------------------------------------------
  put(bucket, keys) {
    const set = this.objects.get(bucket) ?? new Set();
    for (const key of keys) set.add(key);
    this.objects.set(bucket, set);
  }

  ListObjectsV2(input, call) {
    call.node = undefined;
    const keys = [...(this.objects.get(input.Bucket) ?? [])]
      .filter((k) => k.startsWith(input.Prefix ?? ""))
      .sort();
    return {
      Contents: keys.slice(0, 1000).map((Key) => ({ Key })),
      IsTruncated: false,
      KeyCount: Math.min(keys.length, 1000),
    };
  }

  DeleteObjects(input) {
    if (input.Delete.Objects.length > 1000) throw awsError("MalformedXML");
    const set = this.objects.get(input.Bucket) ?? new Set();
    for (const { Key } of input.Delete.Objects) set.delete(Key);
    return { Errors: [] };
  }
}

function parse(location) {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  return { bucket: m[1], prefix: m[2].replace(/\/?$/, "/") };
}
