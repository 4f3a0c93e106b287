import { BatchDeleteTableCommand } from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { CleanupOutcome } from "../engine.js";
import type { AthenaContext } from "./athena-clients.js";
import { retryIn, setTableParameters } from "./glue-catalog.js";
import { deleteEachKey, listStaleObjects, removeLocations } from "./s3-cleaner.js";
import type { KeysToDelete } from "./expiring-files.js";
import type { FolderListing } from "./s3-listing.js";
import { RETIRED_PARAMETER, type Retirement } from "./version-retention.js";
import { readersOf } from "./location-readers.js";
import { ownFolder } from "./s3-location.js";

/** BatchDeleteTable takes at most 100 table names per call. */
const DELETE_TABLES_PAGE = 100;
/**
 * Concurrent S3 listings (one per table root). A run that leaves every table unchanged queues
 * them all at once and waits for them at its end: 48 keep that to one round trip for ~50 tables,
 * below the SDK's 50 sockets per client and far below S3's 5,500 LIST/s per prefix.
 */
const LISTING_CONCURRENCY = 48;

/**
 * Cleanup that is safe to do late, queued during a run and done once at its end, in batches:
 * Glue entries of published staging tables (their data is the published table's, so only the
 * entry goes: BatchDeleteTable, 100 names per call), the old data of republished tables (one
 * listing per table root) and the expired objects partition publishes named by key. Every
 * object goes in DeleteObjects calls of 1,000 keys shared across tables. A staging entry with
 * expired objects is dropped only once they are all deleted: its table's `sluice_expiring`
 * names it, and whatever drops it later deletes them first (see expiring-files.ts); one whose
 * deletes failed (per-key `Errors` included) stays for the next build, and the flush fails
 * saying so.
 * Nothing queued is ever read again, so a crash before the flush costs only leftovers, which
 * the next build of the table removes (staging sweep, stale-location cleanup). A table root's
 * listing starts when it is queued (at most 48 at a time, far below S3's request rates) while
 * later nodes run: nothing writes there after its publish; only the deletes wait for the end.
 */
export function deferredCleanup(ctx: AthenaContext) {
  let stagingEntries: { relation: Relation; expiring: readonly KeysToDelete[] }[] = [];
  let staleListings: Promise<{ bucket: string; keys: string[] }>[] = [];
  const limit = limiter(LISTING_CONCURRENCY);
  let expired: { relation: Relation; retirement: Retirement }[] = [];

  return {
    /** Drop a staging entry, after deleting `expiring` (expired objects its table names it for). */
    dropEntryLater(relation: Relation, expiring: readonly KeysToDelete[] = []): void {
      stagingEntries.push({ relation, expiring });
    },
    /** Delete a table's stale data (`listed`: its root's listing, made by its publish). */
    removeStaleLater(
      relation: Relation,
      keepLocation: string,
      retain: readonly string[],
      listed?: FolderListing,
    ): void {
      const listing = limit(() => listStaleObjects(ctx, relation, keepLocation, retain, listed));
      // A failed listing is reported by the flush (the cleanup's error), never unhandled.
      listing.catch(() => undefined);
      staleListings.push(listing);
    },
    /** Delete a table's expired locations (see {@link retire}), then stop listing them. */
    removeExpiredLater(relation: Relation, retirement: Retirement): void {
      expired.push({ relation, retirement });
    },
    async flush(): Promise<CleanupOutcome> {
      const entries = stagingEntries;
      const stale = staleListings;
      const retired = expired;
      stagingEntries = [];
      staleListings = [];
      expired = [];
      // Entries that mark expired objects are dropped after their deletes; with none, every
      // entry goes at once, meanwhile (one BatchDeleteTable per database either way).
      const marking = entries.some((e) => e.expiring.length > 0);
      const [deletes, expiredDeleted, droppedAtOnce] = await Promise.all([
        deleteShared(ctx, stale, entries),
        removeExpired(ctx, retired),
        marking
          ? 0
          : dropEntries(
              ctx,
              entries.map((e) => e.relation),
            ),
      ]);
      const blocked = new Set(deletes.blocked);
      const tablesDropped = marking
        ? await dropEntries(
            ctx,
            entries.filter((e) => !blocked.has(e)).map((e) => e.relation),
          )
        : droppedAtOnce;
      if (deletes.error !== undefined) throw deletes.error;
      return { tablesDropped, objectsDeleted: deletes.deleted + expiredDeleted };
    },
  };
}

async function dropEntries(ctx: AthenaContext, entries: readonly Relation[]): Promise<number> {
  const byDatabase = groupBy(entries, (r) => r.schema);
  let dropped = 0;
  for (const [database, relations] of byDatabase) {
    for (let i = 0; i < relations.length; i += DELETE_TABLES_PAGE) {
      const names = relations.slice(i, i + DELETE_TABLES_PAGE).map((r) => r.name);
      const out = await retryIn(ctx)(() =>
        ctx.clients.glue.send(
          new BatchDeleteTableCommand({ DatabaseName: database, TablesToDelete: names }),
        ),
      );
      const errors = (out.Errors ?? []).filter(
        (e) => e.ErrorDetail?.ErrorCode !== "EntityNotFoundException",
      );
      if (errors.length > 0) {
        throw new Error(
          `Glue BatchDeleteTable in ${database} failed for ${errors.length} table(s), e.g. ${errors[0]?.TableName}: ${errors[0]?.ErrorDetail?.ErrorMessage ?? "unknown error"}`,
        );
      }
      dropped += names.length - (out.Errors?.length ?? 0);
    }
  }
  return dropped;
}

/**
 * The stale objects listed and the expired objects named by key, deleted together per bucket
 * (1,000 keys per DeleteObjects call, whatever table they belong to). `blocked`: the staging
 * entries with an expired object not deleted (to keep); `error`: what failed, if anything.
 */
async function deleteShared(
  ctx: AthenaContext,
  stale: readonly Promise<{ bucket: string; keys: string[] }>[],
  entries: readonly { relation: Relation; expiring: readonly KeysToDelete[] }[],
): Promise<{ deleted: number; blocked: typeof entries; error?: Error }> {
  const settled = await Promise.allSettled(stale);
  const listed = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failedListing = settled.find((s) => s.status === "rejected");
  const all = [...listed, ...entries.flatMap((e) => e.expiring)];
  let deleted = 0;
  const failed = new Map<string, string>();
  for (const [bucket, found] of groupBy(all, (l) => l.bucket)) {
    const out = await deleteEachKey(ctx, bucket, [...new Set(found.flatMap((l) => l.keys))]);
    deleted += out.deleted;
    for (const [key, reason] of out.failed) failed.set(`${bucket}/${key}`, reason);
  }
  const blocked = entries.filter((e) =>
    e.expiring.some((d) => d.keys.some((k) => failed.has(`${d.bucket}/${k}`))),
  );
  const reasons: string[] = [];
  if (failedListing !== undefined) {
    const reason = (failedListing as PromiseRejectedResult).reason as unknown;
    reasons.push(reason instanceof Error ? reason.message : String(reason));
  }
  if (failed.size > 0) {
    const [key, reason] = [...failed][0]!;
    reasons.push(
      `S3 DeleteObjects failed for ${failed.size} object(s), e.g. s3://${key}: ${reason}` +
        (blocked.length === 0
          ? ""
          : `; the staging entries ${blocked.map((e) => `${e.relation.schema}.${e.relation.name}`).join(", ")} are kept, and the next build deletes their tables' expired objects again`),
    );
  }
  return {
    deleted,
    blocked,
    ...(reasons.length === 0 ? {} : { error: new Error(reasons.join("; ")) }),
  };
}

/**
 * Delete expired locations, then record them gone. A failure leaves them listed in the table's
 * parameter, so the next publish of the table deletes them. A location outside the table's own
 * folder (no folder of its path is named after the table: e.g. an earlier `external_location`)
 * is deleted only when no other Glue table or partition reads it ({@link readersOf}); one that
 * is read stays, with a warning naming the location and its reader, and is no longer listed.
 */
export async function removeExpired(
  ctx: AthenaContext,
  retired: readonly { relation: Relation; retirement: Retirement }[],
): Promise<number> {
  let deleted = 0;
  for (const { relation, retirement } of retired) {
    const foreign = retirement.expired.filter((l) => !ownFolder(relation, l));
    const readers =
      foreign.length === 0 ? new Map<string, string>() : await readersOf(ctx, foreign, [relation]);
    for (const [location, reader] of readers)
      (ctx.warn ?? ctx.log)?.(
        `${relation.schema}.${relation.name}: its old location ${location} is not deleted: ${reader} reads it`,
      );
    const expired = retirement.expired.filter((l) => !readers.has(l));
    if (expired.length > 0) deleted += await removeLocations(ctx, expired);
    if (retirement.kept !== retirement.pending)
      await setTableParameters(ctx, relation, { [RETIRED_PARAMETER]: retirement.kept });
  }
  return deleted;
}

/** Run at most `n` of the functions given at once, in the order given. */
function limiter(n: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
