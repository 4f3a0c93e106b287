import os from "node:os";
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteTableCommand,
  type Table,
  type TableInput,
  UpdateTableCommand,
} from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import { EngineOpenError } from "../open-error.js";
import { isProcessAlive, processIdentity } from "../process-identity.js";
import type { AthenaContext } from "./athena-clients.js";
import { getTable, retryIn } from "./glue-catalog.js";

/** The Glue table that holds the lease, in the target's first database. No `__sluice_` infix: the staging sweeper never sees it. */
export const LEASE_TABLE = "sluice_build_lease";

/** Default time a lease lasts without a heartbeat (seconds); the holder renews it every third. */
export const DEFAULT_LEASE_SECONDS = 600;

/** Who holds the lease, as recorded in the lease table's Glue parameters. */
export interface LeaseHolder {
  runId: string;
  /** ISO time the holder's build took the lease. */
  startedAt: string;
  /** `user@host pid N`. */
  owner: string;
  host: string;
  pid: number;
  /** ISO time after which the lease is anybody's, unless renewed. */
  expiresAt: string;
  /** Linux process identity (`processStart:bootId`), so a reused pid is not taken for the holder. */
  process?: string;
}

/** A second build on the same Athena target: the user waits or stops the other one (exit 2). */
export class LeaseBusyError extends EngineOpenError {
  constructor(
    readonly database: string,
    readonly holder: LeaseHolder,
  ) {
    super(
      `build in progress (run ${holder.runId}, started ${holder.startedAt}, by ${holder.owner}) ` +
        `on Athena database ${database}: wait for it to finish or stop it, then retry ` +
        `(if it died, its lease is taken over after ${holder.expiresAt})`,
    );
    this.name = "LeaseBusyError";
  }
}

/** The lease went to another build (this one stalled past its expiry): stop writing and deleting. */
export class LeaseLostError extends Error {
  constructor(runId: string, detail: string) {
    super(`build lease of run ${runId} lost: ${detail}; stopped so as not to touch its data`);
    this.name = "LeaseLostError";
  }
}

export interface LeaseOptions {
  /** Glue database holding the lease table. */
  database: string;
  runId: string;
  /** Lease length without a heartbeat (default {@link DEFAULT_LEASE_SECONDS}). */
  seconds?: number;
  /** Told once when the lease was taken over from a dead build. */
  warn?: (message: string) => void;
  /** Called once when a heartbeat finds the lease gone to another build. */
  onLost?: (error: LeaseLostError) => void;
}

/** A held lease: renewed in the background until {@link BuildLease.release}. */
export interface BuildLease {
  /** Throws {@link LeaseLostError} unless this run still holds the lease by its own clock (no call). */
  assertHeld(): void;
  /** Read the lease table and throw {@link LeaseLostError} unless this run holds it (one GetTable). */
  verify(): Promise<void>;
  /** Stop the heartbeat and delete the lease table if it is still this run's. */
  release(): Promise<void>;
}

const PARAM = {
  runId: "sluice_lease_run_id",
  startedAt: "sluice_lease_started_at",
  owner: "sluice_lease_owner",
  host: "sluice_lease_host",
  pid: "sluice_lease_pid",
  expiresAt: "sluice_lease_expires_at",
  process: "sluice_lease_process",
} as const;

/**
 * Take the build lease of an Athena target: one Glue table, `<database>.sluice_build_lease`,
 * whose parameters name the holder. It works on real Glue through two documented conditional
 * writes: CreateTable fails `AlreadyExistsException` when the table exists, and UpdateTable with
 * `VersionId` fails `ConcurrentModificationException` when another writer changed the table
 * since it was read. A free target has no lease table: the build creates it. A held one fails
 * fast with {@link LeaseBusyError}, unless its expiry has passed or (same host) its process is
 * gone; then it is taken over by an UpdateTable under the VersionId read, with a warning naming
 * the dead run. The holder renews the expiry every third of the lease (UpdateTable under its
 * VersionId) and deletes the table at the end.
 *
 * @example
 * const lease = await acquireBuildLease(ctx, { database: "ecommerce_silver", runId });
 * try { await build(); } finally { await lease.release(); }
 */
export async function acquireBuildLease(
  ctx: AthenaContext,
  options: LeaseOptions,
): Promise<BuildLease> {
  const relation: Relation = { schema: options.database, name: LEASE_TABLE };
  const ttlMs = (options.seconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  const me = await thisProcess(options.runId, ctx.now());
  const held = await take(ctx, relation, me, ttlMs, options.warn).catch((error: unknown) => {
    if (error instanceof EngineOpenError || !(error instanceof Error)) throw error;
    const where = `${relation.schema}.${relation.name}`;
    throw new EngineOpenError(`cannot take the build lease ${where}: ${error.message}`, {
      cause: error,
    });
  });
  return holdLease(ctx, relation, me, held, ttlMs, options);
}

async function thisProcess(runId: string, now: number): Promise<LeaseHolder> {
  const identity = await processIdentity(process.pid);
  const host = os.hostname();
  const user = safeUser();
  return {
    runId,
    startedAt: new Date(now).toISOString(),
    owner: `${user}@${host} pid ${process.pid}`,
    host,
    pid: process.pid,
    expiresAt: "",
    ...(identity ? { process: `${identity.processStart}:${identity.bootId}` } : {}),
  };
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return "unknown";
  }
}

/** Create the lease table, or take over a dead holder's; returns the VersionId now held. */
async function take(
  ctx: AthenaContext,
  relation: Relation,
  me: LeaseHolder,
  ttlMs: number,
  warn: ((message: string) => void) | undefined,
): Promise<{ version: string; expiresAt: number }> {
  // Each lost race means another build wrote the table in between: read again and decide again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await getTable(ctx, relation);
    const expiresAt = ctx.now() + ttlMs;
    if (current === undefined) {
      if (await createLeaseTable(ctx, relation, { ...me, expiresAt: iso(expiresAt) }))
        return { version: await confirm(ctx, relation, me), expiresAt };
      continue;
    }
    const holder = holderOf(current);
    const why = holder === undefined ? "it names no run" : await deadBecause(holder, ctx.now());
    if (holder !== undefined && why === undefined)
      throw new LeaseBusyError(relation.schema, holder);
    try {
      await updateLease(ctx, relation, { ...me, expiresAt: iso(expiresAt) }, current.VersionId);
    } catch (error) {
      if (isConflict(error)) continue;
      throw error;
    }
    const version = await confirm(ctx, relation, me);
    const dead = holder
      ? `run ${holder.runId} (started ${holder.startedAt}, by ${holder.owner})`
      : "an unnamed run";
    warn?.(
      `took over the build lease of ${dead}: ${why}; its leftovers (staging tables, unpublished files) are removed as this build goes`,
    );
    return { version, expiresAt };
  }
  throw new Error(
    `could not take the build lease ${relation.schema}.${relation.name}: too many concurrent builds`,
  );
}

/** Why a holder's lease may be taken over, or undefined while it is live. */
async function deadBecause(holder: LeaseHolder, now: number): Promise<string | undefined> {
  if (holder.host === os.hostname()) {
    const [processStart, bootId] = (holder.process ?? "").split(":");
    const identity = processStart && bootId ? { processStart, bootId } : {};
    if (!(await isProcessAlive(holder.pid, identity)))
      return `its process (pid ${holder.pid} on ${holder.host}) is gone`;
  }
  return Date.parse(holder.expiresAt) > now
    ? undefined
    : `its lease expired at ${holder.expiresAt}`;
}

/** Read the table back: the VersionId to write under next, if this run is the holder. */
async function confirm(ctx: AthenaContext, relation: Relation, me: LeaseHolder): Promise<string> {
  const table = await getTable(ctx, relation);
  const holder = table && holderOf(table);
  if (table?.VersionId === undefined || holder?.runId !== me.runId)
    throw new LeaseLostError(me.runId, `another build holds it (${describe(holder)})`);
  return table.VersionId;
}

function holdLease(
  ctx: AthenaContext,
  relation: Relation,
  me: LeaseHolder,
  start: { version: string; expiresAt: number },
  ttlMs: number,
  options: LeaseOptions,
): BuildLease {
  let { version, expiresAt } = start;
  let lost: LeaseLostError | undefined;
  let renewing: Promise<void> = Promise.resolve();
  const lose = (error: LeaseLostError) => {
    if (lost) return;
    lost = error;
    options.onLost?.(error);
  };
  const renew = async () => {
    if (lost) return;
    const next = ctx.now() + ttlMs;
    try {
      await updateLease(ctx, relation, { ...me, expiresAt: iso(next) }, version);
      version = await confirm(ctx, relation, me);
      expiresAt = next;
    } catch (error) {
      if (error instanceof LeaseLostError) lose(error);
      else if (isConflict(error) || isMissing(error))
        lose(new LeaseLostError(me.runId, "another build changed or removed the lease table"));
      // Anything else (throttling, a network error) is retried at the next beat; the lease
      // lasts three beats, and assertHeld() stops this run's deletes once it has run out.
    }
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, ttlMs / 3);
  timer.unref();
  const assertHeld = () => {
    if (lost) throw lost;
    if (ctx.now() >= expiresAt)
      lose(new LeaseLostError(me.runId, `it expired at ${iso(expiresAt)} before it was renewed`));
    if (lost) throw lost;
  };
  return {
    assertHeld,
    async verify() {
      assertHeld();
      await renewing;
      try {
        await confirm(ctx, relation, me);
      } catch (error) {
        if (error instanceof LeaseLostError) lose(error);
        throw error;
      }
    },
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost) return;
      const table = await getTable(ctx, relation);
      if (table === undefined || holderOf(table)?.runId !== me.runId) return;
      await retryIn(ctx)(() =>
        ctx.clients.glue.send(
          new DeleteTableCommand({ DatabaseName: relation.schema, Name: relation.name }),
        ),
      );
    },
  };
}

async function createLeaseTable(
  ctx: AthenaContext,
  relation: Relation,
  holder: LeaseHolder,
): Promise<boolean> {
  const create = () =>
    retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new CreateTableCommand({ DatabaseName: relation.schema, TableInput: leaseInput(holder) }),
      ),
    );
  try {
    await create();
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === "AlreadyExistsException") return false;
    if (!isMissing(error)) throw error;
  }
  // A fresh catalog: the run creates its databases anyway; the lease needs its own first.
  try {
    await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new CreateDatabaseCommand({ DatabaseInput: { Name: relation.schema } }),
      ),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === "AlreadyExistsException")) throw error;
  }
  try {
    await create();
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === "AlreadyExistsException") return false;
    throw error;
  }
}

async function updateLease(
  ctx: AthenaContext,
  relation: Relation,
  holder: LeaseHolder,
  versionId: string | undefined,
): Promise<void> {
  await retryIn(ctx)(() =>
    ctx.clients.glue.send(
      new UpdateTableCommand({
        DatabaseName: relation.schema,
        TableInput: leaseInput(holder),
        VersionId: versionId,
      }),
    ),
  );
}

function leaseInput(holder: LeaseHolder): TableInput {
  const parameters: Record<string, string> = {};
  for (const [key, param] of Object.entries(PARAM)) {
    const value = holder[key as keyof LeaseHolder];
    if (value !== undefined) parameters[param] = String(value);
  }
  return {
    Name: LEASE_TABLE,
    Description:
      "sluice build lease: the running build of this target (deleted when it ends; not data)",
    TableType: "EXTERNAL_TABLE",
    Parameters: parameters,
    StorageDescriptor: { Columns: [{ Name: "lease", Type: "string" }] },
  };
}

/** The holder named by the lease table, or undefined when its parameters are incomplete. */
export function holderOf(table: Table): LeaseHolder | undefined {
  const p = table.Parameters ?? {};
  const runId = p[PARAM.runId];
  const expiresAt = p[PARAM.expiresAt];
  if (!runId || !expiresAt) return undefined;
  return {
    runId,
    startedAt: p[PARAM.startedAt] ?? "?",
    owner: p[PARAM.owner] ?? "?",
    host: p[PARAM.host] ?? "",
    pid: Number(p[PARAM.pid] ?? 0),
    expiresAt,
    ...(p[PARAM.process] ? { process: p[PARAM.process] } : {}),
  };
}

function describe(holder: LeaseHolder | undefined): string {
  return holder ? `run ${holder.runId}, by ${holder.owner}` : "the lease table is gone";
}

function isConflict(error: unknown): boolean {
  return error instanceof Error && error.name === "ConcurrentModificationException";
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && error.name === "EntityNotFoundException";
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
