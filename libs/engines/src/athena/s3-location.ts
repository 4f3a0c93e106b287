import type { Relation } from "@sluice/dialects";

/** An `s3://bucket/key/prefix/` URL split into bucket and key prefix (always ending in `/`). */
export function parseS3Directory(url: string): { bucket: string; prefix: string } {
  const match = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) throw new Error(`not an S3 location: ${url}`);
  const key = match[2]!.replace(/\/+$/, "");
  return { bucket: match[1]!, prefix: key === "" ? "" : `${key}/` };
}

/**
 * Whether `location` lies in `relation`'s own folder: one folder of its path is named after the
 * table (as sluice lays out `<zone>/<table>/<version>/`; the stale-data cleanup's guard too).
 */
export function ownFolder(relation: Relation, location: string): boolean {
  return parseS3Directory(location)
    .prefix.split("/")
    .some((folder) => folder.toLowerCase() === relation.name.toLowerCase());
}

/** A location as a folder: one trailing `/`, however many it had. */
export const asFolder = (location: string): string => `${location.replace(/\/+$/, "")}/`;

/** Whether two locations are the same folder, or one lies inside the other. */
export function overlaps(a: string, b: string): boolean {
  return asFolder(a).startsWith(asFolder(b)) || asFolder(b).startsWith(asFolder(a));
}
