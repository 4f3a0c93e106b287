import {
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  BatchUpdatePartitionCommand,
  CreateTableCommand,
  DeleteTableCommand,
  UpdateTableCommand,
  type Partition,
  type PartitionInput,
  type Table,
  type TableInput,
} from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { DEFAULT_VERSIONS_TO_KEEP } from "../engine.js";
import {
  getAllPartitions,
  getTable,
  getTablesByName,
  retryIn,
  tableInput,
  docsOf,
  withDocs,
} from "./glue-catalog.js";
import {
  parseRetired,
  recordedIntents,
  RETIRED_PARAMETER,
  retire,
  type Retirement,
} from "./version-retention.js";
import { ownFolder } from "./s3-location.js";
import { refuseCloneWrite } from "./clone-guard.js";
import { asRecorded, encodePartitions, PARTITIONS_PARAMETER } from "./partition-record.js";
import { writtenPartitions } from "./written-partitions.js";
import { listFolder, type FolderListing } from "./s3-listing.js";
import { tableRoot } from "./s3-cleaner.js";

/** Glue batch limits per call. */
export const GLUE_LIMITS = {
  createPartitions: 100,
  updatePartitions: 100,
  deletePartitions: 25,
} as const;

/** What a publish did, for logs and tests. */
export interface PublishResult {
  /** Data location the published table now points at. */
  location: string | undefined;
  /** Whether the target was created (true) or swapped (false). */
  created: boolean;
  partitions: { created: number; updated: number; deleted: number };
  /** Earlier data locations kept for `versionsToKeep` (the stale-data cleanup leaves them). */
  retained: string[];
  /** The entry the target now has, as written (a later parameter update needs no read). */
  entry: TableInput;
  /**
   * Expired locations outside the target's own folder, which the stale-data cleanup (a listing
   * of that folder) never reaches: still listed as retired (`pending`) until they are deleted
   * (`removeExpired`, which checks that no other table reads them), then `kept`.
   */
  expired: Retirement;
  /**
   * Every object under the table root (`<…>/<table>/`), listed by the publish before its swap:
   * the stale-data cleanup that follows uses it instead of listing again.
   */
  rootListing?: FolderListing;
}

/**
 * Publish a staging table (just written by a CTAS at a fresh location) as `target`: point the
 * target's Glue entry at the staging table's storage descriptor (UpdateTable with SkipArchive,
 * or CreateTable the first time), align the partitions, then delete the staging Glue entry
 * (its data is now the target's). Everything the swap needs (both tables, both partition lists)
 * is read before the first write, so a failed read changes nothing. An unpartitioned swap is one
 * UpdateTable. A partitioned swap takes several Glue calls and Glue has no transactions: when a
 * write fails, the calls already made are undone in reverse order from what was read before (the
 * old table entry, the old partitions; a table created by this publish is deleted), so the
 * published table is again the old version and the error is rethrown. Common partitions are
 * repointed in place, new ones created, gone ones deleted last. The staging entry is left for the
 * next run to clean up. With `keepStagingEntry` the caller drops it later (see deferredCleanup).
 * `parameters` are set on the published entry by the same table call (e.g. the version's
 * watermark), so a reader never sees a version with another version's parameters; so is the list
 * of earlier data locations kept for `versionsToKeep` (the old version's locations first, see
 * {@link retire}), which the result returns as `retained` for the stale-data cleanup to spare.
 *
 * @example
 * await publishTable(ctx, { schema: "silver", name: "orders__staging_ab12" }, { schema: "silver", name: "orders" });
 */
export async function publishTable(
  ctx: AthenaContext,
  staging: Relation,
  target: Relation,
  options: {
    keepStagingEntry?: boolean;
    parameters?: Readonly<Record<string, string>>;
    versionsToKeep?: number;
  } = {},
): Promise<PublishResult> {
  const retry = retryIn(ctx);
  const glue = ctx.clients.glue;
  // Both entries in one read when they share a database (they always do in sluice).
  const [source, previous] = await readPair(ctx, staging, target);
  // A clone's location is another table's: retiring it would delete that table's data.
  refuseCloneWrite(target, previous, "publish a new version over");
  if (source === undefined)
    throw new Error(
      `cannot publish ${staging.schema}.${staging.name}: it is not in the Glue catalog`,
    );
  const partitioned = (source.PartitionKeys ?? []).length > 0;
  // Read before the swap: afterwards the old partitions are still in Glue but the entry is the new one.
  const oldPartitions =
    (previous?.PartitionKeys ?? []).length > 0 ? await getAllPartitions(ctx, target) : [];
  const retirement = retire(
    previous?.Parameters?.[RETIRED_PARAMETER],
    // With the locations an interrupted partition publish repointed away from (none read now).
    previous === undefined
      ? []
      : [
          ...new Set([
            ...readLocations(previous, oldPartitions),
            ...recordedIntents(previous).map((i) => i.location),
          ]),
        ],
    options.versionsToKeep ?? DEFAULT_VERSIONS_TO_KEEP,
  );
  // The staging partitions are the published table's: the entry records them (see
  // PARTITIONS_PARAMETER), so the next partition publish needs no partition read.
  // Listed from the table root (one call for up to 1,000 objects): the staging folder's objects
  // give its partitions and their files (recorded, so that their data is deleted by key when it
  // expires), and the listing is the stale-data cleanup's too (`rootListing`), which lists that
  // root after every full publish. A root the cleanup refuses: the staging folder alone. Not
  // laid out as Hive writes, or empty, the partitions are read from Glue (a swap to no
  // partitions drops every partition the table has: an empty folder is not trusted for that).
  const keys = (source.PartitionKeys ?? []).map((k) => k.Name ?? "");
  const sourceLocation = source.StorageDescriptor?.Location;
  const root = sourceLocation === undefined ? undefined : tableRoot(target, sourceLocation);
  const rootListing =
    partitioned && sourceLocation !== undefined
      ? await listFolder(ctx, root ?? sourceLocation)
      : undefined;
  const found =
    rootListing === undefined ? undefined : writtenPartitions(keys, sourceLocation!, rootListing);
  const written = found?.length === 0 ? undefined : found;
  const newPartitions = !partitioned
    ? []
    : written === undefined
      ? await getAllPartitions(ctx, staging)
      : written.map((p) => ({
          Values: p.values,
          StorageDescriptor: { ...source.StorageDescriptor, Location: p.location },
        }));
  // Expired locations under the target's folder go with the stale-data cleanup's listing of it;
  // others stay listed until removeExpired has deleted them (or found another table reading them).
  const foreign = retirement.expired.filter((l) => !ownFolder(target, l));
  const listed =
    foreign.length === 0
      ? retirement.kept
      : JSON.stringify([...parseRetired(retirement.kept), foreign]);
  const expired: Retirement = { pending: listed, kept: retirement.kept, expired: foreign };
  const input = withDocs(
    tableInput(source, target.name, {
      ...options.parameters,
      [RETIRED_PARAMETER]: listed,
      ...(partitioned
        ? {
            [PARTITIONS_PARAMETER]: encodePartitions(keys, written ?? asRecorded(newPartitions)),
          }
        : {}),
    }),
    docsOf(ctx, target),
  );

  let created = false;
  const counts = { created: 0, updated: 0, deleted: 0 };
  if (!partitioned) {
    try {
      await retry(() =>
        glue.send(
          new UpdateTableCommand({
            DatabaseName: target.schema,
            TableInput: input,
            SkipArchive: true,
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof Error && error.name === "EntityNotFoundException")) throw error;
      created = true;
      await retry(() =>
        glue.send(new CreateTableCommand({ DatabaseName: target.schema, TableInput: input })),
      );
    }
  } else {
    const plan = partitionPlan(oldPartitions, newPartitions);
    const done: SwapProgress = { table: "none", updated: [], created: [], deleted: [] };
    try {
      // One table call either happens or not: it counts as done only once it returned.
      if (previous === undefined) {
        await retry(() =>
          glue.send(new CreateTableCommand({ DatabaseName: target.schema, TableInput: input })),
        );
        done.table = "created";
      } else {
        await retry(() =>
          glue.send(
            new UpdateTableCommand({
              DatabaseName: target.schema,
              TableInput: input,
              SkipArchive: true,
            }),
          ),
        );
        done.table = "updated";
      }
      created = previous === undefined;
      await applyPartitions(ctx, target, plan, done, counts);
    } catch (error) {
      await rollBack(ctx, target, previous, plan, done, error);
      throw error;
    }
  }

  // Kept, the entry is harmless (same data, a name nobody reads) and dropped later in a batch.
  if (!options.keepStagingEntry)
    await retry(() =>
      glue.send(new DeleteTableCommand({ DatabaseName: staging.schema, Name: staging.name })),
    );
  return {
    location: source.StorageDescriptor?.Location,
    created,
    partitions: counts,
    retained: parseRetired(retirement.kept).flat(),
    entry: input,
    expired,
    ...(rootListing !== undefined && root !== undefined ? { rootListing } : {}),
  };
}

async function readPair(
  ctx: AthenaContext,
  staging: Relation,
  target: Relation,
): Promise<[Table | undefined, Table | undefined]> {
  if (staging.schema !== target.schema)
    return [await getTable(ctx, staging), await getTable(ctx, target)];
  const tables = await getTablesByName(ctx, target.schema, [staging.name, target.name]);
  return [tables.get(staging.name.toLowerCase()), tables.get(target.name.toLowerCase())];
}

/** The data locations a table reads: its own and those of partitions outside it, deduplicated. */
function readLocations(table: Table, partitions: readonly Partition[]): string[] {
  const own = table.StorageDescriptor?.Location;
  const dir = (l: string) => `${l.replace(/\/+$/, "")}/`;
  const outside = partitions
    .map((p) => p.StorageDescriptor?.Location)
    .filter(
      (l): l is string => l !== undefined && (own === undefined || !dir(l).startsWith(dir(own))),
    );
  return [...new Set([...(own === undefined ? [] : [own]), ...outside])];
}

export interface PartitionPlan {
  toUpdate: Partition[];
  toCreate: Partition[];
  toDelete: Partition[];
  oldByKey: Map<string, Partition>;
}

/** The writes made so far (a failed batch counts as attempted: Glue may have applied part of it). */
export interface SwapProgress {
  table: "none" | "updated" | "created";
  updated: Partition[];
  created: Partition[];
  deleted: Partition[];
}

function partitionPlan(oldPartitions: Partition[], newPartitions: Partition[]): PartitionPlan {
  const oldByKey = new Map(oldPartitions.map((p) => [key(p), p]));
  const newKeys = new Set(newPartitions.map(key));
  return {
    toUpdate: newPartitions.filter((p) => oldByKey.has(key(p))),
    toCreate: newPartitions.filter((p) => !oldByKey.has(key(p))),
    toDelete: oldPartitions.filter((p) => !newKeys.has(key(p))),
    oldByKey,
  };
}

export async function applyPartitions(
  ctx: AthenaContext,
  target: Relation,
  plan: PartitionPlan,
  done: SwapProgress,
  counts: PublishResult["partitions"],
): Promise<void> {
  for (const batch of chunks(plan.toUpdate, GLUE_LIMITS.updatePartitions)) {
    done.updated.push(...batch);
    await updatePartitions(ctx, target, batch, []);
    counts.updated += batch.length;
  }
  for (const batch of chunks(plan.toCreate, GLUE_LIMITS.createPartitions)) {
    done.created.push(...batch);
    await createPartitions(ctx, target, batch, []);
    counts.created += batch.length;
  }
  for (const batch of chunks(plan.toDelete, GLUE_LIMITS.deletePartitions)) {
    done.deleted.push(...batch);
    await deletePartitions(ctx, target, batch, []);
    counts.deleted += batch.length;
  }
}

/**
 * Undo `done` in reverse order. Errors saying the undo is already in place (a partition that is
 * already there or already gone) are expected after a partly applied batch and ignored. If the
 * undo fails too, the error says so: the table may then mix versions until the next run.
 */
export async function rollBack(
  ctx: AthenaContext,
  target: Relation,
  previous: Table | undefined,
  plan: PartitionPlan,
  done: SwapProgress,
  cause: unknown,
): Promise<void> {
  const retry = retryIn(ctx);
  const glue = ctx.clients.glue;
  try {
    if (done.table === "created") {
      // The table did not exist before this publish: as it was means absent (its partitions go with it).
      await retry(() =>
        glue.send(new DeleteTableCommand({ DatabaseName: target.schema, Name: target.name })),
      ).catch(ignore("EntityNotFoundException"));
      return;
    }
    for (const batch of chunks(done.deleted, GLUE_LIMITS.createPartitions))
      await createPartitions(ctx, target, batch, ["AlreadyExistsException"]);
    for (const batch of chunks(done.created, GLUE_LIMITS.deletePartitions))
      await deletePartitions(ctx, target, batch, ["EntityNotFoundException"]);
    const restore = done.updated
      .map((p) => plan.oldByKey.get(key(p)))
      .filter((p): p is Partition => p !== undefined);
    for (const batch of chunks(restore, GLUE_LIMITS.updatePartitions))
      await updatePartitions(ctx, target, batch, []);
    if (done.table !== "updated" || previous === undefined) return;
    await retry(() =>
      glue.send(
        new UpdateTableCommand({
          DatabaseName: target.schema,
          TableInput: tableInput(previous, target.name),
          SkipArchive: true,
        }),
      ),
    );
  } catch (undo) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const undoReason = undo instanceof Error ? undo.message : String(undo);
    throw new Error(
      `publishing ${target.schema}.${target.name} failed (${reason}) and restoring the previous version failed too (${undoReason}); it may mix old and new partitions until the next successful run`,
      { cause },
    );
  }
}

const ignore = (name: string) => (error: unknown) => {
  if (!(error instanceof Error && error.name === name)) throw error;
};

async function updatePartitions(
  ctx: AthenaContext,
  target: Relation,
  batch: Partition[],
  tolerated: string[],
): Promise<void> {
  const out = await retryIn(ctx)(() =>
    ctx.clients.glue.send(
      new BatchUpdatePartitionCommand({
        DatabaseName: target.schema,
        TableName: target.name,
        Entries: batch.map((p) => ({
          PartitionValueList: p.Values ?? [],
          PartitionInput: partitionInput(p),
        })),
      }),
    ),
  );
  throwOnErrors("BatchUpdatePartition", target, out.Errors, tolerated);
}

async function createPartitions(
  ctx: AthenaContext,
  target: Relation,
  batch: Partition[],
  tolerated: string[],
): Promise<void> {
  const out = await retryIn(ctx)(() =>
    ctx.clients.glue.send(
      new BatchCreatePartitionCommand({
        DatabaseName: target.schema,
        TableName: target.name,
        PartitionInputList: batch.map(partitionInput),
      }),
    ),
  );
  throwOnErrors("BatchCreatePartition", target, out.Errors, tolerated);
}

async function deletePartitions(
  ctx: AthenaContext,
  target: Relation,
  batch: Partition[],
  tolerated: string[],
): Promise<void> {
  const out = await retryIn(ctx)(() =>
    ctx.clients.glue.send(
      new BatchDeletePartitionCommand({
        DatabaseName: target.schema,
        TableName: target.name,
        PartitionsToDelete: batch.map((p) => ({ Values: p.Values ?? [] })),
      }),
    ),
  );
  throwOnErrors("BatchDeletePartition", target, out.Errors, tolerated);
}

function partitionInput(p: Partition): PartitionInput {
  return { Values: p.Values, StorageDescriptor: p.StorageDescriptor, Parameters: p.Parameters };
}

export const key = (p: Partition) => JSON.stringify(p.Values ?? []);

export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** A Glue batch call's per-entry errors: which partitions failed, with which error code. */
export class PartitionEntryErrors extends Error {
  constructor(
    message: string,
    readonly failed: readonly { values: string[]; code: string }[],
  ) {
    super(message);
  }
}

/** Throw on a Glue batch call's per-entry errors, except those whose code is `tolerated`. */
function throwOnErrors(
  operation: string,
  relation: Relation,
  errors:
    | readonly {
        PartitionValues?: string[];
        PartitionValueList?: string[];
        ErrorDetail?: { ErrorCode?: string; ErrorMessage?: string };
      }[]
    | undefined,
  tolerated: readonly string[],
): void {
  const failed = (errors ?? []).filter((e) => !tolerated.includes(e.ErrorDetail?.ErrorCode ?? ""));
  if (failed.length === 0) return;
  const first = failed[0]?.ErrorDetail;
  throw new PartitionEntryErrors(
    `Glue ${operation} on ${relation.schema}.${relation.name} failed for ${failed.length} partition(s): ${first?.ErrorMessage ?? "unknown error"} (${first?.ErrorCode ?? "no error code"})`,
    failed.map((e) => ({
      values: e.PartitionValues ?? e.PartitionValueList ?? [],
      code: e.ErrorDetail?.ErrorCode ?? "",
    })),
  );
}
