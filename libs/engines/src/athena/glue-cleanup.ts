import {
  BatchDeletePartitionCommand,
  BatchGetPartitionCommand,
  DeleteTableCommand,
  GetTablesCommand,
  type Partition,
  type Table,
} from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { getTable, retryIn } from "./glue-catalog.js";
import { GLUE_LIMITS } from "./glue-publisher.js";
import { removeLocations } from "./s3-cleaner.js";

/** BatchGetPartition takes at most 1,000 partitions per call. */
const GET_PARTITIONS_PAGE = 1000;

/**
 * Staging leftovers per database, listed once per engine (one GetTables per database per run,
 * not per model). Every model awaits this listing before its own CTAS, so it can never contain
 * a staging table of the current run.
 */
export function stagingSweeper(ctx: AthenaContext) {
  const listings = new Map<string, Promise<Table[]>>();
  const list = (database: string, marker: string) => {
    const key = `${database}\u0000${marker}`;
    let listing = listings.get(key);
    if (listing === undefined) {
      listing = listTables(ctx, database, `.*${escapeRegex(marker.toLowerCase())}.*`);
      listings.set(key, listing);
    }
    return listing;
  };
  return async (relation: Relation, marker: string, keep: string): Promise<string[]> => {
    const prefix = `${relation.name}${marker}`.toLowerCase();
    const leftovers = (await list(relation.schema, marker)).filter(
      (t) =>
        (t.Name ?? "").toLowerCase().startsWith(prefix) &&
        !(t.Name ?? "").toLowerCase().includes(keep.toLowerCase()),
    );
    if (leftovers.length === 0) return [];
    // A crash after the swap leaves a staging entry that shares the published table's data.
    const published = (await getTable(ctx, relation))?.StorageDescriptor?.Location;
    for (const table of leftovers) {
      const location = table.StorageDescriptor?.Location;
      const shared =
        published !== undefined && location !== undefined && sameOrInside(location, published);
      await dropTable(ctx, relation.schema, table, { keepData: shared });
    }
    return leftovers.map((t) => t.Name ?? "");
  };
}

async function listTables(
  ctx: AthenaContext,
  database: string,
  expression: string,
): Promise<Table[]> {
  const tables: Table[] = [];
  let token: string | undefined;
  do {
    const next = token;
    const page = await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new GetTablesCommand({ DatabaseName: database, Expression: expression, NextToken: next }),
      ),
    );
    tables.push(...(page.TableList ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return tables;
}

/** Delete a table's data (its location) and then its Glue entry; a missing table is fine. */
export async function dropTableWithData(ctx: AthenaContext, relation: Relation): Promise<void> {
  const table = await getTable(ctx, relation);
  if (table !== undefined) await dropTable(ctx, relation.schema, table);
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

/**
 * Delete the partitions with these values: read their locations (BatchGetPartition, 1,000 per
 * call), delete their objects (one listing of the common parent, DeleteObjects in 1,000-key
 * pages), then their Glue entries (BatchDeletePartition, 25 per call). Data goes first so that
 * a failure half-way leaves partitions that are empty rather than data nobody can see.
 */
export async function dropPartitions(
  ctx: AthenaContext,
  relation: Relation,
  values: readonly (readonly string[])[],
): Promise<number> {
  const retry = retryIn(ctx);
  const existing: Partition[] = [];
  for (let i = 0; i < values.length; i += GET_PARTITIONS_PAGE) {
    const page = values.slice(i, i + GET_PARTITIONS_PAGE);
    const out = await retry(() =>
      ctx.clients.glue.send(
        new BatchGetPartitionCommand({
          DatabaseName: relation.schema,
          TableName: relation.name,
          PartitionsToGet: page.map((v) => ({ Values: [...v] })),
        }),
      ),
    );
    existing.push(...(out.Partitions ?? []));
  }
  const locations = existing
    .map((p) => p.StorageDescriptor?.Location)
    .filter((l): l is string => l !== undefined);
  if (locations.length > 0) await removeLocations(ctx, locations);
  for (let i = 0; i < existing.length; i += GLUE_LIMITS.deletePartitions) {
    const batch = existing.slice(i, i + GLUE_LIMITS.deletePartitions);
    const out = await retry(() =>
      ctx.clients.glue.send(
        new BatchDeletePartitionCommand({
          DatabaseName: relation.schema,
          TableName: relation.name,
          PartitionsToDelete: batch.map((p) => ({ Values: p.Values ?? [] })),
        }),
      ),
    );
    const errors = (out.Errors ?? []).filter(
      (e) => e.ErrorDetail?.ErrorCode !== "EntityNotFoundException",
    );
    if (errors.length > 0)
      throw new Error(
        `Glue BatchDeletePartition on ${relation.schema}.${relation.name} failed: ${errors[0]?.ErrorDetail?.ErrorMessage ?? "unknown error"}`,
      );
  }
  return existing.length;
}

function sameOrInside(location: string, root: string): boolean {
  const dir = (l: string) => `${l.replace(/\/+$/, "")}/`;
  return dir(location).startsWith(dir(root)) || dir(root).startsWith(dir(location));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
