import type { CompiledNode, UnitTestAssertion, UnitTestMock } from "@sluice/compiler";
import { UNIT_TEST_SCHEMA } from "@sluice/compiler/run-time";
import {
  createMockTableSql,
  dropSchemaSql,
  mockQuerySql,
  mockRowsSql,
  selectColumnsSql,
  type TypedColumn,
} from "@sluice/dialects";
import type { UnitTestRows } from "@sluice/project";
import { QueryError } from "@sluice/engines";
import type { NodeResult } from "../types.js";
import { compareRows, formatRowDiff } from "./row-diff.js";
import type { UnitTestSession } from "./unit-test-session.js";

const ACTUAL = "__actual";
const EXPECTED = "__expected";
const QUERY = "__query";

/** A mistake in the test itself (a column its model does not have): the result is an error. */
class UnitTestMistake extends Error {}

/**
 * Run one unit test on the session's embedded database: its mocks (given rows in the upstream's
 * columns and types, the other columns typed NULLs; inputs not given are empty), the model's SQL
 * over them, and a multiset comparison with `expect` on the expected columns. A failure's
 * `diff` shows the rows that differ with the differing cells marked. A pass the session's memo
 * keeps under the same content key is reused instead (see `UnitTestSession.runOrReuse`).
 */
export function runUnitTest(
  node: CompiledNode,
  unit: UnitTestAssertion,
  session: UnitTestSession,
  result: NodeResult,
): Promise<void> {
  return session.runOrReuse(node, result, () =>
    session.exclusive(() => runAlone(node, unit, session, result)),
  );
}

async function runAlone(
  node: CompiledNode,
  unit: UnitTestAssertion,
  session: UnitTestSession,
  result: NodeResult,
): Promise<void> {
  const db = await session.database();
  const label = `unit test ${node.name}`;
  try {
    await db.execute(dropSchemaSql(UNIT_TEST_SCHEMA));
    for (const mock of unit.inputs) await createMock(session, mock, label);
    await db.execute(createMockTableSql(UNIT_TEST_SCHEMA, ACTUAL, node.sql), `${label}: model SQL`);
    const actualColumns = await session.describe(UNIT_TEST_SCHEMA, ACTUAL);
    const columns = await createExpected(session, unit.expect, actualColumns, label);
    const read = async (table: string) =>
      (await db.execute(selectColumnsSql(UNIT_TEST_SCHEMA, table, columns))).rows.map((r) =>
        columns.map((c) => r[c]),
      );
    const comparison = compareRows(await read(EXPECTED), await read(ACTUAL));
    const wrong = comparison.missing.length + comparison.unexpected.length;
    result.failures = wrong;
    if (wrong === 0) {
      result.status = "pass";
      result.message = `${comparison.matched} row${comparison.matched === 1 ? "" : "s"} as expected`;
      return;
    }
    result.status = "fail";
    result.message = `${comparison.missing.length} expected row(s) missing, ${comparison.unexpected.length} unexpected (compared on ${columns.join(", ")})`;
    result.diff = formatRowDiff(columns, comparison);
  } catch (error) {
    if (error instanceof UnitTestMistake) {
      result.status = "error";
      result.message = error.message;
      return;
    }
    if (!(error instanceof QueryError)) throw error;
    result.status = "error";
    result.message = `${error.details.label ?? label}: ${error.details.engineMessage}`;
  }
}

/** One input's mock table, in the upstream's columns and types. */
async function createMock(session: UnitTestSession, mock: UnitTestMock, label: string) {
  const db = await session.database();
  const columns = await session.columnsOf(mock.upstream);
  const what = `${label}: given ${mock.input}`;
  const select = await rowsSelect(session, mock.rows, columns, what, (given) => {
    if (columns.length === 0) return;
    const known = new Set(columns.map((c) => c.name.toLowerCase()));
    const unknown = given.filter((g) => !known.has(g.toLowerCase()));
    if (unknown.length > 0)
      throw new UnitTestMistake(
        `${what}: ${unknown.map((u) => `'${u}'`).join(", ")} ${unknown.length === 1 ? "is not a column" : "are not columns"} of ${mock.input}; its columns: ${columns.map((c) => c.name).join(", ")}`,
      );
  });
  await db.execute(createMockTableSql(mock.relation.schema, mock.relation.name, select), what);
}

/**
 * The expected rows as a table, each value cast to the type of the model's column of that name;
 * returns the columns compared (every model column when `expect` names none, i.e. no rows).
 */
async function createExpected(
  session: UnitTestSession,
  expect: UnitTestRows,
  actual: readonly TypedColumn[],
  label: string,
): Promise<string[]> {
  const db = await session.database();
  let compared: TypedColumn[] = actual.slice();
  const select = await rowsSelect(session, expect, actual, `${label}: expect`, (given) => {
    const byName = new Map(actual.map((c) => [c.name.toLowerCase(), c]));
    const unknown = given.filter((g) => !byName.has(g.toLowerCase()));
    if (unknown.length > 0)
      throw new UnitTestMistake(
        `${label}: expect names ${unknown.map((u) => `'${u}'`).join(", ")}, not ${unknown.length === 1 ? "a column" : "columns"} of the model's result; its columns: ${actual.map((c) => c.name).join(", ")}`,
      );
    if (given.length > 0) compared = given.map((g) => byName.get(g.toLowerCase())!);
  });
  await db.execute(createMockTableSql(UNIT_TEST_SCHEMA, EXPECTED, select), `${label}: expect`);
  return compared.map((c) => c.name);
}

/**
 * The SELECT of given rows in `columns`' order and types; `check` sees the column names the
 * rows give first (and may throw a {@link UnitTestMistake}).
 */
async function rowsSelect(
  session: UnitTestSession,
  rows: UnitTestRows | undefined,
  columns: readonly TypedColumn[],
  what: string,
  check: (given: string[]) => void,
): Promise<string> {
  if (!rows) return mockRowsSql(columns, [], []);
  if (rows.format !== "sql") {
    check(rows.columns);
    return mockRowsSql(columns, rows.columns, rows.rows);
  }
  const db = await session.database();
  await db.execute(createMockTableSql(UNIT_TEST_SCHEMA, QUERY, rows.sql), `${what} (format sql)`);
  const returned = (await session.describe(UNIT_TEST_SCHEMA, QUERY)).map((c) => c.name);
  check(returned);
  return mockQuerySql(columns, returned, rows.sql);
}
