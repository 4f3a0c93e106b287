import { AthenaClient } from "@aws-sdk/client-athena";
import { GlueClient } from "@aws-sdk/client-glue";
import { S3Client } from "@aws-sdk/client-s3";
import type { Relation } from "@sluice/dialects";
import type { AthenaTarget } from "@sluice/project";
import {
  DEFAULT_VERSIONS_TO_KEEP,
  type CleanupOutcome,
  type CatalogEngine,
  type PublishOptions,
} from "../engine.js";
import { awsClientConfig } from "./athena-clients.js";
import type { AthenaClients, AthenaContext } from "./athena-clients.js";
import { deferredCleanup, removeExpired } from "./deferred-cleanup.js";
import { describeGlueRelation, docsKey, relationInfo, setTableParameters } from "./glue-catalog.js";
import { catalogSnapshot } from "./catalog-snapshot.js";
import { heldUpdates } from "./held-updates.js";
import { publishPartitions } from "./partition-publisher.js";
import { dropTableWithData, stagingSweeper } from "./glue-cleanup.js";
import { publishTable, type PublishResult } from "./glue-publisher.js";
import { registerRawTable } from "./raw-table-register.js";
import { athenaSetupChecks } from "./setup-checks.js";
import { acquireBuildLease, type BuildLease, type LeaseOptions } from "./build-lease.js";
import { runQuery, type QuerySettings } from "./query-runner.js";
import { deleteKeys, removeStaleObjects } from "./s3-cleaner.js";
import type { FolderListing } from "./s3-listing.js";
import { removeQueryOutput } from "./query-output-cleaner.js";
import { listS3RawHours } from "./s3-raw-hours.js";
import { parseRetired, RETIRED_PARAMETER, retire } from "./version-retention.js";
import { cloneOf, CloneWriteError, writtenRelation } from "./clone-guard.js";
import { cloneGlueTable, dropCloneEntry } from "./glue-clone.js";

export interface AthenaEngineOptions {
  target: AthenaTarget;
  /** Client slices; default: one SDK client per service for the target's region/endpoint. */
  clients?: AthenaClients;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** ClientRequestToken factory (default: random UUID). */
  token?: () => string;
  /** Told of every retry (throttling, retryable query failures, Glue concurrent updates). */
  log?: (line: string) => void;
  /** Told what the user must know (e.g. old data kept because another table reads it); default: `lease.warn`. */
  warn?: (message: string) => void;
  /**
   * Builds (anything that writes tables): hold the target's build lease while the engine is
   * open (see {@link acquireBuildLease}); its database is the target's first. Without it the
   * engine only reads and writes what it is told (query, sources register, dq publish).
   */
  lease?: Omit<LeaseOptions, "database">;
}

/** The Athena engine plus the Glue catalog swap that publishes a table. */
export interface AthenaEngine extends CatalogEngine {
  readonly name: "athena";
  /** Publish `staging` (fresh CTAS output) as `target` by a Glue swap; see {@link publishTable}. */
  publishTable(
    staging: Relation,
    target: Relation,
    options?: PublishOptions,
  ): Promise<PublishResult>;
  setTableParameters(
    relation: Relation,
    parameters: Readonly<Record<string, string>>,
  ): Promise<void>;
  finishRun(): Promise<CleanupOutcome>;
  /**
   * Delete the files failed query `queryId` wrote under `within` (from its data manifest), so a
   * retry of the same rows cannot duplicate them; see {@link removeQueryOutput}.
   */
  removeQueryOutput(queryId: string, within: string): Promise<number>;
}

/**
 * Open an engine over Athena (queries), Glue (catalog) and S3 (data cleanup). Credentials come
 * from the AWS default provider chain (or `target.profile`).
 *
 * @example
 * const engine = await openAthenaEngine({ target });
 * const { rows, stats } = await engine.execute("select 1 as x", { label: "model.x" });
 */
export async function openAthenaEngine(options: AthenaEngineOptions): Promise<AthenaEngine> {
  const { target } = options;
  const owned = options.clients === undefined ? createClients(target) : undefined;
  const ctx: AthenaContext = {
    clients: options.clients ?? owned!,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    ...(options.log === undefined ? {} : { log: options.log }),
    ...((options.warn ?? options.lease?.warn) === undefined
      ? {}
      : { warn: options.warn ?? options.lease?.warn }),
    docs: new Map(),
  };
  const settings: QuerySettings = {
    workgroup: target.workgroup,
    outputLocation: target.s3_staging_dir,
    database: Object.values(target.databases)[0] ?? "default",
    token: options.token,
    ...(target.poll_interval === undefined ? {} : { firstPollMs: target.poll_interval * 1000 }),
  };
  const later = deferredCleanup(ctx);
  let lease: BuildLease | undefined;
  try {
    if (options.lease)
      lease = await acquireBuildLease(ctx, {
        seconds: target.build_lease_seconds,
        ...options.lease,
        database: settings.database,
      });
  } catch (error) {
    if (owned) for (const client of [owned.athena, owned.glue, owned.s3]) client.destroy();
    throw error;
  }
  // What deletes another version's data or staging tables runs only while the lease is this run's.
  const held = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    lease === undefined
      ? fn
      : async (...args: A) => {
          lease!.assertHeld();
          return fn(...args);
        };
  const snapshot = catalogSnapshot(ctx);
  // Table roots a full publish listed (its stale-data cleanup's listing, made before the swap).
  const rootListings = new Map<string, FolderListing>();
  // Staging entries a failed node's cleanup dropped (dropTableWithData) before their held update.
  const dropped = new Set<string>();
  const heldUpdate = heldUpdates(async (relation, staging, entry, expiring) => {
    snapshot.wrote(relation, entry);
    if (!dropped.has(cloneKey(staging))) return later.dropEntryLater(staging, expiring);
    // Its entry is gone already, so nothing would mark these as not deleted: deleted now.
    for (const { bucket, keys } of expiring)
      await deleteKeys(ctx, bucket, keys).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        (ctx.warn ?? ctx.log)?.(
          `${relation.schema}.${relation.name}: ${keys.length} expired object(s) under s3://${bucket}/ were not deleted (${reason}) and are left behind`,
        );
      });
  });
  // Tables whose entry a sweep updated (an interrupted publish recovered): what the node read
  // of them before is stale.
  const recovered = new Set<string>();
  const sweep = stagingSweeper(
    ctx,
    (database) => snapshot.tables(database),
    (relation) => {
      snapshot.changed(relation);
      recovered.add(`${relation.schema}.${relation.name}`);
    },
  );
  // Clone guard: the clones this engine has seen (relation → the table it points at), from every
  // entry it read; a write aimed at one is refused before any call (see clone-guard.ts).
  const clones = new Map<string, string>();
  const cloneKey = (r: Relation) => `${r.schema}.${r.name}`.toLowerCase();
  const seenAs = (relation: Relation, info: { parameters?: Readonly<Record<string, string>> }) => {
    const source = cloneOf(info.parameters);
    if (source === undefined) clones.delete(cloneKey(relation));
    else clones.set(cloneKey(relation), source);
  };
  const refuseKnownClone = (relation: Relation | undefined, what: string) => {
    const source = relation && clones.get(cloneKey(relation));
    if (relation && source !== undefined) throw new CloneWriteError(relation, source, what);
  };
  return {
    name: "athena",
    family: "catalog",
    execute: async (sql, executeOptions) => {
      refuseKnownClone(writtenRelation(sql), "write into");
      return runQuery(ctx, settings, sql, executeOptions);
    },
    describeRelation: async (relation, options) => {
      // A table the run writes: its database's listing (one GetTables, which the staging sweep
      // needs anyway) answers its first read; if it fails, Glue is asked (the sweep reports it).
      if (options?.written) await snapshot.tables(relation.schema).catch(() => undefined);
      const listed = snapshot.take(relation);
      const info =
        listed === "unlisted" ? await describeGlueRelation(ctx, relation) : relationInfo(listed);
      seenAs(relation, info);
      return info;
    },
    cloneTable: async (from, to) => {
      snapshot.changed(to);
      const result = await cloneGlueTable(ctx, from, to);
      if (result.kind === "table") clones.set(cloneKey(to), `${from.schema}.${from.name}`);
      return result;
    },
    replaceClone: async (relation) => {
      await snapshot.tables(relation.schema).catch(() => undefined);
      const listed = snapshot.peek(relation);
      const entry =
        listed === "unlisted" ? await describeGlueRelation(ctx, relation) : relationInfo(listed);
      const source = cloneOf(entry.parameters);
      if (source === undefined) return undefined;
      lease?.assertHeld();
      snapshot.changed(relation);
      await dropCloneEntry(ctx, relation);
      clones.delete(cloneKey(relation));
      return source;
    },
    removeStaleLocations: held(async (relation, keepLocation, cleanup) => {
      refuseKnownClone(relation, "delete old data of");
      const retain = cleanup?.retain ?? [];
      // The root as the table's publish listed it this run, if it did (no second listing).
      const listed = rootListings.get(cloneKey(relation));
      rootListings.delete(cloneKey(relation));
      if (cleanup?.defer) later.removeStaleLater(relation, keepLocation, retain, listed);
      else await removeStaleObjects(ctx, relation, keepLocation, retain);
    }),
    setTableDocs: (relation, docs) => {
      ctx.docs!.set(docsKey(relation), docs);
    },
    publishTable: async (staging, targetRelation, options) => {
      lease?.assertHeld();
      refuseKnownClone(targetRelation, "publish a new version over");
      snapshot.changed(staging, targetRelation);
      const result = await publishTable(ctx, staging, targetRelation, {
        keepStagingEntry: options?.defer,
        ...(options?.parameters === undefined ? {} : { parameters: options.parameters }),
        ...(options?.versionsToKeep === undefined
          ? {}
          : { versionsToKeep: options.versionsToKeep }),
      });
      if (options?.defer) later.dropEntryLater(staging);
      snapshot.wrote(targetRelation, result.entry);
      if (result.rootListing) rootListings.set(cloneKey(targetRelation), result.rootListing);
      // Expired locations outside the table's folder (the stale-data cleanup lists only that).
      if (result.expired.expired.length > 0) {
        if (options?.defer) later.removeExpiredLater(targetRelation, result.expired);
        else await removeExpired(ctx, [{ relation: targetRelation, retirement: result.expired }]);
      }
      return result;
    },
    setTableParameters: held(
      async (relation: Relation, parameters: Readonly<Record<string, string>>) => {
        // A held publish update: these parameters go with it, in its one call.
        if (await heldUpdate.complete(relation, parameters)) return;
        // The entry this run's publish wrote (one UpdateTable, no GetTable), else read from Glue.
        const known = snapshot.written(relation);
        refuseKnownClone(relation, "set parameters on");
        snapshot.changed(relation);
        await setTableParameters(ctx, relation, parameters, known ? { read: known } : {});
        if (known)
          snapshot.wrote(relation, {
            ...known,
            Parameters: { ...known.Parameters, ...parameters },
          });
      },
    ),
    finishRun: async () => {
      await lease?.verify();
      // Held publish updates first: a staging entry is dropped only after its table's update.
      const failed = await heldUpdate.completeAll();
      const outcome = await later.flush();
      if (failed !== undefined) throw failed;
      return outcome;
    },
    prefetchTables: (databases) => {
      for (const database of databases) snapshot.tables(database).catch(() => undefined);
    },
    removeQueryOutput: (queryId, within) => removeQueryOutput(ctx, queryId, within),
    listRawHours: (zone, from) => listS3RawHours(ctx, zone, from),
    dropStagingTables: held(sweep),
    dropTableWithData: held(async (relation: Relation, options?: { unlessReadBy?: Relation }) => {
      snapshot.changed(relation, ...(options?.unlessReadBy ? [options.unlessReadBy] : []));
      // A clone: only its Glue entry goes (dropTableWithData keeps the data of any clone it reads).
      await dropTableWithData(ctx, relation, options);
      dropped.add(cloneKey(relation));
      clones.delete(cloneKey(relation));
    }),
    publishPartitions: held(
      async (staging: Relation, targetRelation: Relation, options?: PublishOptions) => {
        // The entry the run listed (and the node planned from): no GetTable, its VersionId
        // guards the publish's first update.
        const read = snapshot.listed(targetRelation);
        refuseKnownClone(targetRelation, "publish partitions into");
        snapshot.changed(staging, targetRelation);
        // Published from, so it exists again: a drop of the same name earlier in the run (e.g. a
        // CTAS over 100 partitions, dropped and redone in batches) no longer applies to it.
        dropped.delete(cloneKey(staging));
        const hold = options?.defer === true && options.holdUntilReconciled === true;
        const result = await publishPartitions(ctx, staging, targetRelation, {
          keepStagingEntry: options?.defer,
          versionsToKeep: options?.versionsToKeep ?? DEFAULT_VERSIONS_TO_KEEP,
          ...(options?.parameters === undefined ? {} : { parameters: options.parameters }),
          ...(read === undefined ? {} : { read }),
          ...(options?.stagingLocation === undefined
            ? {}
            : { stagingLocation: options.stagingLocation }),
          holdUpdate: hold,
        });
        if (result.finish) heldUpdate.hold(targetRelation, staging, result.finish, result.expiring);
        else {
          snapshot.wrote(targetRelation, result.entry);
          if (options?.defer) later.dropEntryLater(staging, result.expiring);
        }
        // Expired locations the publish could not delete stay listed: tried again at the end.
        if (result.retirement.expired.length > 0) {
          const expired = [{ relation: targetRelation, retirement: result.retirement }];
          if (options?.defer) later.removeExpiredLater(targetRelation, result.retirement);
          else await removeExpired(ctx, expired);
        }
        return result;
      },
    ),
    removeLeftovers: held(async (relation, read, options) => {
      // A clone's location and retired list are another table's: nothing of them is leftover.
      const source = cloneOf(read.parameters);
      if (source !== undefined) throw new CloneWriteError(relation, source, "delete leftovers of");
      refuseKnownClone(relation, "delete leftovers of");
      snapshot.changed(relation);
      const table = recovered.has(`${relation.schema}.${relation.name}`)
        ? await describeGlueRelation(ctx, relation)
        : read;
      const retirement = retire(
        table.parameters?.[RETIRED_PARAMETER],
        [],
        options.versionsToKeep ?? DEFAULT_VERSIONS_TO_KEEP,
      );
      if (retirement.expired.length > 0 || retirement.kept !== retirement.pending) {
        if (options.defer) later.removeExpiredLater(relation, retirement);
        else await removeExpired(ctx, [{ relation, retirement }]);
      }
      if (options.partitioned || table.location === undefined) return;
      const retain = parseRetired(retirement.kept).flat();
      if (options.defer) later.removeStaleLater(relation, table.location, retain);
      else await removeStaleObjects(ctx, relation, table.location, retain);
    }),
    registerRawSource: (spec) => registerRawTable(ctx, spec),
    checkSetup: (databases) => athenaSetupChecks(ctx, target, databases),
    close: async () => {
      // A run that ended early: its publishes' held updates still go (else the next sweep's).
      const failed = await heldUpdate.completeAll();
      if (failed !== undefined)
        options.lease?.warn?.(
          `a published table's parameters were not updated (the next build reads its window again): ${failed.message}`,
        );
      // A lease left behind expires; a later build on this host takes it over at once.
      await lease?.release().catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        options.lease?.warn?.(`could not release the build lease: ${reason}`);
      });
      if (owned) for (const client of [owned.athena, owned.glue, owned.s3]) client.destroy();
    },
  };
}

function createClients(target: AthenaTarget) {
  const config = awsClientConfig(target);
  // A custom endpoint (e.g. `sluice athena-local`) serves every bucket under one host: path-style S3.
  const s3 = new S3Client({
    ...config,
    ...(target.endpoint === undefined ? {} : { forcePathStyle: true }),
  });
  return { athena: new AthenaClient(config), glue: new GlueClient(config), s3 };
}
