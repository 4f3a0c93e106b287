import type { WrittenPartitions } from "../engine.js";
import {
  BatchGetPartitionCommand,
  DeleteTableCommand,
  type Partition,
  type Table,
  type TableInput,
} from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { refuseCloneWrite } from "./clone-guard.js";
import {
  getAllPartitions,
  getTable,
  retryIn,
  retryOptions,
  setParametersOn,
  tableInput,
} from "./glue-catalog.js";
import { isConcurrentModification, retryWhen } from "./retry.js";
import { removeLocations } from "./s3-cleaner.js";
import {
  asRecorded,
  encodePartitions,
  fromMap,
  PARTITIONS_PARAMETER,
  RECORD_OVERFLOW,
  recordedEntries,
  type RecordedPartition,
} from "./partition-record.js";
import {
  EXPIRING_PARAMETER,
  expireByKey,
  knownRetiredFiles,
  RETIRED_FILES_PARAMETER,
  retiredFilesValue,
  type KeysToDelete,
} from "./expiring-files.js";
import { listWrittenPartitions } from "./written-partitions.js";
import { deleteKeys } from "./s3-cleaner.js";
import {
  PUBLISHING_PARAMETER,
  recordedIntents,
  REPLACED_PARAMETER,
  RETIRED_PARAMETER,
  retire,
  type RepointIntent,
  type Retirement,
} from "./version-retention.js";
import {
  applyPartitions,
  chunks,
  key,
  PartitionEntryErrors,
  rollBack,
  type PartitionPlan,
  type SwapProgress,
} from "./glue-publisher.js";
import { asFolder } from "./s3-location.js";

/** BatchGetPartition takes at most 1,000 partitions per call. */
const GET_PARTITIONS_PAGE = 1000;

/** What a partition publish did. */
export interface PartitionPublishResult {
  /** Partitions repointed (they existed) and created (they did not). */
  updated: number;
  created: number;
  /** The partitions published, typed as the table's partition keys. */
  written: WrittenPartitions;
  /**
   * Data locations no longer read: those the repointed partitions had before, and those of an
   * earlier publish of the table that was interrupted after its repoint (see {@link carriedOutIntents}).
   */
  replaced: string[];
  /**
   * The table's retired locations after this publish: recorded, and the expired ones still to
   * delete by listing (none unless the publish's own delete of them failed).
   */
  retirement: Retirement;
  /**
   * Objects of expired locations whose files the record named: deleted by key once the table
   * update is made (it records them under the staging entry's name, see EXPIRING_PARAMETER),
   * before the staging entry is dropped. The caller does it (at the end of the run, in calls
   * shared by every table) when it keeps the staging entry.
   */
  expiring: KeysToDelete[];
  /** The entry as the publish's last update wrote it (no VersionId); held: as it was read. */
  entry: TableInput;
  /**
   * With `holdUpdate`: the publish's one table update, not made yet, with `extra` parameters
   * (e.g. the reconciliation's verdict) set by the same call. Until it is made, the staging
   * entry marks the publish as in flight (see `recoverInterruptedPublish`).
   */
  finish?: (extra: Readonly<Record<string, string>>) => Promise<TableInput>;
}

/**
 * insert_overwrite on a Hive table: publish the partitions of `staging` (a CTAS partitioned like
 * `target`, written at a fresh location) as partitions of `target`. Existing partitions are
 * repointed at the staging partitions' folders (BatchUpdatePartition, 100 per call), missing
 * ones created (BatchCreatePartition, 100 per call); the other partitions of `target` are
 * untouched. A partition keeps the target table's storage descriptor (columns, SerDe), only its
 * location changes. Everything is read before the first write; when a partition write fails
 * (including a per-entry `Errors` item), the writes made are undone (old partitions restored,
 * created ones deleted), so readers see the table as it was, and the error is rethrown.
 *
 * Nothing is ever orphaned: each repointed partition records the location it leaves in its own
 * parameters ({@link REPLACED_PARAMETER}), in the same BatchUpdatePartition entry; after the
 * repoint, one table update lists those locations as retired (with `versionsToKeep`, see
 * {@link retire}) and sets `parameters` (e.g. the watermark), under the VersionId of `read`.
 * Until that update the staging entry (dropped only after it) marks the publish as in flight:
 * the sweep of a leftover one retires what its partitions replaced (`recoverInterruptedPublish`).
 * A table entry still carrying an older publish's intent ({@link PUBLISHING_PARAMETER}) has the
 * intents that were carried out retired too. With `holdUpdate` the table update is the result's
 * `finish`. On success the staging Glue entry is deleted (its data is now the target's; with
 * `keepStagingEntry` the caller does it later). Expired locations are deleted before the
 * update; one that fails stays in `retirement.expired` for the caller.
 *
 * @example
 * const { replaced } = await publishPartitions(ctx, { schema: "silver", name: "events__sluice_r2" },
 *   { schema: "silver", name: "events" }, { versionsToKeep: 1 });
 * // replaced: ["s3://lake/silver/events/r1/event_date=2026-11-27/"]
 */
export async function publishPartitions(
  ctx: AthenaContext,
  staging: Relation,
  target: Relation,
  options: PartitionPublishOptions,
): Promise<PartitionPublishResult> {
  const table = options.read ?? (await getTable(ctx, target));
  if (table === undefined)
    throw new Error(
      `cannot publish partitions into ${target.schema}.${target.name}: it is not in the Glue catalog`,
    );
  refuseCloneWrite(target, table, "publish partitions into");
  return publishOn(ctx, staging, target, options, table);
}

/** What {@link publishPartitions} takes. */
export interface PartitionPublishOptions {
  keepStagingEntry?: boolean;
  versionsToKeep: number;
  parameters?: Readonly<Record<string, string>>;
  /**
   * The target's entry as the run listed it (with its `VersionId`): the publish reads no entry
   * and writes its one table update under that version (a stale one: read again, update again).
   */
  read?: Table;
  /**
   * Return after the repoint and the expired delete: the table update is made by the result's
   * `finish` (needs `keepStagingEntry`: the staging entry is dropped only after it).
   */
  holdUpdate?: boolean;
  /**
   * The folder the staging table was written at: listed (ListObjectsV2) for the staging
   * partitions and their files instead of reading the partitions from Glue. Laid out otherwise
   * than Hive's `k=v/` folders, or empty: the partitions are read from Glue.
   */
  stagingLocation?: string;
}

async function publishOn(
  ctx: AthenaContext,
  staging: Relation,
  target: Relation,
  options: PartitionPublishOptions,
  table: Table,
): Promise<PartitionPublishResult> {
  const { incoming, files } = await stagingPartitions(ctx, staging, table, options.stagingLocation);
  // Which partitions exist and where they read: the table entry's record (no call), else Glue.
  const hint = recordedIntents(table).length === 0 ? recordedEntries(table) : undefined;
  if (hint !== undefined) {
    try {
      return await publishPlanned(ctx, staging, target, options, table, { incoming, files }, hint);
    } catch (error) {
      if (!(error instanceof StaleRecordError)) throw error;
      // The record was stale (partitions changed outside sluice): undone; read them and redo.
      ctx.log?.(
        `${target.schema}.${target.name}: its partition record is stale (${error.message}); reading the partitions`,
      );
    }
  }
  return publishPlanned(ctx, staging, target, options, table, { incoming, files }, undefined);
}

/**
 * The staging partitions, and the files of each (key: JSON of the values) when they were listed:
 * a listing of `location` (one call), else Glue's partitions of `staging` (no files).
 */
async function stagingPartitions(
  ctx: AthenaContext,
  staging: Relation,
  table: Table,
  location: string | undefined,
): Promise<{ incoming: Partition[]; files: Map<string, string[]> }> {
  const keys = (table.PartitionKeys ?? []).map((k) => k.Name ?? "");
  const listed =
    location === undefined ? undefined : await listWrittenPartitions(ctx, keys, location);
  if (listed === undefined)
    return { incoming: await getAllPartitions(ctx, staging), files: new Map() };
  return {
    incoming: listed.map((p) => ({
      Values: p.values,
      StorageDescriptor: { Location: p.location },
    })),
    files: new Map(listed.map((p) => [JSON.stringify(p.values), p.files ?? []])),
  };
}

async function publishPlanned(
  ctx: AthenaContext,
  staging: Relation,
  target: Relation,
  options: PartitionPublishOptions,
  table: Table,
  written: { incoming: readonly Partition[]; files: ReadonlyMap<string, string[]> },
  hint: ReadonlyMap<string, RecordedPartition> | undefined,
): Promise<PartitionPublishResult> {
  const { incoming, files } = written;
  const recorded = recordedIntents(table);
  const overflow = table.Parameters?.[PARTITIONS_PARAMETER] === RECORD_OVERFLOW;
  // Without a record: every partition (GetPartitions, to write the record), or, for a table
  // too large to record, this publish's and an interrupted one's (one BatchGetPartition).
  const { existing, all } =
    hint !== undefined
      ? { existing: hinted(table, incoming, hint), all: hint }
      : overflow
        ? {
            existing: await getPartitions(ctx, target, [
              ...new Map(
                [...incoming, ...recorded.map((i) => ({ Values: i.values }))].map((p) => [
                  key(p),
                  p,
                ]),
              ).values(),
            ]),
            all: undefined,
          }
        : await readAll(ctx, target);
  const interrupted = carriedOut(recorded, existing);
  const oldByKey = new Map(existing.map((p) => [key(p), p]));
  // The target's storage descriptor with the staging folder: a partition's schema is the table's.
  // A repointed partition records the location it leaves in its own parameters, in the same
  // entry as the repoint: if the build dies before the table update retires it, the sweep of the
  // leftover staging entry finds it there (see recoverInterruptedPublish).
  const repointed = (p: Partition): Partition => {
    const old = oldByKey.get(key(p));
    const leaving = old?.StorageDescriptor?.Location;
    return {
      Values: p.Values,
      StorageDescriptor: {
        ...(old?.StorageDescriptor ?? table.StorageDescriptor),
        Location: p.StorageDescriptor?.Location,
      },
      ...(old === undefined
        ? {}
        : {
            Parameters: {
              ...old.Parameters,
              ...(leaving === undefined ? {} : { [REPLACED_PARAMETER]: leaving }),
            },
          }),
    };
  };
  const plan: PartitionPlan = {
    toUpdate: incoming.filter((p) => oldByKey.has(key(p))).map(repointed),
    toCreate: incoming.filter((p) => !oldByKey.has(key(p))).map(repointed),
    toDelete: [],
    oldByKey,
  };
  const intents: RepointIntent[] = [
    ...interrupted,
    ...plan.toUpdate.flatMap((p) => {
      const location = oldByKey.get(key(p))?.StorageDescriptor?.Location;
      return location === undefined ? [] : [{ values: p.Values ?? [], location }];
    }),
  ];
  const done: SwapProgress = { table: "none", updated: [], created: [], deleted: [] };
  const counts = { created: 0, updated: 0, deleted: 0 };
  try {
    await applyPartitions(ctx, target, plan, done, counts);
  } catch (error) {
    // Planned from the record: a partition it has that Glue has not (nothing to restore), or
    // one Glue has that it has not (not this publish's to delete). Undone, then planned again.
    const mismatch = hint === undefined ? [] : mismatched(error);
    if (mismatch.length > 0) {
      const failed = new Set(mismatch.map((v) => JSON.stringify(v)));
      done.updated = done.updated.filter((p) => !failed.has(key(p)));
      done.created = done.created.filter((p) => !failed.has(key(p)));
    }
    await rollBack(ctx, target, undefined, plan, done, error);
    if (mismatch.length > 0) throw new StaleRecordError(error);
    throw error;
  }
  const replaced = [...new Set(intents.map((i) => i.location))];
  // The record after this publish: what was there, with this publish's partitions (and files).
  let record: string | undefined;
  if (all !== undefined) {
    const after = new Map(all);
    for (const p of incoming) {
      const names = files.get(key(p));
      after.set(key(p), {
        values: p.Values ?? [],
        location: p.StorageDescriptor?.Location ?? "",
        ...(names === undefined ? {} : { files: names }),
      });
    }
    record = encodePartitions(
      (table.PartitionKeys ?? []).map((k) => k.Name ?? ""),
      fromMap(after),
    );
  }
  // The replaced partitions whose files the record named: deleted by key when they expire.
  const replacedFiles = plan.toUpdate.flatMap((p) => {
    const entry = all?.get(key(p));
    return entry?.files === undefined ? [] : [entry];
  });
  const known = knownRetiredFiles(table, replacedFiles);
  const keyed = expireByKey(
    retire(table.Parameters?.[RETIRED_PARAMETER], replaced, options.versionsToKeep),
    known,
    staging.name,
  );
  const retirement = await removeExpiredNow(ctx, target, keyed.retirement);
  const retiredFiles = retiredFilesValue(table, known, retirement.pending);
  // The one table update: the watermark and the retired locations, under the VersionId read
  // before the repoint. Another writer in between (none under the build lease): read the entry
  // again and retire this publish's locations into what it says now.
  const update = (extra: Readonly<Record<string, string>>): Promise<TableInput> => {
    let first = true;
    return retryWhen(
      isConcurrentModification,
      async () => {
        // Read again after a concurrent update: nothing expires by key (the expired stay listed,
        // and the keys deleted anyway are those of locations nothing reads).
        const again = first ? undefined : await getTable(ctx, target);
        const current = first ? table : again;
        const retired = first
          ? retirement
          : retire(current?.Parameters?.[RETIRED_PARAMETER], replaced, options.versionsToKeep);
        const filesValue =
          first || current === undefined
            ? retiredFiles
            : retiredFilesValue(
                current,
                knownRetiredFiles(current, replacedFiles),
                retired.pending,
              );
        const marker = first ? keyed.marker : current?.Parameters?.[EXPIRING_PARAMETER];
        first = false;
        return setParametersOn(
          ctx,
          target,
          current,
          {
            ...options.parameters,
            ...extra,
            [RETIRED_PARAMETER]: retired.pending,
            ...(record === undefined ? {} : { [PARTITIONS_PARAMETER]: record }),
            ...(filesValue === undefined ? {} : { [RETIRED_FILES_PARAMETER]: filesValue }),
            ...(marker === undefined ? {} : { [EXPIRING_PARAMETER]: marker }),
          },
          [
            PUBLISHING_PARAMETER,
            ...(filesValue === undefined ? [RETIRED_FILES_PARAMETER] : []),
            ...(marker === undefined ? [EXPIRING_PARAMETER] : []),
          ],
        );
      },
      retryOptions(ctx),
    );
  };
  const writtenOut: WrittenPartitions = {
    columns: (table.PartitionKeys ?? []).map((k) => ({ name: k.Name ?? "", type: k.Type ?? "" })),
    values: incoming.map((p) => p.Values ?? []),
  };
  const result = {
    updated: counts.updated,
    created: counts.created,
    written: writtenOut,
    replaced,
    retirement,
    expiring: keyed.expiring,
  };
  if (options.holdUpdate)
    return { ...result, entry: tableInput(table, target.name), finish: update };
  const published = await update({});
  if (!options.keepStagingEntry) {
    // The expired objects first: the staging entry marks them as maybe not deleted yet.
    for (const { bucket, keys } of keyed.expiring) await deleteKeys(ctx, bucket, keys);
    await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new DeleteTableCommand({ DatabaseName: staging.schema, Name: staging.name }),
      ),
    );
  }
  return { ...result, entry: published };
}

/**
 * Delete the locations `retirement` expires now, after the repoint and before the update that
 * records it, so that update lists them no more and no later update is needed. Nothing reads
 * them (they were retired publishes ago). A failed delete keeps them listed (`pending`), for the
 * end of the run or the next publish to delete, with a warning; it does not fail the publish.
 */
async function removeExpiredNow(
  ctx: AthenaContext,
  relation: Relation,
  retirement: Retirement,
): Promise<Retirement> {
  if (retirement.expired.length === 0) return retirement;
  try {
    await removeLocations(ctx, retirement.expired);
    return { pending: retirement.kept, kept: retirement.kept, expired: [] };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // Not silent: retried at the end of the run (and by the next publish), but the user is told.
    (ctx.warn ?? ctx.log)?.(
      `${relation.schema}.${relation.name}: its expired data was not deleted (${reason}); it stays listed as retired and is deleted again at the end of the run or by the next publish`,
    );
    return retirement;
  }
}

/** A plan made from the partition record failed on a partition Glue has or lacks (undone). */
class StaleRecordError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** The partitions a batch call failed for because they are missing or already there. */
function mismatched(error: unknown): string[][] {
  if (!(error instanceof PartitionEntryErrors)) return [];
  const stale = error.failed.filter(
    (f) => f.code === "EntityNotFoundException" || f.code === "AlreadyExistsException",
  );
  return stale.length === error.failed.length ? stale.map((f) => f.values) : [];
}

/**
 * The target's partitions among `incoming`, as the record says they are: the table's storage
 * descriptor at the recorded location (sluice writes partitions so; no parameters to carry).
 */
function hinted(
  table: Table,
  incoming: readonly Partition[],
  hint: ReadonlyMap<string, RecordedPartition>,
): Partition[] {
  return incoming.flatMap((p) => {
    const location = hint.get(key(p))?.location;
    return location === undefined
      ? []
      : [
          {
            Values: p.Values,
            StorageDescriptor: { ...table.StorageDescriptor, Location: location },
          },
        ];
  });
}

/** Every partition of `relation` and the record of them. */
async function readAll(ctx: AthenaContext, relation: Relation) {
  const existing = await getAllPartitions(ctx, relation);
  const all = new Map<string, RecordedPartition>(
    asRecorded(existing).map((p) => [JSON.stringify(p.values), p]),
  );
  return { existing, all };
}

/** The partitions of `relation` with the values of `like` (BatchGetPartition, 1,000 per call). */
async function getPartitions(
  ctx: AthenaContext,
  relation: Relation,
  like: readonly Partition[],
): Promise<Partition[]> {
  const found: Partition[] = [];
  for (const page of chunks(like, GET_PARTITIONS_PAGE)) {
    const out = await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new BatchGetPartitionCommand({
          DatabaseName: relation.schema,
          TableName: relation.name,
          PartitionsToGet: page.map((p) => ({ Values: p.Values ?? [] })),
        }),
      ),
    );
    if ((out.UnprocessedKeys ?? []).length > 0)
      throw new Error(
        `Glue BatchGetPartition on ${relation.schema}.${relation.name} left ${out.UnprocessedKeys!.length} partition(s) unprocessed`,
      );
    found.push(...(out.Partitions ?? []));
  }
  return found;
}

/**
 * The intents an interrupted publish left whose repoint happened (the partition reads another
 * location now, or is gone): their locations are no longer read, and are to be retired. Intents
 * whose partition still reads the recorded location were never carried out and are dropped.
 */
function carriedOut(
  intents: readonly RepointIntent[],
  partitions: readonly Partition[],
): RepointIntent[] {
  const current = new Map(partitions.map((p) => [key(p), p]));
  const same = (a: string | undefined, b: string) => a !== undefined && asFolder(a) === asFolder(b);
  return intents.filter(
    (i) => !same(current.get(JSON.stringify(i.values))?.StorageDescriptor?.Location, i.location),
  );
}
