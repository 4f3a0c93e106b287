import { DeleteTableCommand, GetTablesCommand, type Table } from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { getAllPartitions, getTable, retryIn } from "./glue-catalog.js";
import { recoverInterruptedPublish } from "./publish-recovery.js";
import { removeLocations } from "./s3-cleaner.js";
import { cloneOf } from "./clone-guard.js";
import { overlaps } from "./s3-location.js";
import { pendingExpiry } from "./expiring-files.js";

/**
 * Staging leftovers per database, listed once per engine (one GetTables per database per run,
 * not per model). Every model awaits this listing before its own CTAS, so it can never contain
 * a staging table of the current run.
 */
export function stagingSweeper(
  ctx: AthenaContext,
  /** The tables of a database, listed once in the run (shared with other readers of the catalog). */
  list: (database: string) => Promise<Table[]>,
  /** Told when the sweep updated `relation`'s entry (a copy read before is stale). */
  changed: (relation: Relation) => void = () => undefined,
) {
  return async (relation: Relation, marker: string, keep: string): Promise<string[]> => {
    const prefix = `${relation.name}${marker}`.toLowerCase();
    const leftovers = (await list(relation.schema)).filter(
      (t) =>
        (t.Name ?? "").toLowerCase().startsWith(prefix) &&
        !(t.Name ?? "").toLowerCase().includes(keep.toLowerCase()),
    );
    if (leftovers.length === 0) return [];
    // A crash after the swap leaves a staging entry that shares the published table's data: its
    // location, or (insert_overwrite) the folders its partitions were repointed at.
    // A leftover whose folder partitions read is a partition publish that died before its table
    // update: the locations those partitions replaced are retired before the marker goes.
    let read = await readBy(ctx, relation);
    for (const table of leftovers) {
      const location = table.StorageDescriptor?.Location;
      const shared = location !== undefined && read.locations.some((l) => overlaps(location, l));
      if (
        shared &&
        (await recoverInterruptedPublish(ctx, relation, read.table, read.partitions, location))
      ) {
        changed(relation);
        read = await readBy(ctx, relation);
      }
      // A run that died before deleting what its publish expired by key: deleted now, by listing.
      await removeLocations(ctx, pendingExpiry(read.table, table.Name ?? ""));
      await dropTable(ctx, relation.schema, table, { keepData: shared });
    }
    return leftovers.map((t) => t.Name ?? "");
  };
}

/** Every table of a Glue database (GetTables, paginated), or those matching `expression`. */
export async function listTables(
  ctx: AthenaContext,
  database: string,
  expression?: string,
): Promise<Table[]> {
  const tables: Table[] = [];
  let token: string | undefined;
  do {
    const next = token;
    const page = await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new GetTablesCommand({
          DatabaseName: database,
          ...(expression === undefined ? {} : { Expression: expression }),
          NextToken: next,
        }),
      ),
    );
    tables.push(...(page.TableList ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return tables;
}

/** `relation`'s entry, its partitions and the data locations they read. */
async function readBy(ctx: AthenaContext, relation: Relation) {
  const table = await getTable(ctx, relation);
  const partitions =
    (table?.PartitionKeys ?? []).length > 0 ? await getAllPartitions(ctx, relation) : [];
  const locations = [
    table?.StorageDescriptor?.Location,
    ...partitions.map((p) => p.StorageDescriptor?.Location),
  ].filter((l): l is string => l !== undefined);
  return { table, partitions, locations };
}

/**
 * Delete a table's data (its location) and then its Glue entry; a missing table is fine. With
 * `unlessReadBy`, the data stays when that table (or one of its partitions) reads any of it:
 * a staging table whose partitions were published before a later step failed.
 */
export async function dropTableWithData(
  ctx: AthenaContext,
  relation: Relation,
  options: { unlessReadBy?: Relation } = {},
): Promise<void> {
  const table = await getTable(ctx, relation);
  if (table === undefined) return;
  const location = table.StorageDescriptor?.Location;
  const reader = options.unlessReadBy;
  const read = reader ? await readBy(ctx, reader) : undefined;
  const shared = location !== undefined && !!read?.locations.some((l) => overlaps(location, l));
  // A partition publish that failed after its repoint: retire what it replaced before the entry
  // (its marker) goes; if that fails, the entry stays for the next sweep to do it.
  if (shared && reader && read)
    await recoverInterruptedPublish(ctx, reader, read.table, read.partitions, location);
  // What the reader's publish expired by key under this entry's name: deleted before it goes.
  await removeLocations(ctx, pendingExpiry(read?.table, relation.name));
  // A clone's data is the table it points at: only its entry goes.
  const clone = cloneOf(table.Parameters) !== undefined;
  await dropTable(ctx, relation.schema, table, { keepData: shared || clone });
}

async function dropTable(
  ctx: AthenaContext,
  database: string,
  table: Table,
  options: { keepData?: boolean } = {},
): Promise<void> {
  const location = table.StorageDescriptor?.Location;
  if (location && !options.keepData) await removeLocations(ctx, [location]);
  try {
    await retryIn(ctx)(() =>
      ctx.clients.glue.send(new DeleteTableCommand({ DatabaseName: database, Name: table.Name })),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === "EntityNotFoundException")) throw error;
  }
}
