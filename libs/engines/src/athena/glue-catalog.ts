import {
  CreateDatabaseCommand,
  GetDatabaseCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GetTablesCommand,
  type Column,
  type Partition,
  type Table,
  type TableInput,
  UpdateTableCommand,
} from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { ColumnInfo, RelationInfo, TableDocs } from "../engine.js";
import type { AthenaContext } from "./athena-clients.js";
import { isConcurrentModification, retryThrottled, retryWhen } from "./retry.js";
import { trinoType } from "./glue-types.js";

export const retryIn =
  (ctx: AthenaContext) =>
  <T>(fn: () => Promise<T>) =>
    retryThrottled(fn, retryOptions(ctx));

/** The retry settings of an engine: its clock, jitter and log. */
export const retryOptions = (ctx: AthenaContext) => ({
  sleep: ctx.sleep,
  random: ctx.random,
  ...(ctx.log === undefined ? {} : { log: ctx.log }),
});

/** Glue GetTable, or undefined when the table does not exist. */
export async function getTable(ctx: AthenaContext, relation: Relation): Promise<Table | undefined> {
  try {
    const out = await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new GetTableCommand({ DatabaseName: relation.schema, Name: relation.name }),
      ),
    );
    return out.Table;
  } catch (error) {
    if (error instanceof Error && error.name === "EntityNotFoundException") return undefined;
    throw error;
  }
}

/**
 * Tables of one database by exact name, read together (one GetTables call with the names as
 * alternatives, paginated): one round trip instead of a GetTable each. Missing ones are absent.
 */
export async function getTablesByName(
  ctx: AthenaContext,
  database: string,
  names: readonly string[],
): Promise<Map<string, Table>> {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const found = new Map<string, Table>();
  let token: string | undefined;
  do {
    const next = token;
    const page = await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new GetTablesCommand({
          DatabaseName: database,
          // Table names are [a-z0-9_]: no character of Glue's pattern syntax to escape.
          Expression: [...wanted].join("|"),
          NextToken: next,
        }),
      ),
    );
    for (const table of page.TableList ?? [])
      if (wanted.has((table.Name ?? "").toLowerCase()))
        found.set((table.Name ?? "").toLowerCase(), table);
    token = page.NextToken;
  } while (token !== undefined);
  return found;
}

/** Every partition of a table (GetPartitions, paginated). */
export async function getAllPartitions(
  ctx: AthenaContext,
  relation: Relation,
): Promise<Partition[]> {
  const partitions: Partition[] = [];
  let token: string | undefined;
  do {
    const next = token;
    const page = await retryIn(ctx)(() =>
      ctx.clients.glue.send(
        new GetPartitionsCommand({
          DatabaseName: relation.schema,
          TableName: relation.name,
          NextToken: next,
          MaxResults: 1000,
        }),
      ),
    );
    partitions.push(...(page.Partitions ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return partitions;
}

/** The writable part of a Glue table, renamed, with `parameters` set: what UpdateTable/CreateTable take. */
export function tableInput(
  table: Table,
  name: string,
  parameters?: Readonly<Record<string, string>>,
): TableInput {
  return {
    Name: name,
    Description: table.Description,
    Owner: table.Owner,
    Retention: table.Retention,
    TableType: table.TableType,
    Parameters:
      parameters === undefined ? table.Parameters : { ...table.Parameters, ...parameters },
    PartitionKeys: table.PartitionKeys,
    StorageDescriptor: table.StorageDescriptor,
    ViewOriginalText: table.ViewOriginalText,
    ViewExpandedText: table.ViewExpandedText,
  };
}

/** Where `AthenaContext.docs` keeps a relation's persist_docs: `schema.table`, lower case. */
export const docsKey = (relation: Relation): string =>
  `${relation.schema}.${relation.name}`.toLowerCase();

/** The persist_docs of `relation` in this run (see `CatalogEngine.setTableDocs`), if any. */
export function docsOf(ctx: AthenaContext, relation: Relation): TableDocs | undefined {
  return ctx.docs?.get(docsKey(relation));
}

/**
 * `input` with `docs`: the description as its `Description`, each documented column's comment
 * as its `Comment` (partition keys too; matched by name in any case). Without docs, `input`.
 */
export function withDocs(input: TableInput, docs: TableDocs | undefined): TableInput {
  if (docs === undefined) return input;
  const commented = (c: Column): Column => {
    const comment = docs.columns?.[(c.Name ?? "").toLowerCase()];
    return comment === undefined ? c : { ...c, Comment: comment };
  };
  const { StorageDescriptor: sd, PartitionKeys: keys } = input;
  return {
    ...input,
    ...(docs.description === undefined ? {} : { Description: docs.description }),
    ...(sd?.Columns === undefined
      ? {}
      : { StorageDescriptor: { ...sd, Columns: sd.Columns.map(commented) } }),
    ...(keys === undefined ? {} : { PartitionKeys: keys.map(commented) }),
  };
}

/** Whether writing `input` over `table` would change its documentation. */
function docsChange(table: Table, input: TableInput): boolean {
  const comments = (t: Table | TableInput) =>
    JSON.stringify(
      [...(t.StorageDescriptor?.Columns ?? []), ...(t.PartitionKeys ?? [])].map((c) => c.Comment),
    );
  return table.Description !== input.Description || comments(table) !== comments(input);
}

/** What the engine reports about a relation, from Glue (column types in Trino's names). */
export async function describeGlueRelation(
  ctx: AthenaContext,
  relation: Relation,
): Promise<RelationInfo> {
  return relationInfo(await getTable(ctx, relation));
}

/** What a Glue entry says of a relation (undefined: it does not exist). */
export function relationInfo(table: Table | undefined): RelationInfo {
  if (table === undefined) return { exists: false };
  const columns: ColumnInfo[] = [
    ...(table.StorageDescriptor?.Columns ?? []),
    ...(table.PartitionKeys ?? []),
  ].map((c) => ({
    name: c.Name ?? "",
    // Trino names (varchar, not Glue's string): what query results report and CAST accepts.
    type: trinoType(c.Type ?? ""),
  }));
  return {
    exists: true,
    kind: table.TableType === "VIRTUAL_VIEW" ? "view" : "table",
    location: table.StorageDescriptor?.Location,
    columns,
    ...(table.Parameters === undefined ? {} : { parameters: table.Parameters }),
  };
}

/**
 * Set `parameters` on a table's Glue entry and remove the `remove` keys, keeping the others
 * (GetTable, then UpdateTable with SkipArchive under the VersionId read); nothing when the entry
 * already says so. A ConcurrentModificationException (another writer in between) re-reads and
 * tries again. With `read`, the entry as read just before, the first try skips the GetTable (an
 * entry without `VersionId`, as this run wrote it, is updated unconditionally: under the build
 * lease nothing else writes it). Returns the entry as written.
 */
export async function setTableParameters(
  ctx: AthenaContext,
  relation: Relation,
  parameters: Readonly<Record<string, string>>,
  options: { remove?: readonly string[]; read?: Table } = {},
): Promise<TableInput> {
  let read = options.read;
  // Another writer changed the entry between the read and the update: read it again.
  return retryWhen(
    isConcurrentModification,
    async () => {
      const table = read ?? (await getTable(ctx, relation));
      read = undefined;
      return setParametersOn(ctx, relation, table, parameters, options.remove ?? []);
    },
    retryOptions(ctx),
  );
}

/**
 * One UpdateTable of `table` (as read) with `parameters` set and the `remove` keys removed, under
 * its `VersionId` when it has one (a stale one fails with ConcurrentModificationException, not
 * retried here); none when the entry already says so. Returns the entry as written.
 */
export async function setParametersOn(
  ctx: AthenaContext,
  relation: Relation,
  table: Table | undefined,
  parameters: Readonly<Record<string, string>>,
  remove: readonly string[],
): Promise<TableInput> {
  if (table === undefined)
    throw new Error(
      `cannot set parameters of ${relation.schema}.${relation.name}: it is not in the Glue catalog`,
    );
  const current = table.Parameters ?? {};
  const kept = Object.fromEntries(Object.entries(current).filter(([k]) => !remove.includes(k)));
  const input = withDocs(
    { ...tableInput(table, relation.name), Parameters: { ...kept, ...parameters } },
    docsOf(ctx, relation),
  );
  if (
    Object.entries(parameters).every(([k, v]) => current[k] === v) &&
    remove.every((k) => !(k in current)) &&
    !docsChange(table, input)
  )
    return input;
  await retryIn(ctx)(() =>
    ctx.clients.glue.send(
      new UpdateTableCommand({
        DatabaseName: relation.schema,
        TableInput: input,
        SkipArchive: true,
        // Under the version read: a concurrent update fails (and is re-read) instead of being lost.
        ...(table.VersionId === undefined ? {} : { VersionId: table.VersionId }),
      }),
    ),
  );
  return input;
}

/** Glue CreateDatabase, unless it exists (AlreadyExistsException, e.g. created meanwhile, is fine). */
export async function ensureDatabase(ctx: AthenaContext, name: string): Promise<void> {
  try {
    await retryIn(ctx)(() => ctx.clients.glue.send(new GetDatabaseCommand({ Name: name })));
    return;
  } catch (error) {
    if (!(error instanceof Error && error.name === "EntityNotFoundException")) throw error;
  }
  try {
    await retryIn(ctx)(() =>
      ctx.clients.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: name } })),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === "AlreadyExistsException")) throw error;
  }
}
