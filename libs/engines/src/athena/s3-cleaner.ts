import { DeleteObjectsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { retryThrottled } from "./retry.js";
import { parseS3Directory } from "./s3-location.js";

/** DeleteObjects accepts at most 1,000 keys per call. */
const DELETE_PAGE = 1000;

/**
 * Delete every object under the table's root prefix except those under `keepLocation`.
 * Table data lives at `<table root>/<version>/`, so the root is the parent of `keepLocation`;
 * as a guard against deleting a whole schema, that root must end in the table's name.
 */
export async function removeStaleObjects(ctx: AthenaContext, relation: Relation, keepLocation: string): Promise<number> {
  const keep = parseS3Directory(keepLocation);
  const root = keep.prefix.replace(/[^/]+\/$/, "");
  if (!root.endsWith(`/${relation.name}/`) && root !== `${relation.name}/`) {
    throw new Error(`refusing to clean ${keepLocation}: its parent is not a folder named after table ${relation.name}`);
  }
  const retry = <T>(fn: () => Promise<T>) => retryThrottled(fn, { sleep: ctx.sleep, random: ctx.random });
  let pending: string[] = [];
  let deleted = 0;
  const flush = async (keys: string[]) => {
    const result = await retry(() =>
      ctx.clients.s3.send(
        new DeleteObjectsCommand({ Bucket: keep.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
      ),
    );
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      throw new Error(`S3 DeleteObjects failed for ${failed.length} object(s), e.g. ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`);
    }
    deleted += keys.length;
  };

  let token: string | undefined;
  do {
    const continuation = token;
    const page = await retry(() =>
      ctx.clients.s3.send(new ListObjectsV2Command({ Bucket: keep.bucket, Prefix: root, ContinuationToken: continuation })),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined && !object.Key.startsWith(keep.prefix)) pending.push(object.Key);
    }
    while (pending.length >= DELETE_PAGE) {
      await flush(pending.slice(0, DELETE_PAGE));
      pending = pending.slice(DELETE_PAGE);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  if (pending.length > 0) await flush(pending);
  return deleted;
}
