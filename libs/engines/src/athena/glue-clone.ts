import {
  BatchCreatePartitionCommand,
  CreateTableCommand,
  DeleteTableCommand,
  type Table,
} from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { CloneTableOutcome } from "../engine.js";
import type { AthenaContext } from "./athena-clients.js";
import { CLONE_LOCATION_PARAMETER, CLONE_OF_PARAMETER, cloneOf } from "./clone-guard.js";
import { getAllPartitions, getTable, retryIn, tableInput } from "./glue-catalog.js";
import { chunks, GLUE_LIMITS } from "./glue-publisher.js";

/** What {@link cloneGlueTable} did (see {@link CloneTableOutcome}). */
export type GlueCloneResult = CloneTableOutcome;

/** Parameters sluice records on its own tables; a clone must not carry them (see below). */
const SLUICE_PARAMETER = /^sluice_/;

/**
 * `sluice clone` on Athena: create `to` as a Glue table entry that points at the data of `from`
 * (zero copy): a copy of `from`'s table input (columns, StorageDescriptor with its location and
 * SerDe, partition keys, table type and parameters) with {@link CLONE_OF_PARAMETER} and
 * {@link CLONE_LOCATION_PARAMETER} added, and `from`'s partitions copied (BatchCreatePartition,
 * 100 a call). sluice's own parameters of `from` are left out: its retired locations (which a
 * publish over the entry would delete), its version, watermark and inputs (the clone is not a
 * version this target built). No S3 object is read or written. A view or an Iceberg table is not
 * cloned (`kind` says which): an Iceberg entry with the same `metadata_location` would be a
 * second writer of the table's metadata. `to` must not exist.
 *
 * @example await cloneGlueTable(ctx, { schema: "ecommerce_marts", name: "funnel" }, { schema: "ci_marts", name: "funnel" })
 */
export async function cloneGlueTable(
  ctx: AthenaContext,
  from: Relation,
  to: Relation,
): Promise<GlueCloneResult> {
  const source = await getTable(ctx, from);
  if (source === undefined)
    throw new Error(`cannot clone ${from.schema}.${from.name}: it is not in the Glue catalog`);
  if (source.TableType === "VIRTUAL_VIEW") return { kind: "view" };
  if (isIceberg(source)) return { kind: "iceberg" };
  const origin = cloneOf(source.Parameters) ?? `${from.schema}.${from.name}`;
  const location = source.StorageDescriptor?.Location;
  const parameters = Object.fromEntries(
    Object.entries(source.Parameters ?? {}).filter(([k]) => !SLUICE_PARAMETER.test(k)),
  );
  const input = {
    ...tableInput({ ...source, Parameters: {} }, to.name),
    Parameters: {
      ...parameters,
      [CLONE_OF_PARAMETER]: origin,
      ...(location === undefined ? {} : { [CLONE_LOCATION_PARAMETER]: location }),
    },
  };
  const partitions =
    (source.PartitionKeys ?? []).length > 0 ? await getAllPartitions(ctx, from) : [];
  const retry = retryIn(ctx);
  const glue = ctx.clients.glue;
  await retry(() =>
    glue.send(new CreateTableCommand({ DatabaseName: to.schema, TableInput: input })),
  );
  try {
    for (const batch of chunks(partitions, GLUE_LIMITS.createPartitions)) {
      const out = await retry(() =>
        glue.send(
          new BatchCreatePartitionCommand({
            DatabaseName: to.schema,
            TableName: to.name,
            PartitionInputList: batch.map((p) => ({
              Values: p.Values,
              StorageDescriptor: p.StorageDescriptor,
              Parameters: p.Parameters,
            })),
          }),
        ),
      );
      const failed = out.Errors ?? [];
      if (failed.length > 0)
        throw new Error(
          `Glue BatchCreatePartition on ${to.schema}.${to.name} failed for ${failed.length} partition(s): ${failed[0]?.ErrorDetail?.ErrorMessage ?? "unknown error"}`,
        );
    }
  } catch (error) {
    // A clone missing partitions would read fewer rows than its source: none rather than that.
    await dropCloneEntry(ctx, to).catch(() => undefined);
    throw error;
  }
  return { kind: "table", location, partitions: partitions.length };
}

/** An Iceberg table's entry (Athena sets `table_type` = ICEBERG). */
export function isIceberg(table: Pick<Table, "Parameters">): boolean {
  return (table.Parameters?.["table_type"] ?? "").toUpperCase() === "ICEBERG";
}

/**
 * Delete a clone's Glue entry (its partitions go with it), never its objects: they are the
 * source table's. A missing entry is fine.
 */
export async function dropCloneEntry(ctx: AthenaContext, relation: Relation): Promise<void> {
  try {
    await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new DeleteTableCommand({ DatabaseName: relation.schema, Name: relation.name }),
      ),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === "EntityNotFoundException")) throw error;
  }
}
