/* eslint-disable @typescript-eslint/no-explicit-any -- the fake mirrors untyped wire shapes */
import type { Partition, Table } from "@aws-sdk/client-glue";
// The engine's own test fake, shared rather than copied; it is test support, not a project API.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { FakeAws, type QueryScript } from "../../libs/engines/test/fake-aws.js";

/** Scanned bytes the fake reports for every data query (below the 10 MB minimum). */
export const SCANNED = 1_000_000;

/**
 * The engine fake, plus an Athena that answers by SQL text the way Athena + Glue would for the
 * statements sluice sends: CTAS registers a Glue table (with its partitions) at its
 * external_location and writes objects there, INSERT adds partitions and objects, views and
 * external tables are registered, assertions report `failures = 0`, `SELECT DISTINCT` returns
 * the configured partition values. A CTAS/INSERT writing more than 100 partitions fails with
 * HIVE_TOO_MANY_OPEN_PARTITIONS, as Athena does.
 */
export class FakeAthenaLake extends FakeAws {
  /** Partition values the rows of a model fall into (by model table name). */
  readonly partitionValues = new Map<string, string[]>();
  /** Statements Athena received, in order. */
  readonly statements: string[] = [];
  /** Make the next query whose SQL matches fail with this message. */
  failQuery?: {
    match: RegExp;
    message: string;
    /** Files (keys in `bucket`) it wrote before failing, listed in its data manifest. */ wrote?: {
      bucket: string;
      keys: string[];
    };
  };
  /** Columns a `... LIMIT 0` probe of an incremental SELECT reports (Athena result types). */
  probeColumns: { Name: string; Type: string }[] = [
    { Name: "event_id", Type: "varchar" },
    { Name: "id", Type: "bigint" },
    { Name: "event_date", Type: "date" },
  ];
  /** Queries whose SQL matches stay RUNNING until stopped. */
  hang?: RegExp;

  constructor() {
    super();
    this.scriptFor = (sql) => this.answer(sql);
  }

  private answer(sql: string): QueryScript {
    this.statements.push(sql);
    const failure = this.failQuery;
    if (failure && failure.match.test(sql)) {
      this.failQuery = undefined;
      if (failure.wrote === undefined) return fail(failure.message);
      const { bucket, keys } = failure.wrote;
      this.putObjects(bucket, keys);
      const manifest = `tables/q${this.statements.length}-manifest.csv`;
      this.putObject(MANIFEST_BUCKET, manifest, keys.map((k) => `s3://${bucket}/${k}\n`).join(""));
      return {
        ...fail(failure.message),
        statistics: { DataManifestLocation: `s3://${MANIFEST_BUCKET}/${manifest}` },
      };
    }
    if (this.hang?.test(sql)) return { states: ["RUNNING"] };
    const ddl: QueryScript = {
      states: ["RUNNING", "SUCCEEDED"],
      statementType: "DDL",
      statistics: { DataScannedInBytes: 0, EngineExecutionTimeInMillis: 50 },
    };
    if (/^CREATE (DATABASE|EXTERNAL TABLE)/.test(sql)) return ddl;
    let added = /^ALTER TABLE `([^`]+)`\.`([^`]+)` ADD COLUMNS \((.*)\)$/.exec(sql);
    if (added) {
      const table = this.tables.get(`${added[1]}.${added[2]}`)!;
      const columns = [...added[3]!.matchAll(/`([^`]+)` ([^,]+)/g)].map((c) => ({
        Name: c[1]!,
        Type: c[2]!,
      }));
      table.StorageDescriptor!.Columns = [...(table.StorageDescriptor!.Columns ?? []), ...columns];
      return ddl;
    }
    added = /^SELECT \* FROM \(\n[\s\S]*\n\) AS sluice_limit LIMIT 0$/.exec(sql);
    if (added) {
      return {
        states: ["SUCCEEDED"],
        substatementType: "SELECT",
        columns: this.probeColumns,
        rows: [],
        statistics: { DataScannedInBytes: 0 },
      };
    }
    let m = /^CREATE OR REPLACE VIEW "([^"]+)"\."([^"]+)"/.exec(sql);
    if (m) {
      this.putTable(m[1]!, { Name: m[2]!, TableType: "VIRTUAL_VIEW" });
      return ddl;
    }
    m = /^CREATE TABLE "([^"]+)"\."([^"]+)"\nWITH \(([\s\S]*?)\n\)\nAS\n([\s\S]*)$/.exec(sql);
    if (m) {
      const [, db, name, props, select] = m;
      const location = /(?:external_location|location) = '([^']+)'/.exec(props!)![1]!;
      const keys = [
        ...(/(?:partitioned_by|partitioning) = ARRAY\[([^\]]*)\]/.exec(props!)?.[1] ?? "").matchAll(
          /'([^']+)'/g,
        ),
      ].map((k) => k[1]!);
      const values = keys.length === 0 ? [] : this.valuesFor(name!, select!);
      if (values.length > 100)
        return fail(
          "HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for partitions/buckets",
        );
      // Iceberg keeps its partitions and files in its own metadata: none in Glue.
      const iceberg = /table_type = 'ICEBERG'/.test(props!);
      const table: Table = {
        Name: name!,
        TableType: "EXTERNAL_TABLE",
        Parameters: iceberg
          ? {
              table_type: "ICEBERG",
              metadata_location: `${location}metadata/00000-${name}.metadata.json`,
            }
          : { classification: "parquet" },
        PartitionKeys: iceberg ? [] : keys.map((k) => ({ Name: k, Type: "date" })),
        StorageDescriptor: {
          Location: location,
          Columns: [
            { Name: "event_id", Type: "string" },
            { Name: "id", Type: "bigint" },
            ...(iceberg ? keys.map((k) => ({ Name: k, Type: "date" })) : []),
          ],
          SerdeInfo: {
            SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
          },
        },
      };
      this.putTable(db!, table, iceberg ? [] : values.map((v) => partition(keys[0]!, v, location)));
      if (iceberg)
        this.putObjects(parse(location).bucket, [
          `${parse(location).prefix}metadata/00000-${name}.metadata.json`,
        ]);
      this.write(location, keys[0], values);
      return {
        states: ["RUNNING", "SUCCEEDED"],
        statementType: "DDL",
        substatementType: "CREATE_TABLE_AS_SELECT",
        updateCount: 10 * Math.max(1, values.length),
        statistics: { DataScannedInBytes: SCANNED, EngineExecutionTimeInMillis: 900 },
      };
    }
    m = /^MERGE INTO "([^"]+)"\."([^"]+)" AS sluice_target\n/.exec(sql);
    if (m) {
      const table = this.tables.get(`${m[1]}.${m[2]}`);
      if (table?.Parameters?.["table_type"] !== "ICEBERG")
        return fail("NOT_SUPPORTED: MERGE INTO is not supported for Hive tables");
      const { bucket, prefix } = parse(table.StorageDescriptor!.Location!);
      this.putObjects(bucket, [
        `${prefix}data/merge-${this.statements.length}.parquet`,
        `${prefix}metadata/0000${this.statements.length}.metadata.json`,
      ]);
      return {
        states: ["RUNNING", "SUCCEEDED"],
        substatementType: "MERGE",
        updateCount: 10,
        statistics: { DataScannedInBytes: SCANNED, EngineExecutionTimeInMillis: 800 },
      };
    }
    m = /^INSERT INTO "([^"]+)"\."([^"]+)"(?: \([^\n]*\))?\n([\s\S]*)$/.exec(sql);
    if (m) {
      const [, db, name, select] = m;
      const table = this.tables.get(`${db}.${name}`)!;
      const key = table.PartitionKeys?.[0]?.Name;
      const values = key === undefined ? [] : this.valuesFor(name!, select!);
      const location = table.StorageDescriptor!.Location!;
      if (values.length > 100) {
        // Athena fails once the 101st writer opens: the first 100 partitions' files are written, and listed in the manifest.
        const { bucket, prefix } = parse(location);
        const partial = values
          .slice(0, 100)
          .map((v) => `${prefix}${key}=${v}/partial-${this.statements.length}.parquet`);
        this.putObjects(bucket, partial);
        const manifest = `tables/q${this.statements.length}-manifest.csv`;
        this.putObject(
          MANIFEST_BUCKET,
          manifest,
          partial.map((k) => `s3://${bucket}/${k}`).join("\n") + "\n",
        );
        return {
          ...fail(TOO_MANY),
          statistics: {
            DataScannedInBytes: SCANNED,
            DataManifestLocation: `s3://${MANIFEST_BUCKET}/${manifest}`,
          },
        };
      }
      const list = this.partitions.get(`${db}.${name}`) ?? [];
      for (const v of values)
        if (!list.some((p) => p.Values?.[0] === v)) list.push(partition(key!, v, location));
      this.partitions.set(`${db}.${name}`, list);
      this.write(location, key, values, "insert");
      return {
        states: ["RUNNING", "SUCCEEDED"],
        substatementType: "INSERT",
        updateCount: 10 * Math.max(1, values.length),
        statistics: { DataScannedInBytes: SCANNED, EngineExecutionTimeInMillis: 700 },
      };
    }
    m = /^SELECT DISTINCT "([^"]+)" FROM "[^"]+"\."([^"]+)"/.exec(sql);
    if (m) {
      const values = this.valuesFor(m[2]!, "");
      return {
        states: ["SUCCEEDED"],
        substatementType: "SELECT",
        columns: [{ Name: m[1]!, Type: "date" }],
        rows: values.map((v) => [v]),
        statistics: { DataScannedInBytes: 20_000, EngineExecutionTimeInMillis: 300 },
      };
    }
    if (/^SELECT count\(\*\) AS failures/.test(sql)) {
      return {
        states: ["SUCCEEDED"],
        substatementType: "SELECT",
        columns: [{ Name: "failures", Type: "bigint" }],
        rows: [["0"]],
        statistics: { DataScannedInBytes: SCANNED, EngineExecutionTimeInMillis: 400 },
      };
    }
    return {
      states: ["SUCCEEDED"],
      substatementType: "SELECT",
      columns: [],
      rows: [],
      statistics: { DataScannedInBytes: SCANNED },
    };
  }

  /** The model's partition values a SELECT produces: all of them, or those its literal predicate names. */
  private valuesFor(table: string, select: string): string[] {
    const model = table.replace(/__sluice_.*$/, "");
    const all = this.partitionValues.get(model) ?? ["2026-01-01"];
    const named = [...select.matchAll(/DATE '([^']+)'/g)].map((d) => d[1]!);
    return named.length > 0 ? all.filter((v) => named.includes(v)) : all;
  }

  private write(location: string, key: string | undefined, values: string[], file = "data") {
    const { bucket, prefix } = parse(location);
    const keys =
      key === undefined
        ? [`${prefix}${file}.parquet`]
        : values.map((v) => `${prefix}${key}=${v}/${file}.parquet`);
    this.putObjects(bucket, keys);
  }

  /** Every object key of a bucket, sorted. */
  keys(bucket: string): string[] {
    return [...(this.objects.get(bucket) ?? [])].sort();
  }
}

const TOO_MANY =
  "HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for partitions/buckets";
/** Where the fake Athena writes data manifests (the query results location). */
export const MANIFEST_BUCKET = "athena-results";

function fail(message: string): QueryScript {
  return {
    states: ["RUNNING", "FAILED"],
    athenaError: { ErrorCategory: 2, ErrorType: 1003, ErrorMessage: message },
  };
}

function partition(key: string, value: string, location: string): Partition {
  return { Values: [value], StorageDescriptor: { Location: `${location}${key}=${value}/` } } as any;
}

function parse(location: string) {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(location)!;
  return { bucket: m[1]!, prefix: m[2]!.replace(/\/?$/, "/") };
}
