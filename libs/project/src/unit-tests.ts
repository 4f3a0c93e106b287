import { CsvError, parse } from "csv-parse/sync";
import { z } from "zod";
import { error } from "./diagnostics.js";
import type { Diagnostic, SourceLocation } from "./diagnostics.js";
import { formatPath } from "./yaml-source.js";
import type { YamlPath, YamlSource } from "./yaml-source.js";
import { issuesToDiagnostics } from "./zod-issues.js";

/** What a `given:` entry stands in for: `ref('m')`, `source('s', 't')` or `this` (the model itself). */
export type UnitTestInputName =
  | { kind: "ref"; name: string }
  | { kind: "source"; source: string; table: string }
  | { kind: "this" };

/**
 * Mock rows of a unit test. `table`: named columns and their values (from `format: dict` rows,
 * or `format: csv` text, where every value is text and an empty cell is NULL); `sql`: a SELECT
 * (`format: sql`). `fixture` names a file under `<test-path>/fixtures/` the loader has read.
 */
export type UnitTestRows = (
  { format: "dict" | "csv"; columns: string[]; rows: unknown[][] } | { format: "sql"; sql: string }
) & { fixture?: string; at: SourceLocation };

export interface UnitTestInput {
  input: UnitTestInputName;
  /** The `input:` text as written (`ref('stg_events')`), for messages. */
  text: string;
  rows: UnitTestRows;
  at: SourceLocation;
}

/**
 * A dbt 1.8 unit test (`unit_tests:` of a properties file): the model's SQL run on mock inputs
 * and compared with `expect`, with no warehouse. `overrides.macros` may set `is_incremental`
 * (the branch tested) and replace project macros by the value they return.
 */
export interface UnitTestSpec {
  name: string;
  model: string;
  description?: string;
  given: UnitTestInput[];
  expect: UnitTestRows;
  overrides: {
    macros: Record<string, unknown>;
    vars: Record<string, unknown>;
    env_vars: Record<string, string>;
  };
  tags: string[];
  enabled: boolean;
  at: SourceLocation;
}

const opt = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());
const formats = ["dict", "csv", "sql"] as const;
const rowsFields = {
  rows: opt(z.union([z.array(z.record(z.string(), z.unknown())), z.string()])),
  format: opt(z.enum(formats)),
  fixture: opt(z.string().min(1)),
};
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const unitTestSchema = z.strictObject({
  name: z.string().min(1),
  model: z.string().min(1),
  description: opt(z.string()),
  given: opt(z.array(z.strictObject({ input: z.string().min(1), ...rowsFields }))),
  expect: z.strictObject(rowsFields),
  overrides: opt(
    z.strictObject({
      macros: opt(z.record(z.string(), z.unknown())),
      vars: opt(z.record(z.string(), z.unknown())),
      env_vars: opt(z.record(z.string(), scalar)),
    }),
  ),
  config: opt(
    z.strictObject({
      tags: opt(z.union([z.string(), z.array(z.string())])),
      enabled: opt(z.boolean()),
      meta: opt(z.record(z.string(), z.unknown())),
    }),
  ),
  versions: opt(z.unknown()),
});

const INPUT =
  /^\s*(?:(ref)\(\s*(['"])([^'"]+)\2\s*\)|(source)\(\s*(['"])([^'"]+)\5\s*,\s*(['"])([^'"]+)\7\s*\)|(this))\s*$/;

/** `ref('m')`, `source('s', 't')` or `this`; undefined when the text is none of them. */
export function parseUnitTestInput(text: string): UnitTestInputName | undefined {
  const m = INPUT.exec(text);
  if (!m) return undefined;
  if (m[1]) return { kind: "ref", name: m[3]! };
  if (m[4]) return { kind: "source", source: m[6]!, table: m[8]! };
  return { kind: "this" };
}

/**
 * Parse the `unit_tests:` list of one properties file. Mistakes are PROPERTIES_INVALID at the
 * offending key or value (with the fix); a bad test is skipped, the others are kept.
 * Rows given by `fixture:` are empty until the loader reads the file (`resolveFixtures`).
 *
 * @example parseUnitTests([{ name: "t", model: "m", given: [], expect: { rows: [{ a: 1 }] } }], src, ["unit_tests"], diags)
 */
export function parseUnitTests(
  raw: readonly unknown[],
  source: YamlSource,
  path: YamlPath,
  diagnostics: Diagnostic[],
): UnitTestSpec[] {
  const tests: UnitTestSpec[] = [];
  const fail = (p: YamlPath, message: string, hint?: string, prefer?: "key" | "value") =>
    diagnostics.push(
      error("PROPERTIES_INVALID", `${formatPath(p)}: ${message}`, source.locate(p, prefer), hint),
    );
  raw.forEach((item, i) => {
    const base = [...path, i];
    const r = unitTestSchema.safeParse(item);
    if (!r.success) {
      diagnostics.push(
        ...issuesToDiagnostics(r.error.issues, {
          source,
          code: "PROPERTIES_INVALID",
          schema: unitTestSchema,
          data: item,
          base,
        }),
      );
      return;
    }
    const t = r.data;
    let ok = true;
    const rowsOf = (
      entry: z.output<z.ZodObject<typeof rowsFields>>,
      p: YamlPath,
    ): UnitTestRows | undefined => {
      const format = entry.format ?? "dict";
      const at = source.locate(entry.fixture !== undefined ? [...p, "fixture"] : [...p, "rows"]);
      if (entry.fixture !== undefined && entry.rows !== undefined) {
        fail([...p, "fixture"], "give rows or fixture, not both", "remove one of them", "key");
        return undefined;
      }
      if (entry.fixture !== undefined) {
        if (format === "dict") {
          fail(
            [...p, "fixture"],
            "a fixture file is CSV or SQL",
            "add 'format: csv' (tests/fixtures/<name>.csv) or 'format: sql' (<name>.sql)",
            "key",
          );
          return undefined;
        }
        return format === "sql"
          ? { format, sql: "", fixture: entry.fixture, at }
          : { format, columns: [], rows: [], fixture: entry.fixture, at };
      }
      const value = entry.rows ?? [];
      if (format === "dict") {
        if (typeof value === "string") {
          fail(
            [...p, "rows"],
            "format dict takes a list of mappings, got text",
            "write rows as '- {column: value}', or add 'format: csv' / 'format: sql'",
          );
          return undefined;
        }
        const columns = [...new Set(value.flatMap((row) => Object.keys(row)))];
        return {
          format,
          columns,
          rows: value.map((row) => columns.map((c) => row[c] ?? null)),
          at,
        };
      }
      if (typeof value !== "string") {
        fail(
          [...p, "rows"],
          `format ${format} takes text (a ${format === "csv" ? "CSV with a header" : "SELECT"}), got a list`,
          "write the rows as a block: 'rows: |' and the text indented below it",
        );
        return undefined;
      }
      if (format === "sql") return { format, sql: value, at };
      const csv = parseCsvRows(value);
      if ("message" in csv) {
        fail([...p, "rows"], `the CSV does not parse: ${csv.message}`, csv.hint);
        return undefined;
      }
      return { format, ...csv, at };
    };

    const given: UnitTestInput[] = [];
    (t.given ?? []).forEach((g, j) => {
      const p = [...base, "given", j];
      const input = parseUnitTestInput(g.input);
      if (!input) {
        ok = false;
        fail(
          [...p, "input"],
          `'${g.input}' is not an input`,
          "write ref('model'), source('source_name', 'table') or this",
        );
        return;
      }
      const dup = given.find((x) => JSON.stringify(x.input) === JSON.stringify(input));
      if (dup) {
        ok = false;
        fail([...p, "input"], `${g.input} is given twice`, "merge the rows into one entry");
        return;
      }
      const rows = rowsOf(g, p);
      if (!rows) ok = false;
      else given.push({ input, text: g.input.trim(), rows, at: source.locate(p) });
    });
    const expect = rowsOf(t.expect, [...base, "expect"]);
    if (!expect || !ok) return;
    const tags = t.config?.tags;
    tests.push({
      name: t.name,
      model: t.model,
      ...(t.description !== undefined ? { description: t.description } : {}),
      given,
      expect,
      overrides: {
        macros: t.overrides?.macros ?? {},
        vars: t.overrides?.vars ?? {},
        env_vars: Object.fromEntries(
          Object.entries(t.overrides?.env_vars ?? {}).map(([k, v]) => [k, String(v)]),
        ),
      },
      tags: tags === undefined ? [] : typeof tags === "string" ? [tags] : tags,
      enabled: t.config?.enabled ?? true,
      at: source.locate(base),
    });
  });
  return tests;
}

/**
 * CSV rows of a unit test (inline or a fixture file): a header, then cells as text; an empty
 * cell is NULL. A message (and hint) when the text does not parse.
 */
export function parseCsvRows(
  text: string,
): { columns: string[]; rows: unknown[][] } | { message: string; hint?: string } {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    return {
      message: e.message,
      hint: "one header line, then one line per row, cells separated by commas",
    };
  }
  const [header, ...rows] = records;
  if (!header) return { message: "it is empty", hint: "give at least a header line" };
  return { columns: header, rows: rows.map((r) => r.map((c) => (c === "" ? null : c))) };
}
