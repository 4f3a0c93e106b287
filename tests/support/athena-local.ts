import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { spawnTracked } from "./child-processes.js";
import { cliEnv, copyModelsProject, repoRoot, runSluice, type CliRun } from "./cli.js";

/** Any credentials: the endpoint does not check signatures. */
export const awsEnv = {
  AWS_ACCESS_KEY_ID: "local",
  AWS_SECRET_ACCESS_KEY: "local",
  NODE_NO_WARNINGS: "1",
};

const bin = path.join(repoRoot, "apps/cli/bin/sluice.js");

/**
 * The `poll_interval` (seconds) of every test target on athena-local: it answers a query in
 * milliseconds, and the default 0.1 s first wait would make each statement idle ~100 ms.
 * Measured (tests/bench/test-spawns.mjs, BENCH_ONLY=poll, load 3): 0.01 gives 0.97x the wall
 * time for 1.30x the CLI's CPU (4x the GetQueryExecution calls); 0.04 gives 0.95x for 1.06x.
 * The suite is CPU-bound on 2 cores, so CPU counts.
 */
export const FAST_POLL_SECONDS = 0.04;

export interface Endpoint {
  url: string;
  child: ChildProcess;
  stopped: Promise<{ code: number | null; stdout: string }>;
  /** SIGTERM, then wait for it to exit. */
  stop(): Promise<void>;
}

/**
 * Start the built `sluice athena-local` on a free port over `dir` (the buckets of the models
 * project's `prod` target are created in it: s3_lake_root s3://sluice-lake, s3_staging_dir
 * s3://sluice-athena-results/queries/); resolves with its URL once it listens.
 */
export async function startEndpoint(dir: string, latencyMs = 5): Promise<Endpoint> {
  await mkdir(path.join(dir, "sluice-lake"), { recursive: true });
  await mkdir(path.join(dir, "sluice-athena-results"), { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawnTracked(
      process.execPath,
      [bin, "athena-local", "--dir", dir, "--latency-ms", String(latencyMs)],
      { env: { ...process.env, ...awsEnv }, until: "file" },
    );
    let stdout = "";
    const stopped = new Promise<{ code: number | null; stdout: string }>((done) =>
      child.on("close", (code) => done({ code, stdout })),
    );
    const stop = async () => {
      child.kill("SIGTERM");
      await stopped;
    };
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url) resolve({ url, child, stopped, stop });
    });
    child.on("error", reject);
    void stopped.then(({ code }) =>
      reject(new Error(`athena-local exited (${code}) before listening: ${stdout}`)),
    );
  });
}

/**
 * A copy of the models project whose `prod` target points at a fresh `sluice athena-local`
 * (buckets `sluice-lake` and `sluice-athena-results` as folders of `aws`), with `extra` lines
 * added to the target (e.g. `build_lease_seconds: 2`).
 */
export async function athenaLocalProject(
  options: { latencyMs?: number; extra?: string } = {},
): Promise<{
  dir: string;
  aws: string;
  endpoint: Endpoint;
  sluice: (...args: string[]) => Promise<CliRun>;
  start: (...args: string[]) => ChildProcess & { done: Promise<CliRun> };
  cleanup: () => Promise<void>;
}> {
  const project = await copyModelsProject();
  const aws = await mkdtemp(path.join(os.tmpdir(), "sluice-aws-local-"));
  const endpoint = await startEndpoint(aws, options.latencyMs);
  await pointProdAt(project.dir, endpoint.url, options.extra);
  const args = (rest: string[]) => ["--project-dir", project.dir, ...rest];
  return {
    dir: project.dir,
    aws,
    endpoint,
    sluice: (...rest) => runSluice(args(rest), { env: awsEnv }),
    start: (...rest) => spawnSluice(args(rest)),
    cleanup: async () => {
      endpoint.child.kill("SIGTERM");
      // A query a killed build left stalled keeps it busy: do not wait for it long.
      const late = setTimeout(() => endpoint.child.kill("SIGKILL"), 5000);
      await endpoint.stopped;
      clearTimeout(late);
      await project.cleanup();
      await rm(aws, { recursive: true, force: true });
    },
  };
}

/** Spawn the CLI without waiting, for signals mid-run; `done` resolves when it exits. */
function spawnSluice(args: readonly string[]): ChildProcess & { done: Promise<CliRun> } {
  const child = spawnTracked(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...cliEnv, ...awsEnv },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) =>
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal === "SIGKILL" ? 137 : -1), stdout, stderr }),
    ),
  );
  return Object.assign(child, { done });
}

/** One call of the endpoint's JSON protocols (Glue `AWSGlue.Op`, Athena `AmazonAthena.Op`). */
export async function awsCall<T = Record<string, unknown>>(
  url: string,
  target: string,
  body: Record<string, unknown>,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** The members of a Glue `Table` that its `TableInput` takes back. */
const TABLE_INPUT = ["Name", "Description", "Owner", "Retention", "StorageDescriptor"] as const;
const TABLE_INPUT_MORE = ["PartitionKeys", "ViewOriginalText", "TableType", "Parameters"] as const;

/**
 * Make the next build rewrite a table it would leave unchanged: drop the fingerprint of its
 * inputs (`sluice_inputs`) from its Glue entry, as a changed upstream would. For tests that
 * exercise the write path of a build with no new raw data.
 */
export async function forgetBuildInputs(
  url: string,
  database: string,
  name: string,
): Promise<void> {
  await forgetParameter(url, database, name, "sluice_inputs");
}

/**
 * Remove one parameter from a table's Glue entry (GetTable, then UpdateTable with the rest), as
 * a table written by an older sluice lacks it. Returns the value it had.
 */
export async function forgetParameter(
  url: string,
  database: string,
  name: string,
  parameter: string,
): Promise<string | undefined> {
  const got = await awsCall<{
    Table: Record<string, unknown> & { Parameters?: Record<string, string> };
  }>(url, "AWSGlue.GetTable", { DatabaseName: database, Name: name });
  if (got.status !== 200) throw new Error(`GetTable ${database}.${name}: ${got.status}`);
  const table = got.body.Table;
  const input: Record<string, unknown> = {};
  for (const k of [...TABLE_INPUT, ...TABLE_INPUT_MORE])
    if (table[k] !== undefined) input[k] = table[k];
  const parameters = { ...(table.Parameters ?? {}) };
  const had = parameters[parameter];
  delete parameters[parameter];
  input["Parameters"] = parameters;
  const put = await awsCall(url, "AWSGlue.UpdateTable", {
    DatabaseName: database,
    TableInput: input,
  });
  if (put.status !== 200)
    throw new Error(`UpdateTable ${database}.${name}: ${JSON.stringify(put.body)}`);
  return had;
}

/**
 * {@link forgetBuildInputs} of every published table in `databases` (staging tables left as
 * they are): the next build writes every table again, as new raw data would make it.
 */
export async function forgetAllBuildInputs(url: string, databases: readonly string[]) {
  for (const db of databases)
    for (const table of await glueTables(url, db))
      if (!table.Name.includes("__sluice_")) await forgetBuildInputs(url, db, table.Name);
}

/** Endpoint control: set a fault plan (replacing earlier rules), or read the per-API counts. */
export async function setFaults(url: string, plan: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${url}/_aws-local/faults?replace=true`, {
    method: "POST",
    body: JSON.stringify(plan),
  });
  if (!res.ok) throw new Error(`fault plan refused: ${await res.text()}`);
}

export async function callCounts(url: string): Promise<Record<string, number>> {
  return (await (await fetch(`${url}/_aws-local/calls`)).json()) as Record<string, number>;
}

export interface GlueTableEntry {
  Name: string;
  Parameters?: Record<string, string>;
  StorageDescriptor?: { Location?: string };
}

/** Every table Glue lists in a database (name, location, parameters). */
export async function glueTables(url: string, database: string): Promise<GlueTableEntry[]> {
  const tables: GlueTableEntry[] = [];
  let token: string | undefined;
  do {
    const { status, body } = await awsCall<{ TableList?: []; NextToken?: string }>(
      url,
      "AWSGlue.GetTables",
      { DatabaseName: database, ...(token ? { NextToken: token } : {}) },
    );
    if (status !== 200) return tables;
    tables.push(...(body.TableList ?? []));
    token = body.NextToken;
  } while (token);
  return tables;
}

/** Run one query through the Athena API (not through sluice) and return its rows as text. */
export async function athenaRows(url: string, sql: string): Promise<string[][]> {
  const started = await awsCall<{ QueryExecutionId: string }>(
    url,
    "AmazonAthena.StartQueryExecution",
    {
      QueryString: sql,
      WorkGroup: "sluice",
      ResultConfiguration: { OutputLocation: "s3://sluice-athena-results/check/" },
    },
  );
  const id = started.body.QueryExecutionId;
  if (!id) throw new Error(`query not started: ${JSON.stringify(started.body)}`);
  for (;;) {
    const { body } = await awsCall<{
      QueryExecution: { Status: { State: string; StateChangeReason?: string } };
    }>(url, "AmazonAthena.GetQueryExecution", { QueryExecutionId: id });
    const state = body.QueryExecution.Status.State;
    if (state === "SUCCEEDED") break;
    if (state === "FAILED" || state === "CANCELLED")
      throw new Error(`${sql}: ${state} ${body.QueryExecution.Status.StateChangeReason ?? ""}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const rows: string[][] = [];
  let token: string | undefined;
  do {
    const { body } = await awsCall<{
      ResultSet: { Rows: { Data: { VarCharValue?: string }[] }[] };
      NextToken?: string;
    }>(url, "AmazonAthena.GetQueryResults", {
      QueryExecutionId: id,
      ...(token ? { NextToken: token } : {}),
    });
    rows.push(...body.ResultSet.Rows.map((r) => r.Data.map((d) => d.VarCharValue ?? "∅")));
    token = body.NextToken;
  } while (token);
  return rows.slice(1);
}

/** The S3 keys under a bucket folder of the endpoint's directory. */
export async function s3Keys(aws: string, bucket: string, prefix = ""): Promise<string[]> {
  const root = path.join(aws, bucket);
  const entries = await readdir(path.join(root, prefix), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

/** Point the `prod` target (engine athena) of the project in `projectDir` at `url`. */
export async function pointProdAt(projectDir: string, url: string, extra?: string): Promise<void> {
  const config = path.join(projectDir, "sluice.yml");
  const yml = await readFile(config, "utf8");
  if (!/^ {4}engine: athena$/m.test(yml)) throw new Error(`no athena target in ${config}`);
  await writeFile(
    config,
    yml.replace(
      /^ {4}engine: athena$/m,
      `    engine: athena\n    endpoint: ${url}\n    poll_interval: ${FAST_POLL_SECONDS}` +
        (extra ? `\n    ${extra}` : ""),
    ),
  );
}

/** One call the endpoint answered (see apps/aws-local `CallLog`). */
export interface LoggedCall {
  api: string;
  resource: string;
  /** Athena.StartQueryExecution: the id of the query it started (absent if it failed). */
  queryId?: string;
}

/** The endpoint's call log since it was last emptied (`empty`: empty it after reading). */
export async function callLog(url: string, empty = false): Promise<LoggedCall[]> {
  const log = (await (await fetch(`${url}/_aws-local/calls/log`)).json()) as LoggedCall[];
  if (empty) await fetch(`${url}/_aws-local/calls/log`, { method: "DELETE" });
  return log;
}

/**
 * The data locations a Glue table holds: its own, its partitions', and the earlier versions it
 * keeps for `versions_to_keep` (`sluice_retired_locations`): objects outside them are orphans.
 */
export async function locationsHeldBy(
  url: string,
  database: string,
  table: GlueTableEntry,
): Promise<string[]> {
  const held: string[] = [];
  if (table.StorageDescriptor?.Location) held.push(table.StorageDescriptor.Location);
  const retired = table.Parameters?.["sluice_retired_locations"];
  if (retired) held.push(...(JSON.parse(retired) as string[][]).flat());
  const parts = await awsCall<{ Partitions?: { StorageDescriptor?: { Location?: string } }[] }>(
    url,
    "AWSGlue.GetPartitions",
    { DatabaseName: database, TableName: table.Name },
  );
  for (const part of parts.body.Partitions ?? [])
    if (part.StorageDescriptor?.Location) held.push(part.StorageDescriptor.Location);
  return held;
}

/**
 * Firehose's part, for a project made by {@link athenaLocalProject}: generated raw hours written
 * into the endpoint's lake bucket (`s3://sluice-lake/raw/events/...`).
 */
export async function fillRawZone(
  p: { aws: string; sluice: (...args: string[]) => Promise<CliRun> },
  o: { events: number; start: string; hours: number; seed: number },
): Promise<CliRun> {
  return p.sluice(
    ...["generate", "--events", String(o.events), "--start", o.start, "--hours", String(o.hours)],
    ...["--seed", String(o.seed), "--lake", path.join(p.aws, "sluice-lake")],
  );
}

/** The Glue table holding an Athena target's build lease (in its first database). */
export const LEASE_TABLE = { DatabaseName: "ecommerce_raw", Name: "sluice_build_lease" };

/** Whether a build lease is held on the endpoint (its Glue table exists). */
export async function leaseHeld(url: string): Promise<boolean> {
  return (await awsCall(url, "AWSGlue.GetTable", LEASE_TABLE)).status === 200;
}

/**
 * A one-model project on an athena-local endpoint: `sluice.yml` with a `prod` Athena target
 * (lake bucket `lake`, results bucket `results`, schema silver → `db_silver`, one thread) and
 * `models/daily.sql`, an insert_overwrite model partitioned by `d` whose rows come from the var
 * `rows` (default one row on 2000-01-01).
 */
export async function writeDailyOverwriteProject(
  projectDir: string,
  name: string,
  endpointUrl: string,
): Promise<void> {
  await mkdir(path.join(projectDir, "models"), { recursive: true });
  await writeFile(
    path.join(projectDir, "sluice.yml"),
    [
      `name: ${name}`,
      "model-paths: [models]",
      "targets:",
      "  prod:",
      "    engine: athena",
      "    region: eu-west-1",
      "    workgroup: primary",
      "    s3_staging_dir: s3://results/queries/",
      "    s3_lake_root: s3://lake",
      `    endpoint: ${endpointUrl}`,
      `    poll_interval: ${FAST_POLL_SECONDS}`,
      "    databases: { silver: db_silver }",
      "    threads: 1",
      "default-target: prod",
      "",
    ].join("\n"),
  );
  await writeFile(
    path.join(projectDir, "models/daily.sql"),
    "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partitioned_by=['d'], schema='silver') }}\n" +
      "select id, v, d from (values {{ var('rows', \"(0, 'z', '2000-01-01')\") }}) as t(id, v, d)\n",
  );
}
