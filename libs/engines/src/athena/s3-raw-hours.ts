import { createHash } from "node:crypto";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { RawZoneListing } from "../engine.js";
import type { AthenaContext } from "./athena-clients.js";
import { retryIn } from "./glue-catalog.js";
import { parseS3Directory } from "./s3-location.js";

/** A key under the raw zone in Firehose's layout: `YYYY/MM/DD/HH/<file>`. */
const HOUR_FILE = /^(\d{4}\/\d{2}\/\d{2}\/\d{2})\/([^/]+)$/;

/**
 * The raw hours (`YYYY/MM/DD/HH`) under an S3 raw zone from hour `from` on, each with a signature
 * of its objects (keys, sizes, ETags: it changes when an object lands, goes or is rewritten), and
 * the keys outside that layout (not read). S3 lists keys in order, so the listing starts after
 * `from`'s prefix and never pages through older hours: one ListObjectsV2 call per 1,000 keys of
 * the window.
 *
 * @example await listS3RawHours(ctx, "s3://lake/raw/events/", "2026/11/27/20")
 * // { hours: Map { "2026/11/27/20" => "2:3f9a…", "2026/11/27/21" => "1:0c1d…" }, strays: [] }
 */
export async function listS3RawHours(
  ctx: AthenaContext,
  location: string,
  from = "",
): Promise<RawZoneListing> {
  const { bucket, prefix } = parseS3Directory(location);
  const files = new Map<string, string[]>();
  const strays: string[] = [];
  const modified = new Map<string, number>();
  let token: string | undefined;
  do {
    const continuation = token;
    const page = await retryIn(ctx)(() =>
      ctx.clients.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(continuation === undefined
            ? from === ""
              ? {}
              : { StartAfter: `${prefix}${from}` }
            : { ContinuationToken: continuation }),
        }),
      ),
    );
    for (const object of page.Contents ?? []) {
      const key = (object.Key ?? "").slice(prefix.length);
      const m = HOUR_FILE.exec(key);
      if (!m) {
        strays.push(key);
        continue;
      }
      if (m[1]! < from) continue;
      const entry = `${m[2]}\t${object.Size ?? 0}\t${object.ETag ?? ""}`;
      files.set(m[1]!, [...(files.get(m[1]!) ?? []), entry]);
      const at = object.LastModified?.getTime() ?? 0;
      modified.set(m[1]!, Math.max(modified.get(m[1]!) ?? 0, at));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  const hours = new Map<string, string>();
  for (const [hour, entries] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const digest = createHash("sha1").update(entries.sort().join("\n")).digest("hex");
    hours.set(hour, `${entries.length}:${digest}`);
  }
  const last = [...hours.keys()].at(-1);
  return {
    hours,
    strays,
    ...(last === undefined ? {} : { newest: { hour: last, modifiedMs: modified.get(last) ?? 0 } }),
  };
}
