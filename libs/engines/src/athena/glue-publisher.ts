import {
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  BatchUpdatePartitionCommand,
  CreateTableCommand,
  DeleteTableCommand,
  UpdateTableCommand,
  type Partition,
  type PartitionInput,
} from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { getAllPartitions, getTable, retryIn, tableInput } from "./glue-catalog.js";

/** Glue batch limits per call. */
export const GLUE_LIMITS = { createPartitions: 100, updatePartitions: 100, deletePartitions: 25 } as const;

/** What a publish did, for logs and tests. */
export interface PublishResult {
  /** Data location the published table now points at. */
  location: string | undefined;
  /** Whether the target was created (true) or swapped (false). */
  created: boolean;
  partitions: { created: number; updated: number; deleted: number };
}

/**
 * Publish a staging table (just written by a CTAS at a fresh location) as `target`: point the
 * target's Glue entry at the staging table's storage descriptor (UpdateTable with SkipArchive,
 * or CreateTable the first time), align the partitions, then delete the staging Glue entry
 * (its data is now the target's). Readers of `target` see the old or the new version, never a
 * missing table: common partitions are repointed in place, new ones created, gone ones deleted
 * last. On failure the staging entry is left for the next run to clean up. With
 * `keepStagingEntry` the caller drops the staging entry later (see deferredCleanup).
 *
 * @example
 * await publishTable(ctx, { schema: "silver", name: "orders__staging_ab12" }, { schema: "silver", name: "orders" });
 */
export async function publishTable(
  ctx: AthenaContext,
  staging: Relation,
  target: Relation,
  options: { keepStagingEntry?: boolean } = {},
): Promise<PublishResult> {
  const retry = retryIn(ctx);
  const glue = ctx.clients.glue;
  const source = await getTable(ctx, staging);
  if (source === undefined) throw new Error(`cannot publish ${staging.schema}.${staging.name}: it is not in the Glue catalog`);
  const partitioned = (source.PartitionKeys ?? []).length > 0;
  const input = tableInput(source, target.name);

  let created = false;
  // Partitions are read before the swap: afterwards Glue keeps them but they belong to the old version.
  const oldPartitions = partitioned ? await listPartitionsIfExists(ctx, target) : [];
  try {
    await retry(() => glue.send(new UpdateTableCommand({ DatabaseName: target.schema, TableInput: input, SkipArchive: true })));
  } catch (error) {
    if (!(error instanceof Error && error.name === "EntityNotFoundException")) throw error;
    created = true;
    await retry(() => glue.send(new CreateTableCommand({ DatabaseName: target.schema, TableInput: input })));
  }

  const counts = { created: 0, updated: 0, deleted: 0 };
  if (partitioned) {
    const newPartitions = await getAllPartitions(ctx, staging);
    const oldByKey = new Map(oldPartitions.map((p) => [key(p), p]));
    const newKeys = new Set(newPartitions.map(key));
    const toUpdate = newPartitions.filter((p) => oldByKey.has(key(p)));
    const toCreate = newPartitions.filter((p) => !oldByKey.has(key(p)));
    const toDelete = oldPartitions.filter((p) => !newKeys.has(key(p)));

    for (const batch of chunks(toUpdate, GLUE_LIMITS.updatePartitions)) {
      const out = await retry(() =>
        glue.send(
          new BatchUpdatePartitionCommand({
            DatabaseName: target.schema,
            TableName: target.name,
            Entries: batch.map((p) => ({ PartitionValueList: p.Values ?? [], PartitionInput: partitionInput(p) })),
          }),
        ),
      );
      throwOnErrors("BatchUpdatePartition", target, out.Errors?.map((e) => e.ErrorDetail?.ErrorMessage));
      counts.updated += batch.length;
    }
    for (const batch of chunks(toCreate, GLUE_LIMITS.createPartitions)) {
      const out = await retry(() =>
        glue.send(
          new BatchCreatePartitionCommand({
            DatabaseName: target.schema,
            TableName: target.name,
            PartitionInputList: batch.map(partitionInput),
          }),
        ),
      );
      throwOnErrors("BatchCreatePartition", target, out.Errors?.map((e) => e.ErrorDetail?.ErrorMessage));
      counts.created += batch.length;
    }
    for (const batch of chunks(toDelete, GLUE_LIMITS.deletePartitions)) {
      const out = await retry(() =>
        glue.send(
          new BatchDeletePartitionCommand({
            DatabaseName: target.schema,
            TableName: target.name,
            PartitionsToDelete: batch.map((p) => ({ Values: p.Values ?? [] })),
          }),
        ),
      );
      throwOnErrors("BatchDeletePartition", target, out.Errors?.map((e) => e.ErrorDetail?.ErrorMessage));
      counts.deleted += batch.length;
    }
  }

  // Kept, the entry is harmless (same data, a name nobody reads) and dropped later in a batch.
  if (!options.keepStagingEntry) await retry(() => glue.send(new DeleteTableCommand({ DatabaseName: staging.schema, Name: staging.name })));
  return { location: source.StorageDescriptor?.Location, created, partitions: counts };
}

async function listPartitionsIfExists(ctx: AthenaContext, relation: Relation): Promise<Partition[]> {
  try {
    return await getAllPartitions(ctx, relation);
  } catch (error) {
    if (error instanceof Error && error.name === "EntityNotFoundException") return [];
    throw error;
  }
}

function partitionInput(p: Partition): PartitionInput {
  return { Values: p.Values, StorageDescriptor: p.StorageDescriptor, Parameters: p.Parameters };
}

const key = (p: Partition) => JSON.stringify(p.Values ?? []);

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function throwOnErrors(operation: string, relation: Relation, messages: (string | undefined)[] | undefined): void {
  if (messages === undefined || messages.length === 0) return;
  throw new Error(`Glue ${operation} on ${relation.schema}.${relation.name} failed for ${messages.length} partition(s): ${messages[0] ?? "unknown error"}`);
}
