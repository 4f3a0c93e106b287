import { kwargsOf } from "./kwargs.js";
import type { RenderScope } from "./render-scope.js";

/** Rows one warehouse query returned: the slice of an engine's `QueryResult` a template reads. */
export interface QueryRows {
  columns: readonly { name: string; type?: string }[];
  rows: readonly Record<string, unknown>[];
}

/**
 * What one model's renders read from the warehouse (dbt's `run_query`, `{% call statement %}`,
 * `adapter.get_columns_in_relation`, `adapter.get_relation`). Rendering is synchronous, so a
 * render never waits for a query: it reads `results`, and at the first query whose result is
 * not there it records the SQL in `missing` and answers every later call of that render with an
 * empty result (a value derived from a placeholder never reaches the warehouse). Whoever holds a
 * connection runs the missing query and renders again, until a render misses nothing
 * (`renderWithWarehouse`): n queries cost n + 1 renders.
 *
 * @example
 * const session: WarehouseSession = { results: new Map(), missing: [], calls: 0 };
 * // render → session.missing = ["select distinct status from ..."]; run it, set the result, render again
 */
export interface WarehouseSession {
  /** SQL → its result, as the runner fetched them; undefined while compiling offline. */
  results?: ReadonlyMap<string, QueryRows>;
  /** The first query each render reached without a result, in render order. */
  missing: string[];
  /** How many warehouse calls the renders made (the node then renders again at run time). */
  calls: number;
}

/** An agate column as dbt templates read it: `.name`, `.values()`, `col[0]`. */
export type AgateColumn = unknown[] & { name: string; data_type: string; values(): unknown[] };

/**
 * An agate table as dbt projects read `run_query`'s result: `.columns[0].values()`,
 * `.columns['status']`, `.column_names`, `.rows[0][0]`, `.rows[0]['status']`, and the table
 * itself indexed and iterated by row (`results[0][0]`, `{% for row in results %}`).
 */
export function agateTable(result: QueryRows): unknown[] {
  const names = result.columns.map((c) => c.name);
  // A row reads by position and by column name, as an agate Row does.
  const rows = result.rows.map((r) => {
    const row = names.map((n) => r[n]) as unknown[] & Record<string, unknown>;
    for (const n of names) if (!/^\d+$/.test(n)) row[n] = r[n];
    return row;
  });
  const columns = result.columns.map((c) => {
    const values = rows.map((row) => row[names.indexOf(c.name)]);
    return Object.assign([...values], {
      name: c.name,
      data_type: c.type ?? "",
      values: () => [...values],
    }) as AgateColumn;
  });
  const byName = Object.assign([...columns], Object.fromEntries(columns.map((c) => [c.name, c])));
  return Object.assign([...rows], {
    rows,
    columns: byName,
    column_names: names,
    column_types: result.columns.map((c) => c.type ?? ""),
  });
}

/** dbt's `load_result(name)`: the statement's response, its agate table and its rows as tuples. */
export function loadResultObject(result: QueryRows): Record<string, unknown> {
  const table = agateTable(result) as unknown as { rows: unknown[][] };
  return {
    response: { code: "OK", rows_affected: result.rows.length },
    table,
    data: table.rows.map((r) => [...r]),
  };
}

const STRING_TYPE = /^\s*(text|character varying|character|varchar|char|string)\b/i;
const NUMBER_TYPE =
  /^\s*(tinyint|smallint|integer|int|bigint|hugeint|real|float|double|decimal|numeric)\b/i;

/**
 * Columns of a relation as dbt's `Column` objects: `.name`, `.column`, `.data_type`, `.dtype`,
 * `.quoted` (quoted as the target quotes identifiers), and dbt's `is_string()`, `is_number()`,
 * `is_integer()`, `is_float()`, `is_numeric()`, `string_size()` (the varchar's length, else 256).
 */
export function columnObjects(
  result: QueryRows,
  quote: (name: string) => string,
): Record<string, unknown>[] {
  return result.columns.map((c) => {
    const type = c.type ?? "";
    const isString = STRING_TYPE.test(type);
    return {
      name: c.name,
      column: c.name,
      data_type: type,
      dtype: type,
      quoted: quote(c.name),
      is_string: () => isString,
      is_number: () => NUMBER_TYPE.test(type),
      is_integer: () => /^\s*(tinyint|smallint|integer|int|bigint|hugeint)\b/i.test(type),
      is_float: () => /^\s*(real|float|double)\b/i.test(type),
      is_numeric: () => /^\s*(decimal|numeric)\b/i.test(type),
      string_size: () => Number(/\((\d+)\)/.exec(type)?.[1] ?? 256),
    };
  });
}

const EMPTY: QueryRows = { columns: [], rows: [] };

/** What the warehouse calls need of dbt's context. */
export interface WarehouseCallInputs {
  quote: (name: string) => string;
  literal: (value: string) => string;
  /** A relation object as `api.Relation.create` builds it. */
  relation: (schema: string, identifier: string) => unknown;
  /** Report an error at the call `name` in the current template. */
  report: (name: string, message: string, hint: string) => void;
}

/**
 * dbt's context members that read the warehouse: `run_query`, `statement`/`load_result`,
 * `adapter.get_columns_in_relation`, `adapter.get_relation`. In the parse render (`execute`
 * false) they return none, as in dbt's parse. In a model's render they answer from the render's
 * {@link WarehouseSession}; elsewhere (a test, a description) they are errors at the call (and
 * answer empty, so the error is not repeated by what reads the answer).
 */
export function warehouseCalls(inputs: WarehouseCallInputs, current: () => RenderScope) {
  const ask = (name: string, sql: string): QueryRows | undefined => {
    const scope = current();
    if (scope.parsing === true) return undefined;
    const session = scope.warehouse;
    if (!session) {
      inputs.report(
        name,
        `${name}() reads the warehouse, which only a model's SQL can do (rendered at run time)`,
        "move the query into a model, or compute the value in SQL (a CTE or a join)",
      );
      return EMPTY;
    }
    session.calls++;
    const found = session.results?.get(sql);
    if (found) return found;
    if (scope.warehouseBlocked !== true) session.missing.push(sql);
    scope.warehouseBlocked = true;
    return EMPTY;
  };
  const relationName = (relation: unknown) => String(relation);
  return {
    run_query: (sql: unknown) => {
      const result = ask("run_query", String(sql).trim());
      return result && agateTable(result);
    },
    // `{% call statement('name', fetch_result=True) %}sql{% endcall %}`: nunjucks passes the
    // body as the `caller` keyword. dbt runs the statement whatever fetch_result says.
    statement: (name: unknown, kw?: unknown) => {
      const { caller, fetch_result } = kwargsOf(kw);
      const sql = typeof caller === "function" ? String((caller as () => unknown)()).trim() : "";
      const result = ask("statement", sql);
      if (result && fetch_result !== false)
        (current().statements ??= new Map()).set(String(name ?? "main"), result);
      return "";
    },
    load_result: (name: unknown) => {
      const result = current().statements?.get(String(name));
      return result && loadResultObject(result);
    },
    get_columns_in_relation: (relation: unknown) => {
      const result = ask(
        "get_columns_in_relation",
        `select * from ${relationName(relation)} limit 0`,
      );
      return result && columnObjects(result, inputs.quote);
    },
    // get_relation(database, schema, identifier), positional or by keyword: the relation, or
    // none when the warehouse has no table or view of that name.
    get_relation: (...args: unknown[]) => {
      const kw = kwargsOf(args.at(-1));
      const positional = args.filter((a) => a !== kw);
      const schema = String(kw.schema ?? positional[1] ?? "");
      const identifier = String(kw.identifier ?? positional[2] ?? "");
      const result = ask(
        "get_relation",
        "select table_schema, table_name from information_schema.tables where " +
          `lower(table_schema) = lower(${inputs.literal(schema)}) and ` +
          `lower(table_name) = lower(${inputs.literal(identifier)})`,
      );
      return result && result.rows.length > 0 ? inputs.relation(schema, identifier) : undefined;
    },
  };
}
