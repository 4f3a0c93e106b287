import type { CompiledNode } from "@sluice/compiler";
import {
  batchSelects,
  isTooManyPartitions,
  stagingRelation,
  type PartitionValues,
  type PlanStep,
} from "@sluice/compiler/plan";
import { catalogDialect, type Relation, type Statement } from "@sluice/dialects";
import { QueryError } from "@sluice/engines";
import type { MaterializeContext } from "../materialize/materializer.js";
import { rowsWritten } from "../materialize/materializer.js";
import { retried, type CatalogPlanRun } from "./catalog-steps.js";

/** Told of each statement a batched write runs, as a step of the plan that ran. */
type Ran = (step: PlanStep) => void;

/** A write failed on Athena's limit of partitions per query, and the node can write in batches. */
export function canBatch(error: unknown, node: CompiledNode, ctx: MaterializeContext): boolean {
  return (
    error instanceof QueryError &&
    isTooManyPartitions(error.details.engineMessage) &&
    node.partitionedBy.length > 0 &&
    ctx.dialect.capabilities.maxPartitionsPerWrite !== undefined
  );
}

/**
 * A new version past the partition limit: stage the rows unpartitioned, list their partition
 * values, then CTAS the first batch into `staging` at `location` and INSERT the others (each
 * batch a literal predicate); the unpartitioned copy is dropped after.
 */
export async function batchedVersion(
  run: CatalogPlanRun,
  staging: Relation,
  selectSql: string,
  location: string,
  ran: Ran,
): Promise<number | undefined> {
  const { node, ctx } = run;
  const d = catalogDialect(ctx.dialect);
  const source = await stageUnpartitioned(run, staging, selectSql, "src", ran);
  const iceberg = node.config["table_type"] === "iceberg" && d.capabilities.icebergTables;
  let rows: number | undefined;
  for (const [i, predicateSql] of batchSelects(
    d,
    source,
    await partitionsOf(run, source, ran),
  ).entries()) {
    const write = {
      relation: staging,
      selectSql: predicateSql,
      partitionedBy: node.partitionedBy,
      location,
      writeId: ctx.writeId,
    };
    const statements =
      i === 0
        ? d.createTableAs({ ...write, ...(iceberg ? { tableType: "iceberg" as const } : {}) })
        : d.insertInto(write);
    for (const statement of statements) {
      ran(step(statement, "write one batch of partitions of the new version"));
      rows = sum(
        rows,
        i === 0
          ? await retried(statement.sql, run, staging, location)
          : rowsWritten(statement.kind, await ctx.execute(statement.sql), undefined),
      );
    }
  }
  await dropped(run, source, ran);
  return rows;
}

/**
 * An append past the partition limit: stage the rows unpartitioned, then INSERT them into the
 * published table in batches of partitions (naming the table's columns); the copy is dropped after.
 */
export async function batchedInsert(
  run: CatalogPlanRun,
  rows: { select: string; columns?: readonly string[] },
  ran: Ran,
): Promise<number | undefined> {
  const { node, ctx } = run;
  const d = catalogDialect(ctx.dialect);
  const staging = stagingRelation(node.relation, ctx.writeId);
  const source = await stageUnpartitioned(run, staging, rows.select, undefined, ran);
  let written: number | undefined;
  for (const predicateSql of batchSelects(d, source, await partitionsOf(run, source, ran))) {
    for (const statement of d.insertInto({
      relation: node.relation,
      selectSql: predicateSql,
      partitionedBy: node.partitionedBy,
      location: run.existing.location ?? "",
      writeId: ctx.writeId,
      ...(rows.columns === undefined ? {} : { columns: rows.columns }),
    })) {
      ran(step(statement, "append one batch of partitions to the published table"));
      written = sum(
        written,
        rowsWritten(statement.kind, await ctx.execute(statement.sql), undefined),
      );
    }
  }
  await dropped(run, source, ran);
  return written;
}

/** An unpartitioned staging copy of the rows (no partition limit applies to it). */
async function stageUnpartitioned(
  run: CatalogPlanRun,
  staging: Relation,
  selectSql: string,
  suffix: string | undefined,
  ran: Ran,
): Promise<Relation> {
  const { node, ctx } = run;
  const relation =
    suffix === undefined ? staging : { schema: staging.schema, name: `${staging.name}_${suffix}` };
  const location = `${node.location ?? ""}_staging${suffix === undefined ? "" : `_${suffix}`}`;
  const write = { relation, selectSql, partitionedBy: [], location, writeId: ctx.writeId };
  for (const statement of ctx.dialect.createTableAs(write)) {
    ran(step(statement, "stage the rows unpartitioned (past the partition limit)"));
    await retried(statement.sql, run, relation, location);
  }
  return relation;
}

/** `SELECT DISTINCT <partition columns>` of the staged rows (one query), as catalog text. */
async function partitionsOf(
  run: CatalogPlanRun,
  source: Relation,
  ran: Ran,
): Promise<PartitionValues> {
  const { node, ctx } = run;
  const sql = catalogDialect(ctx.dialect).selectDistinct(source, node.partitionedBy);
  ran(
    step(
      { kind: "select", sql, grammar: ctx.dialect.queryGrammar },
      "list the staged rows' partitions",
    ),
  );
  const result = await ctx.execute(sql);
  const columns = node.partitionedBy.map((name) => ({
    name,
    type: result.columns.find((c) => c.name === name)?.type ?? "varchar",
  }));
  const values = result.rows.map((row) => columns.map((c) => asCatalogText(row[c.name], c.type)));
  return { columns, values };
}

/** A converted engine value back to the text the catalog stores for a partition. */
function asCatalogText(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return type.startsWith("timestamp") ? text.replace("T", " ").replace(/Z$/, "") : text;
}

async function dropped(run: CatalogPlanRun, relation: Relation, ran: Ran): Promise<void> {
  ran({ kind: "catalog", op: "drop_table", purpose: "drop the unpartitioned copy", relation });
  await run.engine.dropTableWithData(relation);
}

const step = (statement: Statement, purpose: string): PlanStep => ({
  kind: "sql",
  purpose,
  statement,
});

const sum = (a: number | undefined, b: number | undefined) =>
  a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
