import type { RawSourceSpec } from "../dialect.js";
import { directory, hiveString } from "./athena-escape.js";

/**
 * Hive DDL for the raw Firehose zone: one row per line, `line string` plus the projected
 * partition `dt` ('YYYY/MM/DD/HH'), after the projected `event_type` when the zone is partitioned
 * by it (`spec.eventTypes`).
 *
 * Why TEXTFILE + LazySimpleSerDe with field delimiter `\001` rather than a JSON SerDe: a JSON
 * SerDe fails (or, with `ignore.malformed.json`, silently drops/nulls) bad lines, but staging must
 * see every line to quarantine the bad ones. With a text table each line becomes one string
 * column as long as the field delimiter never occurs in it. `\001` (Ctrl-A) cannot occur in a
 * valid JSON line (JSON forbids raw control characters in strings and between tokens), so
 * valid lines are exposed byte for byte; a malformed line containing a raw `\001` is cut at it,
 * but it is malformed anyway and still reaches the quarantine. No `ESCAPED BY` is set, so
 * backslashes are kept as they are. `.gz` objects are decompressed by extension.
 * Known edge: LazySimpleSerDe reads a line that is exactly `\N` as NULL.
 */
export function rawSourceTable(hiveRelation: string, spec: RawSourceSpec): string {
  const layout = rawSourceLayout(spec);
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${hiveRelation} (\`line\` string)`,
    `PARTITIONED BY (${layout.partitionKeys.map((k) => `\`${k.name}\` ${k.type}`).join(", ")})`,
    "ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\001'",
    "STORED AS TEXTFILE",
    `LOCATION ${hiveString(layout.location)}`,
    `TBLPROPERTIES (\n  ${Object.entries(layout.parameters)
      .map(([k, v]) => `${hiveString(k)} = ${hiveString(v)}`)
      .join(",\n  ")}\n)`,
  ].join("\n");
}

/**
 * The raw table's layout as plain data, shared by the Hive DDL above and the Glue TableInput
 * that `sluice sources register` writes, so both always describe the same table.
 */
export function rawSourceLayout(spec: RawSourceSpec) {
  const root = directory(spec.location);
  const byType = spec.eventTypes !== undefined;
  // An enum projection: Athena lists exactly these folders, and a query filtering on event_type
  // reads only its own (with dt, the hours of the range).
  const eventType: Record<string, string> = byType
    ? {
        "projection.event_type.type": "enum",
        "projection.event_type.values": spec.eventTypes!.join(","),
      }
    : {};
  return {
    location: root,
    columns: [{ name: "line", type: "string" }],
    partitionKeys: [
      ...(byType ? [{ name: "event_type", type: "string" }] : []),
      { name: "dt", type: "string" },
    ],
    inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
    outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    serde: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
    serdeParameters: { "field.delim": "\u0001", "serialization.format": "\u0001" } as Record<
      string,
      string
    >,
    parameters: {
      classification: "text",
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy/MM/dd/HH",
      "projection.dt.range": `${spec.projectionStart},NOW`,
      "projection.dt.interval": "1",
      "projection.dt.interval.unit": "HOURS",
      ...eventType,
      "storage.location.template": byType
        ? `${root}event_type=\${event_type}/\${dt}/`
        : `${root}\${dt}/`,
    } as Record<string, string>,
  };
}
