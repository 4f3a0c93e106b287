import { BatchGetPartitionCommand, DeleteTableCommand, type Partition } from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { getAllPartitions, getTable, retryIn } from "./glue-catalog.js";
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
  /** Data locations the repointed partitions had before: no longer read by the table. */
  replaced: string[];
  /** The target's table parameters, as read before the publish. */
  parameters: Readonly<Record<string, string>>;
}

/**
 * insert_overwrite on a Hive table: publish the partitions of `staging` (a CTAS partitioned like
 * `target`, written at a fresh location) as partitions of `target`. Existing partitions are
 * repointed at the staging partitions' folders (BatchUpdatePartition, 100 per call), missing
 * ones created (BatchCreatePartition, 100 per call); the other partitions of `target` are
 * untouched. A partition keeps the target table's storage descriptor (columns, SerDe), only its
 * location changes. Everything is read before the first write; when a write fails (including a
 * per-entry `Errors` item), the writes made are undone (old partitions restored, created ones
 * deleted), so readers see the table as it was, and the error is rethrown. On success the staging
 * Glue entry is deleted (its data is now the target's; with `keepStagingEntry` the caller does it
 * later) and the locations the repointed partitions had are returned: the caller deletes them
 * once nothing reads them. No object is deleted here.
 *
 * @example
 * const { replaced } = await publishPartitions(ctx, { schema: "silver", name: "events__sluice_r2" },
 *   { schema: "silver", name: "events" });
 * // replaced: ["s3://lake/silver/events/r1/event_date=2026-11-27/"]
 */
export async function publishPartitions(
  ctx: AthenaContext,
  staging: Relation,
  target: Relation,
  options: { keepStagingEntry?: boolean } = {},
): Promise<PartitionPublishResult> {
  const table = await getTable(ctx, target);
  if (table === undefined)
    throw new Error(
      `cannot publish partitions into ${target.schema}.${target.name}: it is not in the Glue catalog`,
    );
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
  const done: SwapProgress = { table: "none", updated: [], created: [], deleted: [] };
  const counts = { created: 0, updated: 0, deleted: 0 };
  try {
    await applyPartitions(ctx, target, plan, done, counts);
  } catch (error) {
    await rollBack(ctx, target, undefined, plan, done, error);
    throw error;
  }
  if (!options.keepStagingEntry)
    await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new DeleteTableCommand({ DatabaseName: staging.schema, Name: staging.name }),
      ),
    );
  const replaced = plan.toUpdate
    .map((p) => oldByKey.get(key(p))?.StorageDescriptor?.Location)
    .filter((l): l is string => l !== undefined);
  return {
    updated: counts.updated,
    created: counts.created,
    replaced,
    parameters: table.Parameters ?? {},
  };
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
