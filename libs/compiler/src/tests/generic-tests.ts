import { error } from "@sluice/project/diagnostics";
import type { Diagnostic, GenericTestSpec, SourceLocation } from "@sluice/project";
import type { Dialect } from "@sluice/dialects";
import type { NewDataScope } from "../types.js";
import { closestHint } from "@sluice/project/suggest";

export const genericTestNames = ["not_null", "unique", "accepted_values", "relationships"] as const;

/** The model or source table a generic test is declared on. */
export interface TestSubject {
  nodeId: string;
  /** `orders` for a model, `raw_events` for a source table: the middle of the test name. */
  namePart: string;
  /** `source_` for source tables (dbt's spelling), `` for models. */
  namePrefix: string;
  relationSql: string;
  /** The subject's `copies_share_partition` columns (see {@link keysScope}). */
  copiesSharePartition?: readonly string[];
}

/** Resolves `to: ref('x')` / `to: source('a','b')` of a relationships test. */
export type ParentResolver = (
  to: { kind: "ref"; name: string } | { kind: "source"; source: string; table: string },
  at: SourceLocation,
) => { nodeId: string; relationSql: string } | Diagnostic | undefined;

/** A generic test turned into a query selecting failing rows. */
export interface GenericTest {
  name: string;
  sql: string;
  dependsOn: string[];
  /** A `{% test %}` block's `config(...)` calls, merged (custom generic tests only). */
  blockConfig?: Record<string, unknown>;
  /**
   * What the test reads of new data only: the new rows, or the rows of the new keys (unique).
   * Absent (custom `{% test %}` blocks, whose SQL sluice cannot narrow): the whole table.
   */
  newData?: NewDataScope;
  /** An aggregate of the subject's rows equal to the test's failure count (one scan can share it). */
  count?: string;
}

/**
 * dbt's `unique` test of `column` (quoted) on `relation` (its SQL): the non-NULL values that
 * occur more than once. The runner pairs a test of exactly this SQL with an IsUnique rule of the
 * same column (one scan for both).
 */
export function uniqueTestSql(relation: string, column: string): string {
  return `select ${column} as unique_field, count(*) as n_records\nfrom ${relation}\nwhere ${column} is not null\ngroup by ${column}\nhaving count(*) > 1`;
}

/**
 * The new-data scope of a uniqueness check of `columns` (a `unique` test, IsUnique, IsPrimaryKey):
 * the rows of the new keys (by the first column), in the partitions the run wrote when the model
 * declares that copies of that column share a partition (`copies_share_partition`), else in the
 * whole table.
 *
 * @example keysScope(["event_id"], ["event_id"]) // { kind: "keys", columns: ["event_id"], copiesSharePartition: true }
 */
export function keysScope(
  columns: string[],
  copiesSharePartition: readonly string[] = [],
): NewDataScope {
  const shared = columns[0] !== undefined && copiesSharePartition.includes(columns[0]);
  return { kind: "keys", columns, ...(shared ? { copiesSharePartition: true } : {}) };
}

function parseTo(to: unknown): Parameters<ParentResolver>[0] | undefined {
  const text = String(to ?? "");
  const ref = /^\s*ref\(\s*(['"])([^'"]+)\1\s*\)\s*$/.exec(text);
  if (ref) return { kind: "ref", name: ref[2]! };
  const src = /^\s*source\(\s*(['"])([^'"]+)\1\s*,\s*(['"])([^'"]+)\3\s*\)\s*$/.exec(text);
  if (src) return { kind: "source", source: src[2]!, table: src[4]! };
  return undefined;
}

/**
 * Compile one generic test (`not_null`, `unique`, `accepted_values`, `relationships`) into a
 * failing-rows SELECT; mistakes in the declaration are TEST_INVALID diagnostics at the YAML node.
 * Undefined when a relationships parent exists but was not compiled (its errors are reported).
 *
 * @example genericTest({ name: "not_null", ... }, "id", subject, dialect, resolve)
 * // { name: "not_null_orders_id", sql: 'select * from "main"."orders" where "id" is null', ... }
 */
export function genericTest(
  spec: GenericTestSpec,
  column: string | undefined,
  subject: TestSubject,
  dialect: Dialect,
  resolveParent: ParentResolver,
): GenericTest | Diagnostic | undefined {
  const args = {
    ...spec.args,
    ...((spec.args.arguments as Record<string, unknown> | undefined) ?? {}),
  };
  const columnName =
    column ?? (typeof args.column_name === "string" ? args.column_name : undefined);
  if (!(genericTestNames as readonly string[]).includes(spec.name)) {
    return error(
      "TEST_INVALID",
      `unknown generic test '${spec.name}'`,
      spec.at,
      closestHint(spec.name, genericTestNames) ??
        `generic tests are ${genericTestNames.join(", ")}`,
    );
  }
  if (columnName === undefined) {
    return error(
      "TEST_INVALID",
      `test '${spec.name}' needs a column`,
      spec.at,
      "declare it under a column, or give column_name",
    );
  }
  const col = dialect.quoteIdentifier(columnName);
  const rel = subject.relationSql;
  const name = `${subject.namePrefix}${spec.name}_${subject.namePart}_${columnName}`;
  const dependsOn = [subject.nodeId];
  const newData: NewDataScope = { kind: "rows" };
  switch (spec.name) {
    case "not_null":
      return {
        name,
        dependsOn,
        newData,
        sql: `select *\nfrom ${rel}\nwhere ${col} is null`,
        count: `count_if(${col} is null)`,
      };
    case "unique":
      return {
        name,
        dependsOn,
        newData: keysScope([columnName], subject.copiesSharePartition),
        sql: uniqueTestSql(rel, col),
      };
    case "accepted_values": {
      const values = args.values;
      if (!Array.isArray(values) || values.length === 0) {
        return error(
          "TEST_INVALID",
          "accepted_values needs a non-empty list 'values'",
          spec.at,
          "values: ['a', 'b']",
        );
      }
      const quote = args.quote !== false;
      const list = values.map((v) => (quote ? dialect.literal(String(v)) : String(v))).join(", ");
      return {
        name,
        dependsOn,
        newData,
        sql: `select ${col} as value_field, count(*) as n_records\nfrom ${rel}\nwhere ${col} not in (${list})\ngroup by ${col}`,
        // One failing row per value not accepted (NULL is not compared, so it is none).
        count: `count(distinct case when ${col} not in (${list}) then ${col} end)`,
      };
    }
    default: {
      const to = parseTo(args.to);
      const field = args.field;
      if (!to || typeof field !== "string") {
        return error(
          "TEST_INVALID",
          "relationships needs 'to: ref(...)' or 'to: source(...)' and 'field'",
          spec.at,
          "to: ref('customers')\nfield: customer_id",
        );
      }
      const parent = resolveParent(to, spec.at);
      if (parent === undefined || "code" in parent) return parent;
      const parentCol = dialect.quoteIdentifier(field);
      return {
        name,
        dependsOn: [subject.nodeId, parent.nodeId],
        newData: { kind: "rows", lookup: { column: columnName, field } },
        sql:
          `with child as (\n  select ${col} as from_field from ${rel} where ${col} is not null\n),\n` +
          // Only the parent keys the child has: no hash of the whole parent's keys.
          `parent as (\n  select ${parentCol} as to_field from ${parent.relationSql}\n` +
          `  where ${parentCol} in (select from_field from child)\n)\n` +
          `select from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null`,
      };
    }
  }
}
