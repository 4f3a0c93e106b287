import type { AthenaContext } from "./athena-clients.js";
import type { RecordedPartition } from "./partition-record.js";
import { asFolder, parseS3Directory } from "./s3-location.js";
import { listFolder, type FolderListing } from "./s3-listing.js";

/**
 * The partitions a CTAS wrote under `location`, with their files, from one listing of it
 * ({@link listFolder}, {@link writtenPartitions}); none when it holds no object (a CTAS of no
 * rows writes no partition); undefined when they cannot be told from the listing (not laid out
 * as Hive writes): the caller asks Glue.
 */
export async function listWrittenPartitions(
  ctx: AthenaContext,
  partitionKeys: readonly string[],
  location: string,
): Promise<RecordedPartition[] | undefined> {
  return writtenPartitions(partitionKeys, location, await listFolder(ctx, location));
}

/**
 * The partitions a CTAS partitioned by `partitionKeys` wrote under `location`, from the keys of
 * a listing: Hive lays them out as `k1=v1/k2=v2/<file>` (values escaped as Hive's
 * FileUtils.escapePathName, unescaped here), each partition's location `location + k1=v1/k2=v2`
 * (as Athena registers it), its files named relative to that folder. Hidden files (`_…`, `.…`,
 * which Hive readers skip) make no partition of their own. Undefined when a key under `location`
 * is not laid out so (other key names, another depth): the caller then asks Glue.
 *
 * @example
 * writtenPartitions(["event_date"], "s3://l/t/r2/", { bucket: "l", prefix: "t/r2/", keys: ["t/r2/event_date=2026-11-27/q_0"] })
 * // [{ values: ["2026-11-27"], location: "s3://l/t/r2/event_date=2026-11-27", files: ["q_0"] }]
 */
export function writtenPartitions(
  partitionKeys: readonly string[],
  location: string,
  listing: FolderListing,
): RecordedPartition[] | undefined {
  const base = parseS3Directory(location);
  if (base.bucket !== listing.bucket) return undefined;
  const byFolder = new Map<string, RecordedPartition & { files: string[]; data: boolean }>();
  for (const key of listing.keys) {
    if (!key.startsWith(base.prefix)) continue;
    const parts = key.slice(base.prefix.length).split("/");
    const name = parts.at(-1)!;
    if (parts.length !== partitionKeys.length + 1 || name === "") return undefined;
    const folders = parts.slice(0, -1);
    const values: string[] = [];
    for (const [i, folder] of folders.entries()) {
      const cut = folder.indexOf("=");
      if (cut < 0 || folder.slice(0, cut).toLowerCase() !== partitionKeys[i]!.toLowerCase())
        return undefined;
      values.push(unescapeHive(folder.slice(cut + 1)));
    }
    const path = folders.join("/");
    const entry = byFolder.get(path) ?? {
      values,
      location: asFolder(location) + path,
      files: [],
      data: false,
    };
    entry.files.push(name);
    if (!name.startsWith("_") && !name.startsWith(".")) entry.data = true;
    byFolder.set(path, entry);
  }
  return [...byFolder.values()]
    .filter((p) => p.data)
    .map(({ values, location: at, files }) => ({ values, location: at, files }));
}

/** Hive's FileUtils.unescapePathName: `%XX` back to the character. */
function unescapeHive(value: string): string {
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}
