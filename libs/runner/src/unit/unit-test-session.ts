import type { CompiledNode } from "@sluice/compiler";
import { bindWindow, NO_WATERMARK } from "@sluice/compiler/plan";
import {
  createEmptyTableSql,
  createMockTableSql,
  describeTableSql,
  duckdbLiteral,
  mockRowsSql,
  type TypedColumn,
} from "@sluice/dialects";
import { openMemoryDatabase, type MemoryDatabase } from "@sluice/engines";
import type { NodeResult } from "../types.js";
import { unitTestKey, type UnitTestRuntime } from "./unit-test-key.js";
import type { UnitTestMemo } from "./unit-test-memo.js";

/** Unit-test results kept between runs: the memo, what the tests run on, this run's id. */
export interface UnitTestReuse {
  memo: UnitTestMemo;
  runtime: UnitTestRuntime;
  runId: string;
}

/** The columns of a raw (external, Firehose) source: one row per line, and its hour. */
const RAW_COLUMNS: TypedColumn[] = [
  { name: "line", type: "varchar" },
  { name: "dt", type: "varchar" },
];

/** A run's kept unit-test passes (`RunOptions.unitTestMemo`). */
export interface UnitTestMemoOption {
  memo: UnitTestMemo;
  /** The running sluice build: a rebuilt sluice runs every test again. */
  build: string;
}

/**
 * The unit-test session of a run: unit tests run on an embedded database of their own,
 * whatever the target, with the Trino-compat layer unless the models are DuckDB SQL.
 */
export function unitTestSessionFor(
  nodes: readonly CompiledNode[],
  options: {
    sqlDialect?: "trino" | "duckdb";
    runId: string;
    unitTestMemo?: UnitTestMemoOption;
  },
): UnitTestSession {
  const trinoCompat = (options.sqlDialect ?? "trino") === "trino";
  const memo = options.unitTestMemo;
  return new UnitTestSession(
    nodes,
    () => openMemoryDatabase({ trinoCompat }),
    memo && {
      memo: memo.memo,
      runtime: { trinoCompat, build: memo.build },
      runId: options.runId,
    },
  );
}

/**
 * The embedded database of one run's unit tests, opened at the first one and kept open: the
 * columns and types of every node a mock stands in for, learned once from the node's compiled
 * SQL run on empty tables of its own inputs (an "empty world" of the project's relations:
 * nothing is read, no parent is built).
 */
export class UnitTestSession {
  private db: Promise<MemoryDatabase> | undefined;
  private readonly columns = new Map<string, Promise<TypedColumn[]>>();
  private readonly byId: ReadonlyMap<string, CompiledNode>;
  /** The unit test running on the database, if any: the next waits for it (`exclusive`). */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    nodes: readonly CompiledNode[],
    private readonly open: () => Promise<MemoryDatabase>,
    private readonly reuse?: UnitTestReuse,
  ) {
    this.byId = new Map(nodes.map((n) => [n.id, n]));
  }

  /**
   * Run unit test `node` through `run`, unless the memo keeps a pass of it under the same content
   * key: then `result` is that pass, reported as reused (and the database is not opened).
   */
  async runOrReuse(
    node: CompiledNode,
    result: NodeResult,
    run: () => Promise<void>,
  ): Promise<void> {
    if (!this.reuse) return run();
    const key = unitTestKey(node, this.byId, this.reuse.runtime);
    const kept = this.reuse.memo.reusable(node.id, key);
    if (kept) {
      result.status = "pass";
      result.failures = 0;
      result.message = `${kept.message} (reused: nothing it depends on changed since run ${kept.runId})`;
      result.reused = { runId: kept.runId };
      return;
    }
    await run();
    this.reuse.memo.record(node.id, key, result, this.reuse.runId);
  }

  /** The database, opened on first use. */
  database(): Promise<MemoryDatabase> {
    this.db ??= this.open();
    return this.db;
  }

  /**
   * The columns of node `id` as DuckDB types: a raw (external) source's `line`, `dt`; a source's
   * declared columns as varchar; a model's or seed's from its SQL over empty inputs.
   */
  columnsOf(id: string): Promise<TypedColumn[]> {
    let known = this.columns.get(id);
    if (!known) {
      known = this.learn(id);
      this.columns.set(id, known);
    }
    return known;
  }

  private async learn(id: string): Promise<TypedColumn[]> {
    const node = this.byId.get(id);
    if (!node) return [];
    if (node.kind === "source") {
      if (node.location !== undefined) return this.emptyTable(node, RAW_COLUMNS);
      return this.emptyTable(
        node,
        node.columns.map((c) => ({ name: c.name, type: "varchar" })),
      );
    }
    // Inputs first (ephemerals are inlined in the SQL already).
    for (const dep of node.dependsOn) {
      const upstream = this.byId.get(dep);
      if (upstream && upstream.materialization !== "ephemeral") await this.columnsOf(dep);
    }
    const db = await this.database();
    const sql = bindWindow(node.sql, duckdbLiteral(NO_WATERMARK));
    const { schema, name } = node.relation;
    await db.execute(
      createEmptyTableSql(schema, name, sql),
      `columns of ${node.id} (its SQL on empty inputs)`,
    );
    return this.describe(schema, name);
  }

  /** A table of the node's relation with these columns and no row. */
  private async emptyTable(node: CompiledNode, columns: TypedColumn[]): Promise<TypedColumn[]> {
    if (columns.length === 0) return [];
    const db = await this.database();
    await db.execute(
      createMockTableSql(node.relation.schema, node.relation.name, mockRowsSql(columns, [], [])),
      `columns of ${node.id}`,
    );
    return columns;
  }

  /** The columns of a table of the database. */
  async describe(schema: string, name: string): Promise<TypedColumn[]> {
    const db = await this.database();
    const { rows } = await db.execute(describeTableSql(schema, name));
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  /**
   * Run `test` alone on the database: unit tests share its `sluice_unit` tables (`__actual`,
   * `__expected`), so two at once (a build's threads) would read each other's rows.
   */
  exclusive<T>(test: () => Promise<T>): Promise<T> {
    const turn = this.turn.then(test);
    this.turn = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db) await (await db).close();
  }
}
