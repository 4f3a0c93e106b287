import { DeleteObjectsCommand } from "@aws-sdk/client-s3";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { retryIn } from "./glue-catalog.js";
import { parseS3Directory } from "./s3-location.js";
import { listFolder, listing, type FolderListing } from "./s3-listing.js";

/** DeleteObjects accepts at most 1,000 keys per call. */
const DELETE_PAGE = 1000;

/**
 * Delete every object under the table's root prefix except those under `keepLocation` or a
 * `retain` location (earlier versions kept for `versions_to_keep`).
 * Table data lives at `<table root>/<version>/`, so the root is the parent of `keepLocation`;
 * as a guard against deleting a whole schema, that root must end in the table's name.
 */
export async function removeStaleObjects(
  ctx: AthenaContext,
  relation: Relation,
  keepLocation: string,
  retain: readonly string[] = [],
): Promise<number> {
  const { bucket, root, kept } = staleRoot(relation, keepLocation, retain);
  return deleteObjects(ctx, bucket, root, (key) => !kept(key));
}

/**
 * The keys {@link removeStaleObjects} would delete, listed but not deleted (so that deletes of
 * several tables can share DeleteObjects calls). `listed`: a listing of the table root made
 * earlier in the run (by the publish, see {@link tableRoot}), used instead of listing again.
 */
export async function listStaleObjects(
  ctx: AthenaContext,
  relation: Relation,
  keepLocation: string,
  retain: readonly string[] = [],
  listed?: FolderListing,
): Promise<{ bucket: string; keys: string[] }> {
  const { bucket, root, kept } = staleRoot(relation, keepLocation, retain);
  const { keys } =
    listed !== undefined && listed.bucket === bucket && listed.prefix === root
      ? listed
      : await listFolder(ctx, `s3://${bucket}/${root}`);
  return { bucket, keys: keys.filter((key) => !kept(key)) };
}

/**
 * The root the stale-data cleanup lists for a table whose new version is at `keepLocation`
 * (`s3://bucket/<…>/<table>/`), or undefined when it would refuse to clean it.
 */
export function tableRoot(relation: Relation, keepLocation: string): string | undefined {
  try {
    const { bucket, root } = staleRoot(relation, keepLocation, []);
    return `s3://${bucket}/${root}`;
  } catch {
    return undefined;
  }
}

/** Delete these keys of one bucket, 1,000 per DeleteObjects call. */
export async function deleteKeys(
  ctx: AthenaContext,
  bucket: string,
  keys: readonly string[],
): Promise<number> {
  for (let i = 0; i < keys.length; i += DELETE_PAGE)
    await deletePage(ctx, bucket, keys.slice(i, i + DELETE_PAGE));
  return keys.length;
}

/**
 * Delete these keys of one bucket, 1,000 per DeleteObjects call, going on past failures: the
 * keys not deleted, each with why (S3's per-key `Errors`, or the whole call's error).
 */
export async function deleteEachKey(
  ctx: AthenaContext,
  bucket: string,
  keys: readonly string[],
): Promise<{ deleted: number; failed: Map<string, string> }> {
  const failed = new Map<string, string>();
  let deleted = 0;
  for (let i = 0; i < keys.length; i += DELETE_PAGE) {
    const page = keys.slice(i, i + DELETE_PAGE);
    try {
      const errors = await sendDelete(ctx, bucket, page);
      for (const e of errors) failed.set(e.Key ?? "", `${e.Code} ${e.Message}`);
      deleted += page.length - errors.length;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const key of page) failed.set(key, reason);
    }
  }
  return { deleted, failed };
}

/** Table data lives at `<table root>/<version>/`; the root must be a folder named after the table. */
function staleRoot(
  relation: Relation,
  keepLocation: string,
  retain: readonly string[],
): { bucket: string; root: string; kept: (key: string) => boolean } {
  const keep = parseS3Directory(keepLocation);
  const prefixes = [
    keep.prefix,
    ...retain
      .map(parseS3Directory)
      .filter((r) => r.bucket === keep.bucket && r.prefix !== "")
      .map((r) => r.prefix),
  ];
  const root = keep.prefix.replace(/[^/]+\/$/, "");
  if (!root.endsWith(`/${relation.name}/`) && root !== `${relation.name}/`) {
    throw new Error(
      `refusing to clean ${keepLocation}: its parent is not a folder named after table ${relation.name}`,
    );
  }
  return { bucket: keep.bucket, root, kept: (key) => prefixes.some((p) => key.startsWith(p)) };
}

/** One DeleteObjects call (quiet: only failures come back); S3's per-key errors. */
async function sendDelete(ctx: AthenaContext, bucket: string, keys: readonly string[]) {
  const result = await retryIn(ctx)(() =>
    ctx.clients.s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    ),
  );
  return result.Errors ?? [];
}

async function deletePage(
  ctx: AthenaContext,
  bucket: string,
  keys: readonly string[],
): Promise<void> {
  const failed = await sendDelete(ctx, bucket, keys);
  if (failed.length > 0) {
    throw new Error(
      `S3 DeleteObjects failed for ${failed.length} object(s), e.g. ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`,
    );
  }
}

/**
 * Delete every object under the given S3 directories (one listing per directory; deletes in
 * pages of 1,000 keys per bucket).
 */
export async function removeLocations(
  ctx: AthenaContext,
  locations: readonly string[],
): Promise<number> {
  let deleted = 0;
  const byBucket = new Map<string, string[]>();
  for (const location of locations) {
    const { bucket, prefix } = parseS3Directory(location);
    if (prefix === "") throw new Error(`refusing to delete a whole bucket: ${location}`);
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), prefix]);
  }
  for (const [bucket, prefixes] of byBucket) {
    // A common parent listed once is cheaper than one listing per partition directory.
    const parent = commonParent(prefixes);
    const within = (key: string) => prefixes.some((p) => key.startsWith(p));
    deleted +=
      prefixes.length === 1 || parent === ""
        ? await deleteEach(ctx, bucket, prefixes)
        : await deleteObjects(ctx, bucket, parent, within);
  }
  return deleted;
}

async function deleteEach(
  ctx: AthenaContext,
  bucket: string,
  prefixes: readonly string[],
): Promise<number> {
  let deleted = 0;
  for (const prefix of prefixes) deleted += await deleteObjects(ctx, bucket, prefix, () => true);
  return deleted;
}

function commonParent(prefixes: readonly string[]): string {
  const parents = prefixes.map((p) => p.replace(/[^/]+\/$/, ""));
  const first = parents[0] ?? "";
  return parents.every((p) => p === first) ? first : "";
}

/** List `prefix` and delete the keys `wanted` accepts, 1,000 per DeleteObjects call. */
async function deleteObjects(
  ctx: AthenaContext,
  bucket: string,
  prefix: string,
  wanted: (key: string) => boolean,
): Promise<number> {
  let pending: string[] = [];
  let deleted = 0;
  const flush = async (keys: string[]) => {
    await deletePage(ctx, bucket, keys);
    deleted += keys.length;
  };

  for await (const page of listing(ctx, bucket)({ Prefix: prefix })) {
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined && wanted(object.Key)) pending.push(object.Key);
    }
    while (pending.length >= DELETE_PAGE) {
      await flush(pending.slice(0, DELETE_PAGE));
      pending = pending.slice(DELETE_PAGE);
    }
  }
  if (pending.length > 0) await flush(pending);
  return deleted;
}
