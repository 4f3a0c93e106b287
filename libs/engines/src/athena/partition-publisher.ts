import type { WrittenPartitions } from "../engine.js";
import {
  BatchGetPartitionCommand,
  DeleteTableCommand,
  type Partition,
  type Table,
} from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { getAllPartitions, getTable, retryIn, setTableParameters } from "./glue-catalog.js";
import {
  PUBLISHING_PARAMETER,
  recordedIntents,
  RETIRED_PARAMETER,
  retire,
  type RepointIntent,
  type Retirement,
} from "./version-retention.js";
import {
  applyPartitions,
  chunks,
  key,
  rollBack,
  type PartitionPlan,
  type SwapProgress,
} from "./glue-publisher.js";

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
  /** The table's retired locations after this publish: recorded, the expired ones to delete. */
  retirement: Retirement;
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
 * Nothing is ever orphaned: before the repoint, the partitions about to be repointed and their
 * current locations are recorded on the table ({@link PUBLISHING_PARAMETER}); after it, their old
 * locations are recorded as retired (with `versionsToKeep`, see {@link retire}) and `parameters`
 * (e.g. the watermark) set, in one table update that also clears the record. A publish that
 * finds a record left by an interrupted one retires the locations that were in fact repointed.
 * On success the staging Glue entry is deleted (its data is now the target's; with
 * `keepStagingEntry` the caller does it later). No object is deleted here: the caller deletes
 * `retirement.expired`.
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
  options: {
    keepStagingEntry?: boolean;
    versionsToKeep: number;
    parameters?: Readonly<Record<string, string>>;
  },
): Promise<PartitionPublishResult> {
  const table = await getTable(ctx, target);
  if (table === undefined)
    throw new Error(
      `cannot publish partitions into ${target.schema}.${target.name}: it is not in the Glue catalog`,
    );
  const interrupted = await carriedOutIntents(ctx, target, table);
  const incoming = await getAllPartitions(ctx, staging);
  const existing = await getPartitions(ctx, target, incoming);
  const oldByKey = new Map(existing.map((p) => [key(p), p]));
  // The target's storage descriptor with the staging folder: a partition's schema is the table's.
  const repointed = (p: Partition): Partition => ({
    Values: p.Values,
    StorageDescriptor: {
      ...(oldByKey.get(key(p))?.StorageDescriptor ?? table.StorageDescriptor),
      Location: p.StorageDescriptor?.Location,
    },
    Parameters: oldByKey.get(key(p))?.Parameters,
  });
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
  // Written ahead: a build that dies after the repoint leaves what the next publish needs.
  if (intents.length > 0)
    await setTableParameters(
      ctx,
      target,
      { [PUBLISHING_PARAMETER]: JSON.stringify(intents) },
      { read: table },
    );
  const done: SwapProgress = { table: "none", updated: [], created: [], deleted: [] };
  const counts = { created: 0, updated: 0, deleted: 0 };
  try {
    await applyPartitions(ctx, target, plan, done, counts);
  } catch (error) {
    await rollBack(ctx, target, undefined, plan, done, error);
    throw error;
  }
  const replaced = [...new Set(intents.map((i) => i.location))];
  const retirement = retire(
    table.Parameters?.[RETIRED_PARAMETER],
    replaced,
    options.versionsToKeep,
  );
  await setTableParameters(
    ctx,
    target,
    { ...options.parameters, [RETIRED_PARAMETER]: retirement.pending },
    { remove: [PUBLISHING_PARAMETER] },
  );
  if (!options.keepStagingEntry)
    await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new DeleteTableCommand({ DatabaseName: staging.schema, Name: staging.name }),
      ),
    );
  const written: WrittenPartitions = {
    columns: (table.PartitionKeys ?? []).map((k) => ({ name: k.Name ?? "", type: k.Type ?? "" })),
    values: incoming.map((p) => p.Values ?? []),
  };
  return { updated: counts.updated, created: counts.created, written, replaced, retirement };
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
 * The intents an interrupted publish left on `table` whose repoint happened (the partition reads
 * another location now, or is gone): their locations are no longer read, and are to be retired.
 * Intents whose partition still reads the recorded location were never carried out and are
 * dropped. One BatchGetPartition per 1,000 intents, and none when nothing was interrupted.
 */
async function carriedOutIntents(
  ctx: AthenaContext,
  relation: Relation,
  table: Table,
): Promise<RepointIntent[]> {
  const intents = recordedIntents(table);
  if (intents.length === 0) return [];
  const like = intents.map((i) => ({ Values: i.values }));
  const current = new Map((await getPartitions(ctx, relation, like)).map((p) => [key(p), p]));
  const same = (a: string | undefined, b: string) =>
    a !== undefined && a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
  return intents.filter(
    (i) => !same(current.get(JSON.stringify(i.values))?.StorageDescriptor?.Location, i.location),
  );
}
