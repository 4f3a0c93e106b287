import { createHash } from "node:crypto";
import { eventTypeFolder, type RawZone, type RawZoneListing } from "../engine.js";
import type { AthenaContext } from "./athena-clients.js";
import { parseS3Directory } from "./s3-location.js";
import { listing } from "./s3-listing.js";

/** A key under an hour-layout root in Firehose's layout: `YYYY/MM/DD/HH/<file>`. */
const HOUR_FILE = /^(\d{4}\/\d{2}\/\d{2}\/\d{2})\/([^/]+)$/;

/**
 * The raw hours (`YYYY/MM/DD/HH`) of an S3 raw zone from hour `from` on, each with a signature
 * of its objects (keys, sizes, ETags: it changes when an object lands, goes or is rewritten),
 * and the keys outside the zone's layout (not read). S3 lists keys in order, so each listing
 * starts after `from`'s prefix and never pages through older hours: one ListObjectsV2 call per
 * 1,000 keys of the window. A zone partitioned by event type is listed under each declared
 * `event_type=<t>/` (an hour is that hour of every type), plus one call with a delimiter that
 * finds what else sits at the zone's root (other types' folders, objects): strays.
 *
 * @example await listS3RawHours(ctx, { location: "s3://lake/raw/events/" }, "2026/11/27/20")
 * // { hours: Map { "2026/11/27/20" => "2:3f9a…", "2026/11/27/21" => "1:0c1d…" }, strays: [] }
 */
export async function listS3RawHours(
  ctx: AthenaContext,
  zone: RawZone,
  from = "",
): Promise<RawZoneListing> {
  const { bucket, prefix } = parseS3Directory(zone.location);
  const files = new Map<string, string[]>();
  const strays: string[] = [];
  const modified = new Map<string, number>();
  const list = listing(ctx, bucket);
  const folders =
    zone.eventTypes === undefined ? [""] : zone.eventTypes.map((t) => `${eventTypeFolder(t)}/`);
  if (zone.eventTypes !== undefined) {
    const declared = new Set(folders.map((f) => `${prefix}${f}`));
    for await (const page of list({ Prefix: prefix, Delimiter: "/" })) {
      for (const p of page.CommonPrefixes ?? [])
        if (!declared.has(p.Prefix ?? "")) strays.push((p.Prefix ?? "").slice(prefix.length));
      for (const object of page.Contents ?? [])
        strays.push((object.Key ?? "").slice(prefix.length));
    }
  }
  for (const folder of folders) {
    const root = `${prefix}${folder}`;
    for await (const page of list({
      Prefix: root,
      ...(from === "" ? {} : { StartAfter: `${root}${from}` }),
    }))
      for (const object of page.Contents ?? []) {
        const key = (object.Key ?? "").slice(root.length);
        const m = HOUR_FILE.exec(key);
        if (!m) {
          strays.push(`${folder}${key}`);
          continue;
        }
        if (m[1]! < from) continue;
        const entry = `${folder}${m[2]}\t${object.Size ?? 0}\t${object.ETag ?? ""}`;
        files.set(m[1]!, [...(files.get(m[1]!) ?? []), entry]);
        const at = object.LastModified?.getTime() ?? 0;
        modified.set(m[1]!, Math.max(modified.get(m[1]!) ?? 0, at));
      }
  }
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
