import { GetDatabasesCommand, type Table } from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { getAllPartitions, retryIn } from "./glue-catalog.js";
import { listTables } from "./glue-cleanup.js";
import { overlaps } from "./s3-location.js";

/**
 * Which Glue tables (or partitions) of the catalog read each of `locations`: its folder, one
 * inside it or one containing it. Every database (GetDatabases), every table (GetTables), and
 * the partitions of every partitioned table (GetPartitions: Glue cannot filter them by
 * location), `except` the tables asked about. Costly; for the rare delete of a location outside
 * a table's own folder, where nothing says the folder is that table's alone.
 *
 * @example
 * await readersOf(ctx, ["s3://shared/orders/"], [{ schema: "silver", name: "orders" }])
 * // Map { "s3://shared/orders/" => "ecommerce_marts.orders_copy" }
 */
export async function readersOf(
  ctx: AthenaContext,
  locations: readonly string[],
  except: readonly Relation[],
): Promise<Map<string, string>> {
  const skip = new Set(except.map((r) => `${r.schema}.${r.name}`.toLowerCase()));
  const found = new Map<string, string>();
  const check = (reader: string, location: string | undefined) => {
    if (location === undefined) return;
    for (const l of locations) if (!found.has(l) && overlaps(l, location)) found.set(l, reader);
  };
  for (const database of await listDatabases(ctx)) {
    for (const table of await listTables(ctx, database)) {
      const name = `${database}.${table.Name ?? ""}`;
      if (skip.has(name.toLowerCase())) continue;
      check(name, table.StorageDescriptor?.Location);
      if (partitioned(table))
        for (const p of await getAllPartitions(ctx, { schema: database, name: table.Name ?? "" }))
          check(
            `${name} partition (${(p.Values ?? []).join(", ")})`,
            p.StorageDescriptor?.Location,
          );
    }
  }
  return found;
}

async function listDatabases(ctx: AthenaContext): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const next = token;
    const page = await retryIn(ctx)(() =>
      ctx.clients.glue.send(new GetDatabasesCommand({ NextToken: next })),
    );
    names.push(...(page.DatabaseList ?? []).map((d) => d.Name ?? "").filter((n) => n !== ""));
    token = page.NextToken;
  } while (token !== undefined);
  return names;
}

const partitioned = (table: Table) => (table.PartitionKeys ?? []).length > 0;
