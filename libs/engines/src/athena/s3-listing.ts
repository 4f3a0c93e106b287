import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";
import type { AthenaContext } from "./athena-clients.js";
import { retryIn } from "./glue-catalog.js";
import { parseS3Directory } from "./s3-location.js";

/** What a listing of a folder found. */
export interface FolderListing {
  bucket: string;
  /** The listed prefix (a folder: ends in `/`). */
  prefix: string;
  /** Every key under it. */
  keys: string[];
}

/**
 * Every object under `folder` (ListObjectsV2, 1,000 keys per page): e.g. the listing a partition
 * publish makes of its staging folder instead of reading the staging partitions from Glue (one
 * call for up to 1,000 files, and it names the files, so that they can be deleted by key once
 * retired; see `expiring-files.ts`), or the stale-data cleanup's listing of a table root.
 */
export async function listFolder(ctx: AthenaContext, folder: string): Promise<FolderListing> {
  const { bucket, prefix } = parseS3Directory(folder);
  if (prefix === "") throw new Error(`refusing to list a whole bucket: ${folder}`);
  const keys: string[] = [];
  for await (const page of listing(ctx, bucket)({ Prefix: prefix }))
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
  return { bucket, prefix, keys };
}

/** The pages of one ListObjectsV2 listing of `bucket` (retried as the target says). */
export function listing(ctx: AthenaContext, bucket: string) {
  return async function* (input: {
    Prefix: string;
    Delimiter?: string;
    StartAfter?: string;
  }): AsyncGenerator<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      const continuation = token;
      const page = await retryIn(ctx)(() =>
        ctx.clients.s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            ...(continuation === undefined
              ? input
              : {
                  Prefix: input.Prefix,
                  ContinuationToken: continuation,
                  ...(input.Delimiter ? { Delimiter: input.Delimiter } : {}),
                }),
          }),
        ),
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  };
}
