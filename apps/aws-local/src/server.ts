import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { AthenaApi } from "./athena-api.js";
import { AwsError } from "./aws-error.js";
import { CallLog } from "./call-log.js";
import { Faults, type FaultPlan } from "./faults.js";
import { GlueCatalog, type GlueSnapshot } from "./glue-catalog.js";
import { allowedHost, hostRefusal } from "./host-guard.js";
import { deletedKeys, s3ErrorReply, s3Operation, s3Request } from "./s3-api.js";
import { S3Store } from "./s3-store.js";
import { SqlEngine } from "./sql-engine.js";

/** Settings of `sluice athena-local`. */
export interface AthenaLocalOptions {
  /** Buckets live here as folders: `s3://b/k` is `<dir>/b/k`. */
  dir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** How long a query takes at least, QUEUED then RUNNING (default 50 ms). */
  latencyMs?: number;
  /** Faults to start with (also settable at run time through `POST /_aws-local/faults`). */
  faults?: FaultPlan;
}

/** A running endpoint. */
export interface AthenaLocal {
  /** e.g. `http://127.0.0.1:4599`: the `endpoint` of a sluice target. */
  url: string;
  port: number;
  faults: Faults;
  /** Every AWS call answered, in order (also `GET /_aws-local/calls/log`). */
  calls: CallLog;
  glue: GlueCatalog;
  close(): Promise<void>;
}

const JSON_11 = "application/x-amz-json-1.1";
const SERVICES: Record<string, string> = { AmazonAthena: "Athena", AWSGlue: "Glue" };

/**
 * Start one loopback endpoint answering Athena and Glue (JSON 1.1, `X-Amz-Target`) and S3
 * (REST, path-style) like AWS, with SQL executed on DuckDB over the buckets in `dir`.
 * Signatures are not checked; a request whose Host names another machine than the one listened on
 * is refused (403: see host-guard.ts), control requests included. Control: `POST /_aws-local/faults` (a {@link FaultPlan};
 * `?replace=true` drops earlier rules), `DELETE /_aws-local/faults`, `GET /_aws-local/faults` (rules with what they have left), `GET /_aws-local/calls` (counts per API),
 * `GET|DELETE /_aws-local/calls/log` (each call in order, see {@link CallLog}).
 *
 * @example
 * const local = await startAthenaLocal({ dir: "/tmp/lake" });
 * // sluice.yml target: { engine: athena, endpoint: local.url, ... }
 * await local.close();
 */
export async function startAthenaLocal(options: AthenaLocalOptions): Promise<AthenaLocal> {
  const dir = path.resolve(options.dir);
  const workDir = path.join(dir, ".aws-local");
  await mkdir(workDir, { recursive: true });
  const store = new S3Store(dir);
  // The catalog outlives a restart, like the buckets: saved to <dir>/.aws-local/glue.json.
  const catalogFile = path.join(workDir, "glue.json");
  const saved = await readFile(catalogFile, "utf8").then(
    (text) => JSON.parse(text) as GlueSnapshot,
    () => undefined,
  );
  const glue = saved === undefined ? new GlueCatalog() : GlueCatalog.restore(saved);
  let dirty = false;
  // Polls (GetQueryExecution) mark the catalog dirty too, since a query may have changed it: a
  // catalog whose text did not change is not written again (a build polls every few ms).
  let written = saved === undefined ? undefined : JSON.stringify(saved);
  const write = async () => {
    if (!dirty) return;
    dirty = false;
    const text = JSON.stringify(glue.snapshot());
    if (text === written) return;
    await writeFile(`${catalogFile}.tmp`, text);
    await rename(`${catalogFile}.tmp`, catalogFile);
    written = text;
  };
  // One save at a time: the interval's and close()'s raced on the .tmp file (ENOENT on rename).
  let saving = Promise.resolve();
  const save = (): Promise<void> => (saving = saving.catch(() => undefined).then(write));
  const saver = setInterval(() => void save().catch(() => (dirty = true)), 250);
  saver.unref();
  const faults = new Faults();
  const calls = new CallLog();
  if (options.faults) faults.set(options.faults);
  const sql = new SqlEngine(store, glue, path.join(workDir, "tmp"));
  const athena = new AthenaApi(sql, faults, options.latencyMs ?? 50);
  const json: Record<string, Record<string, (body: Record<string, unknown>) => unknown>> = {
    Athena: athena.operations,
    Glue: glue.operations,
  };

  const listen = options.host ?? "127.0.0.1";
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHost(req.headers.host, listen)) {
      req.resume();
      return replyJson(res, 403, {
        __type: "AccessDeniedException",
        Message: hostRefusal(req.headers.host, listen, "aws-local"),
      });
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/_aws-local/")) return control(req, res, url, body);
    const target = req.headers["x-amz-target"];
    if (target !== undefined) {
      const [prefix = "", operation = ""] = String(target).split(".");
      const service = SERVICES[prefix];
      try {
        const op = service === undefined ? undefined : json[service]![operation];
        if (req.method !== "POST" || op === undefined)
          throw new AwsError(
            "UnknownOperationException",
            `aws-local does not implement ${String(target)}`,
          );
        let input: Record<string, unknown>;
        try {
          input = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
        } catch {
          throw new AwsError("SerializationException", "request body is not JSON");
        }
        const logged = calls.add(service!, operation, input);
        const hangAfter = await faults.onCall(service!, operation, input);
        // A query or a Glue write may change the catalog.
        if (service === "Athena" || !operation.startsWith("Get")) dirty = true;
        const reply = (await op(input)) as { QueryExecutionId?: unknown } | undefined;
        await hangAfter?.();
        if (typeof reply?.QueryExecutionId === "string") logged.queryId = reply.QueryExecutionId;
        return replyJson(res, 200, reply);
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        return replyJson(
          res,
          error.status,
          { __type: error.code, Message: error.message, message: error.message, ...error.extra },
          error.code,
        );
      }
    }
    try {
      const operation = s3Operation(req.method ?? "GET", url);
      calls.addS3(
        operation,
        url,
        operation === "DeleteObjects" ? deletedKeys(req, body) : undefined,
      );
      const hangAfter = await faults.onCall("S3", operation);
      const reply = await s3Request(store, req, url, body);
      await hangAfter?.();
      res.writeHead(reply.status, { "x-amz-request-id": "local", ...reply.headers });
      res.end(req.method === "HEAD" ? undefined : reply.body);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      const reply = s3ErrorReply(error, url.pathname);
      res.writeHead(reply.status, reply.headers);
      res.end(req.method === "HEAD" ? undefined : reply.body);
    }
  }

  function control(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    try {
      if (url.pathname === "/_aws-local/faults" && req.method === "POST") {
        faults.set(
          JSON.parse(body.toString("utf8")) as FaultPlan,
          url.searchParams.get("replace") === "true",
        );
        return replyJson(res, 200, { ok: true });
      }
      if (url.pathname === "/_aws-local/faults" && req.method === "DELETE") {
        faults.clear();
        return replyJson(res, 200, { ok: true });
      }
      if (url.pathname === "/_aws-local/faults" && req.method === "GET")
        return replyJson(res, 200, faults.pending());
      if (url.pathname === "/_aws-local/calls" && req.method === "GET")
        return replyJson(res, 200, faults.counts);
      if (url.pathname === "/_aws-local/calls/log" && req.method === "GET")
        return replyJson(res, 200, calls.entries);
      if (url.pathname === "/_aws-local/calls/log" && req.method === "DELETE") {
        calls.clear();
        return replyJson(res, 200, { ok: true });
      }
      replyJson(res, 404, {
        __type: "UnknownOperationException",
        Message: `no control ${req.method} ${url.pathname}`,
      });
    } catch (error) {
      replyJson(res, 400, {
        __type: "ValidationException",
        Message: error instanceof Error ? error.message : String(error),
      });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        replyJson(res, 500, {
          __type: "InternalFailure",
          Message: error instanceof Error ? error.message : String(error),
        });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, listen, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${listen}:${port}`,
    port,
    faults,
    calls,
    glue,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await athena.idle();
      await sql.close();
      clearInterval(saver);
      dirty = true;
      await save();
      await rm(path.join(workDir, "tmp"), { recursive: true, force: true });
    },
  };
}

function replyJson(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": JSON_11,
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": "local",
    ...(errorType ? { "x-amzn-ErrorType": errorType } : {}),
  });
  res.end(text);
}
