import { z } from "zod";
import type { Diagnostic } from "./diagnostics.js";
import { unknownConfigKeyWarnings } from "./config-key-warnings.js";
import { stripUndefined } from "./folder-config.js";
import { exposureSchema, toExposure } from "./exposures.js";
import { parseGenericTests } from "./generic-tests.js";
import { modelConfigSchema } from "./model-config-schema.js";
import type {
  ColumnProperties,
  Exposure,
  ModelProperties,
  SnapshotProperties,
  SourceTable,
} from "./types.js";
import type { YamlPath } from "./yaml-source.js";
import { parseYaml } from "./yaml-source.js";
import { plainModelEntry } from "./plain-model-entry.js";
import { withoutDbtOnlyKeys } from "./dbt-only-keys.js";
import { issuesToDiagnostics } from "./zod-issues.js";
import { parseUnitTests } from "./unit-tests.js";
import { freshnessKeys, resolveFreshness } from "./source-freshness.js";
import type { UnitTestSpec } from "./unit-tests.js";

/** Empty YAML values (`description:`) count as absent. */
const opt = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());
const list = <T extends z.ZodType>(item: T) => opt(z.array(item));
const text = opt(z.string());
const tests = list(z.unknown());

const columnSchema = z.strictObject({
  name: z.string().min(1),
  description: text,
  data_type: text,
  tests,
  data_tests: tests,
  meta: opt(z.record(z.string(), z.unknown())),
});

/** A model entry of a properties file (plain-model-entry.ts checks the common shape faster). */
export const modelSchema = z.strictObject({
  name: z.string().min(1),
  description: text,
  config: opt(modelConfigSchema),
  columns: list(columnSchema),
  tests,
  data_tests: tests,
  meta: opt(z.record(z.string(), z.unknown())),
});

const snapshotSchema = modelSchema.extend({ relation: text });

const eventTypeName = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, "an event type is a folder name: letters, digits, '_' and '-'");
// `firehose_event_type_hourly`: Firehose dynamic partitioning by `.event_type` (the stack's
// partitionRawByEventType); Athena projects `event_type` as an enum, so the values are declared.
const externalSchema = z
  .strictObject({
    location: z.string().min(1),
    format: z.literal("json_lines"),
    partitioning: z.enum(["firehose_hourly", "firehose_event_type_hourly"]),
    event_types: opt(z.array(eventTypeName).min(1)),
  })
  .superRefine((e, ctx) => {
    const byType = e.partitioning === "firehose_event_type_hourly";
    if (byType && e.event_types === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["partitioning"],
        message:
          "partitioning firehose_event_type_hourly needs event_types: the list of event_type folders to read (e.g. [product_view, add_to_cart, checkout_started, order_paid])",
      });
    if (!byType && e.event_types !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["event_types"],
        message:
          "event_types is read only with partitioning: firehose_event_type_hourly; remove it or change the partitioning",
      });
  });

const tableSchema = z.strictObject({
  name: z.string().min(1),
  identifier: text,
  ...freshnessKeys,
  description: text,
  external: opt(externalSchema),
  columns: list(columnSchema),
  tests,
  data_tests: tests,
  meta: opt(z.record(z.string(), z.unknown())),
});

const sourceSchema = z.strictObject({
  name: z.string().min(1),
  ...freshnessKeys,
  schema: text,
  description: text,
  tables: z.array(z.unknown()),
  meta: opt(z.record(z.string(), z.unknown())),
});

const fileSchema = z.strictObject({
  version: opt(z.literal(2)),
  models: list(z.unknown()),
  sources: list(z.unknown()),
  exposures: list(z.unknown()),
  unit_tests: list(z.unknown()),
  snapshots: list(z.unknown()),
  seeds: list(z.unknown()),
});

export interface ParsedProperties {
  models: ModelProperties[];
  sources: SourceTable[];
  exposures: Exposure[];
  /** dbt 1.8 `unit_tests:`; rows given by `fixture:` are empty until the loader reads the file. */
  unitTests: UnitTestSpec[];
  /** `snapshots:` entries (dbt snapshots' properties, or YAML snapshots with `relation:`). */
  snapshots: SnapshotProperties[];
  /** `seeds:` entries: a seed's description, columns and tests. */
  seeds?: ModelProperties[];
  diagnostics: Diagnostic[];
}

/**
 * Parse one properties YAML file (dbt `version: 2`): model entries and source tables with their
 * columns and generic tests, and exposures. A bad entry is reported and skipped; the others are kept.
 */
export function parseProperties(content: string, file: string): ParsedProperties {
  const out: ParsedProperties = {
    models: [],
    sources: [],
    exposures: [],
    unitTests: [],
    snapshots: [],
    seeds: [],
    diagnostics: [],
  };
  const source = parseYaml(content, file);
  if (source.syntaxErrors.length) return { ...out, diagnostics: source.syntaxErrors };
  const data = withoutDbtOnlyKeys(source.data ?? {}, source, out.diagnostics);
  const validate = <S extends z.ZodType>(
    schema: S,
    value: unknown,
    base: YamlPath,
  ): z.output<S> | undefined => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    out.diagnostics.push(
      ...issuesToDiagnostics(r.error.issues, {
        source,
        code: "PROPERTIES_INVALID",
        schema,
        data: value,
        base,
      }),
    );
    return undefined;
  };
  const top = validate(fileSchema, data, []);
  if (!top) return out;

  const testsOf = (entry: { tests?: unknown[]; data_tests?: unknown[] }, path: YamlPath) => [
    ...parseGenericTests(entry.tests ?? [], source, [...path, "tests"], out.diagnostics),
    ...parseGenericTests(entry.data_tests ?? [], source, [...path, "data_tests"], out.diagnostics),
  ];
  const columnsOf = (
    columns: z.output<typeof columnSchema>[] | undefined,
    path: YamlPath,
  ): ColumnProperties[] =>
    (columns ?? []).map((c, i) => ({
      name: c.name,
      ...(c.description !== undefined ? { description: c.description } : {}),
      ...(c.data_type !== undefined ? { data_type: c.data_type } : {}),
      tests: testsOf(c, [...path, "columns", i]),
      at: source.locate([...path, "columns", i]),
    }));

  const propertiesOf = (
    kind: "model" | "snapshot" | "seed",
    m: z.output<typeof modelSchema>,
    path: YamlPath,
  ): ModelProperties => {
    out.diagnostics.push(
      ...unknownConfigKeyWarnings(
        m.config ?? {},
        (key) => source.locate([...path, "config", key], "key"),
        `config: of ${kind} '${m.name}'`,
      ),
    );
    return {
      name: m.name,
      ...(m.description !== undefined ? { description: m.description } : {}),
      config: stripUndefined(m.config ?? {}),
      columns: columnsOf(m.columns, path),
      tests: testsOf(m, path),
      at: source.locate(path),
    };
  };
  (top.models ?? []).forEach((raw, i) => {
    const m = plainModelEntry(raw) ?? validate(modelSchema, raw, ["models", i]);
    if (m) out.models.push(propertiesOf("model", m, ["models", i]));
  });
  (top.seeds ?? []).forEach((raw, i) => {
    const m = plainModelEntry(raw) ?? validate(modelSchema, raw, ["seeds", i]);
    if (m) out.seeds!.push(propertiesOf("seed", m, ["seeds", i]));
  });
  (top.snapshots ?? []).forEach((raw, i) => {
    const path = ["snapshots", i];
    const s = validate(snapshotSchema, raw, path);
    if (!s) return;
    out.snapshots.push({
      ...propertiesOf("snapshot", s, path),
      ...(s.relation === undefined
        ? {}
        : { relation: { text: s.relation, at: source.locate([...path, "relation"]) } }),
    });
  });

  (top.sources ?? []).forEach((raw, i) => {
    const path = ["sources", i];
    const s = validate(sourceSchema, raw, path);
    if (!s) return;
    s.tables.forEach((rawTable, j) => {
      const tpath = [...path, "tables", j];
      const t = validate(tableSchema, rawTable, tpath);
      if (!t) return;
      const freshness = resolveFreshness(
        [
          { ...s, path },
          { ...t, path: tpath },
        ],
        source,
        out.diagnostics,
      );
      out.sources.push({
        sourceName: s.name,
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        schema: s.schema ?? s.name,
        ...(t.identifier !== undefined ? { identifier: t.identifier } : {}),
        ...(t.external ? { external: t.external } : {}),
        ...(freshness ? { freshness } : {}),
        columns: columnsOf(t.columns, tpath),
        tests: testsOf(t, tpath),
        at: source.locate(tpath),
      });
    });
  });

  (top.exposures ?? []).forEach((raw, i) => {
    const e = validate(exposureSchema, raw, ["exposures", i]);
    if (e) out.exposures.push(toExposure(e, source, ["exposures", i], out.diagnostics));
  });
  out.unitTests.push(
    ...parseUnitTests(top.unit_tests ?? [], source, ["unit_tests"], out.diagnostics),
  );
  return out;
}
