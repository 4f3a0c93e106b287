import type { Partition, Table } from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { setTableParameters } from "./glue-catalog.js";
import { parseRetired, REPLACED_PARAMETER, RETIRED_PARAMETER } from "./version-retention.js";
import {
  asRecorded,
  encodePartitions,
  PARTITIONS_PARAMETER,
  recordedEntries,
} from "./partition-record.js";
import { asFolder } from "./s3-location.js";

/**
 * Finish the retirement of a partition publish that died between its repoint and its table
 * update. Its staging entry (`leftover`, dropped only after that update) is still in Glue; the
 * target partitions that read its folder carry, in {@link REPLACED_PARAMETER}, the location
 * each read before the repoint. Those not yet listed in {@link RETIRED_PARAMETER} are listed now
 * as the newest generation (one UpdateTable, none when every one is listed: the build died after
 * the update), so the next publish deletes them `versions_to_keep` publishes later and none is
 * orphaned. Returns whether the entry was updated (the caller's copy of it is then stale).
 *
 * @example
 * await recoverInterruptedPublish(ctx, { schema: "silver", name: "events" }, table, partitions,
 *   "s3://lake/silver/events/r2/") // lists r1's event_date=2026-11-27 folder as retired
 */
export async function recoverInterruptedPublish(
  ctx: AthenaContext,
  relation: Relation,
  table: Table | undefined,
  partitions: readonly Partition[],
  leftover: string,
): Promise<boolean> {
  if (table === undefined) return false;
  const generations = parseRetired(table.Parameters?.[RETIRED_PARAMETER]);
  const listed = new Set(generations.flat().map(asFolder));
  const unlisted = partitions
    .filter((p) => isInside(p.StorageDescriptor?.Location, leftover))
    .map((p) => p.Parameters?.[REPLACED_PARAMETER])
    .filter((l): l is string => l !== undefined && l !== "" && !listed.has(asFolder(l)))
    .filter((l) => !isInside(l, leftover));
  const found = [...new Set(unlisted)];
  // The partition record is that of the last table update: wrong if the publish died after a
  // partition write. Written again from the partitions read (one call with the retirement).
  const record = staleRecord(table, partitions);
  if (found.length === 0 && record === undefined) return false;
  if (found.length > 0)
    ctx.log?.(
      `${relation.schema}.${relation.name}: an interrupted publish replaced ${found.length} location(s) it did not retire; retired now`,
    );
  await setTableParameters(
    ctx,
    relation,
    {
      ...(found.length === 0
        ? {}
        : { [RETIRED_PARAMETER]: JSON.stringify([found, ...generations]) }),
      ...(record === undefined ? {} : { [PARTITIONS_PARAMETER]: record }),
    },
    { read: table },
  );
  return true;
}

/** The record of `partitions` when the table's differs from it (an absent one stays absent). */
function staleRecord(table: Table, partitions: readonly Partition[]): string | undefined {
  const value = table.Parameters?.[PARTITIONS_PARAMETER];
  if (value === undefined || (table.PartitionKeys ?? []).length === 0) return undefined;
  const recorded = recordedEntries(table);
  // A partition still at its recorded location keeps its recorded files (deleted by key later).
  const actual = asRecorded(partitions).map((p) => {
    const entry = recorded?.get(JSON.stringify(p.values));
    return entry?.files !== undefined && asFolder(entry.location) === asFolder(p.location)
      ? { ...p, files: entry.files }
      : p;
  });
  const same =
    recorded !== undefined &&
    recorded.size === actual.length &&
    actual.every((p) => {
      const location = recorded.get(JSON.stringify(p.values))?.location;
      return location !== undefined && asFolder(location) === asFolder(p.location);
    });
  if (same) return undefined;
  const keys = (table.PartitionKeys ?? []).map((k) => k.Name ?? "");
  const record = encodePartitions(keys, actual);
  return record === value ? undefined : record;
}

function isInside(location: string | undefined, root: string): boolean {
  return location !== undefined && asFolder(location).startsWith(asFolder(root));
}
