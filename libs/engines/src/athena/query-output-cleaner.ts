import { GetQueryExecutionCommand } from "@aws-sdk/client-athena";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { AthenaContext } from "./athena-clients.js";
import { retryIn } from "./glue-catalog.js";
import { deleteKeys } from "./s3-cleaner.js";
import { parseS3Directory } from "./s3-location.js";

/**
 * Delete the files a failed (or cancelled) CTAS/INSERT wrote before it failed, so that a retry
 * of the same rows cannot duplicate them. Athena lists them in the query's data manifest
 * (`Statistics.DataManifestLocation`, one S3 URL per line, including files it meant to write).
 * Only files under `within` (the table's location) are deleted; a missing manifest object means
 * the query wrote nothing. Without a manifest location at all the files cannot be known: that
 * throws, rather than let a retry duplicate rows.
 *
 * @returns how many objects were deleted
 */
export async function removeQueryOutput(
  ctx: AthenaContext,
  queryId: string,
  within: string,
): Promise<number> {
  const retry = retryIn(ctx);
  const execution = await retry(() =>
    ctx.clients.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId })),
  );
  const manifest = execution.QueryExecution?.Statistics?.DataManifestLocation;
  if (manifest === undefined)
    throw new Error(
      `Athena query ${queryId} has no data manifest: cannot tell which files it wrote before failing`,
    );
  const { bucket, key } = parseS3Object(manifest);
  let text: string;
  try {
    const object = await retry(() =>
      ctx.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
    );
    text = (await object.Body?.transformToString()) ?? "";
  } catch (error) {
    if (error instanceof Error && (error.name === "NoSuchKey" || error.name === "NotFound"))
      return 0;
    throw error;
  }
  const root = parseS3Directory(within);
  const keys = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    const url = line.trim().replace(/^"|"$/g, "");
    if (url === "") continue;
    const file = parseS3Object(url);
    if (file.bucket !== root.bucket || !file.key.startsWith(root.prefix)) continue;
    keys.set(file.bucket, [...(keys.get(file.bucket) ?? []), file.key]);
  }
  let deleted = 0;
  for (const [b, list] of keys) deleted += await deleteKeys(ctx, b, list);
  return deleted;
}

function parseS3Object(url: string): { bucket: string; key: string } {
  const match = /^s3a?:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new Error(`not an S3 object: ${url}`);
  return { bucket: match[1]!, key: match[2]! };
}
