import {
  CreateTableCommand,
  UpdateTableCommand,
  type Table,
  type TableInput,
} from "@aws-sdk/client-glue";
import { rawSourceLayout } from "@sluice/dialects";
import type { RawSourceSpec } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { ensureDatabase, getTable, retryIn } from "./glue-catalog.js";

/**
 * Create or update the raw Firehose table through the Glue API: GetTable, then CreateTable when
 * it is missing (its database first, when that is missing too), UpdateTable when any part of its definition differs (unlike Hive's
 * `CREATE EXTERNAL TABLE IF NOT EXISTS`, a changed location or projection range is applied),
 * nothing when it is the same.
 */
export async function registerRawTable(
  ctx: AthenaContext,
  spec: RawSourceSpec,
): Promise<"created" | "updated" | "unchanged"> {
  const input = rawTableInput(spec);
  const current = await getTable(ctx, spec.relation);
  const glue = ctx.clients.glue;
  if (current === undefined) {
    // On a fresh catalog the raw database does not exist yet (Glue: EntityNotFoundException).
    await ensureDatabase(ctx, spec.relation.schema);
    await retryIn(ctx)(() =>
      glue.send(new CreateTableCommand({ DatabaseName: spec.relation.schema, TableInput: input })),
    );
    return "created";
  }
  if (sameDefinition(current, input)) return "unchanged";
  await retryIn(ctx)(() =>
    glue.send(new UpdateTableCommand({ DatabaseName: spec.relation.schema, TableInput: input })),
  );
  return "updated";
}

/** The Glue TableInput of the raw table, from the same layout as the dialect's Hive DDL. */
export function rawTableInput(spec: RawSourceSpec): TableInput {
  const layout = rawSourceLayout(spec);
  return {
    Name: spec.relation.name,
    TableType: "EXTERNAL_TABLE",
    Parameters: { EXTERNAL: "TRUE", ...layout.parameters },
    PartitionKeys: layout.partitionKeys.map((k) => ({ Name: k.name, Type: k.type })),
    StorageDescriptor: {
      Columns: layout.columns.map((c) => ({ Name: c.name, Type: c.type })),
      Location: layout.location,
      InputFormat: layout.inputFormat,
      OutputFormat: layout.outputFormat,
      SerdeInfo: { SerializationLibrary: layout.serde, Parameters: layout.serdeParameters },
    },
  };
}

/** Compare what sluice controls; Glue adds its own keys (e.g. `transient_lastDdlTime`), ignored. */
function sameDefinition(table: Table, input: TableInput): boolean {
  const pick = (t: Table | TableInput) => ({
    type: t.TableType,
    parameters: Object.fromEntries(
      Object.keys(input.Parameters ?? {}).map((k) => [k, t.Parameters?.[k]]),
    ),
    keys: (t.PartitionKeys ?? []).map((k) => `${k.Name}:${k.Type}`),
    columns: (t.StorageDescriptor?.Columns ?? []).map((c) => `${c.Name}:${c.Type}`),
    location: t.StorageDescriptor?.Location,
    input: t.StorageDescriptor?.InputFormat,
    output: t.StorageDescriptor?.OutputFormat,
    serde: t.StorageDescriptor?.SerdeInfo?.SerializationLibrary,
    serdeParameters: Object.fromEntries(
      Object.keys(input.StorageDescriptor?.SerdeInfo?.Parameters ?? {}).map((k) => [
        k,
        t.StorageDescriptor?.SerdeInfo?.Parameters?.[k],
      ]),
    ),
  });
  return JSON.stringify(pick(table)) === JSON.stringify(pick(input));
}
