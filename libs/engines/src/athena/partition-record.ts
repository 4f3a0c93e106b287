import type { Partition, Table } from "@aws-sdk/client-glue";

/**
 * Glue table parameter: which partitions the table has and which location each reads, written
 * by the same table call that publishes them (so the run's GetTables listing gives it without a
 * partition read). A hint, never the truth: a partition publish checks Glue's answer to its
 * writes (a repoint of a partition that is gone, a create of one that exists) and falls back to
 * reading the partitions; a publish that died before its table update leaves its staging entry,
 * and the sweep of it writes the record again from the partitions it reads. Value: compact JSON,
 * `{"v":1,"g":[generation folders],"p":[values…],"r":[generation, run length, …],"x":{i: location},
 * "q":[file name prefix per generation],"f":[[file names without it]|null per partition]}`:
 * partition i reads `g[r-decoded i] + k1=v1/k2=v2/` unless `x` names its location; `f` (when it
 * fits) names its objects, so that they can be deleted by key once retired and expired. Over
 * {@link RECORD_LIMIT} bytes the value is {@link RECORD_OVERFLOW} and publishes read the partitions.
 */
export const PARTITIONS_PARAMETER = "sluice_partitions";

/** The value of {@link PARTITIONS_PARAMETER} for a table with too many partitions to record. */
export const RECORD_OVERFLOW = "overflow";

/**
 * Largest recorded value: a quarter of Glue's 512,000 bytes per parameter value, so the entry
 * (other parameters, columns) stays far below Glue's limits and GetTables pages stay small.
 * About 5,000 daily partitions of one generation.
 */
export const RECORD_LIMIT = 128_000;

/**
 * A partition's values and the location it reads; `files`: the names of its objects, relative to
 * that folder, when known (listed at its publish), so that its data can be deleted by key.
 */
export interface RecordedPartition {
  values: string[];
  location: string;
  files?: string[];
}

interface Encoded {
  v: 1;
  g: string[];
  p: (string | string[])[];
  r: number[];
  x?: Record<string, string>;
  /** Per generation: the prefix its file names share (stripped from them in `f`). */
  q?: string[];
  /** Per partition: its file names without its generation's `q` prefix; null: not known. */
  f?: (string[] | null)[];
}

/**
 * The record of `partitions` (all of the table's) for a table partitioned by `keys`, with their
 * file names when it fits in {@link RECORD_LIMIT} bytes, else without them (their data is then
 * deleted by listing, see `expiring-files.ts`), else {@link RECORD_OVERFLOW}.
 *
 * @example
 * encodePartitions(["event_date"], [{ values: ["2026-11-27"], location: "s3://l/e/r1/event_date=2026-11-27/" }])
 * // '{"v":1,"g":["s3://l/e/r1/"],"p":["2026-11-27"],"r":[0,1]}'
 */
export function encodePartitions(
  keys: readonly string[],
  partitions: readonly RecordedPartition[],
): string {
  for (const withFiles of [true, false]) {
    const value = encodeEntries(keys, partitions, withFiles);
    if (Buffer.byteLength(value) <= RECORD_LIMIT) return value;
  }
  return RECORD_OVERFLOW;
}

/**
 * `entries` (values need not be unique) as the record's JSON, file names included if `withFiles`.
 * Also the encoding of retired partitions' files (`expiring-files.ts`).
 */
export function encodeEntries(
  keys: readonly string[],
  entries: readonly RecordedPartition[],
  withFiles: boolean,
): string {
  const sorted = entries
    .map((p) => ({ ...p, order: JSON.stringify([p.values, p.location]) }))
    .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  const generations: string[] = [];
  const index = new Map<string, number>();
  const runs: number[] = [];
  const exceptions: Record<string, string> = {};
  const generationOf: (number | undefined)[] = [];
  sorted.forEach((p, i) => {
    const location = folder(p.location);
    const suffix = hivePath(keys, p.values);
    let generation = 0;
    if (location.endsWith(`/${suffix}`)) {
      const base = location.slice(0, location.length - suffix.length);
      generation = index.get(base) ?? generations.push(base) - 1;
      index.set(base, generation);
      generationOf.push(generation);
    } else {
      exceptions[String(i)] = p.location;
      generationOf.push(undefined);
    }
    if (runs.length > 0 && runs[runs.length - 2] === generation) runs[runs.length - 1]! += 1;
    else runs.push(generation, 1);
  });
  const encoded: Encoded = {
    v: 1,
    g: generations,
    p: sorted.map((p) => (p.values.length === 1 ? p.values[0]! : p.values)),
    r: runs,
    ...(Object.keys(exceptions).length > 0 ? { x: exceptions } : {}),
  };
  if (withFiles && sorted.some((p) => p.files !== undefined)) {
    const prefixes = generations.map((_, g) =>
      commonPrefix(sorted.flatMap((p, i) => (generationOf[i] === g ? (p.files ?? []) : []))),
    );
    encoded.q = prefixes;
    encoded.f = sorted.map((p, i) => {
      const cut = generationOf[i] === undefined ? 0 : prefixes[generationOf[i]!]!.length;
      return p.files === undefined ? null : p.files.map((name) => name.slice(cut));
    });
  }
  return JSON.stringify(encoded);
}

/**
 * The partitions recorded on `table` (key: JSON of the values, as `glue-publisher.key`), or
 * undefined when there is no usable record: absent, {@link RECORD_OVERFLOW}, unreadable (edited
 * by hand), or not matching the table's partition keys.
 */
export function recordedPartitions(table: Table | undefined): Map<string, string> | undefined {
  const entries = recordedEntries(table);
  return entries && new Map([...entries].map(([k, p]) => [k, p.location]));
}

/** As {@link recordedPartitions}, each with its file names when the record has them. */
export function recordedEntries(
  table: Table | undefined,
): Map<string, RecordedPartition> | undefined {
  const value = table?.Parameters?.[PARTITIONS_PARAMETER];
  const keys = (table?.PartitionKeys ?? []).map((k) => k.Name ?? "");
  if (value === undefined || value === RECORD_OVERFLOW || keys.length === 0) return undefined;
  const entries = decodeEntries(keys, value);
  return entries && new Map(entries.map((p) => [JSON.stringify(p.values), p]));
}

/** The entries of a value {@link encodeEntries} wrote; undefined when it is unreadable. */
export function decodeEntries(
  keys: readonly string[],
  value: string,
): RecordedPartition[] | undefined {
  let parsed: Encoded;
  try {
    parsed = JSON.parse(value) as Encoded;
  } catch {
    return undefined;
  }
  if (parsed?.v !== 1 || !Array.isArray(parsed.p) || !Array.isArray(parsed.r)) return undefined;
  const out: RecordedPartition[] = [];
  let i = 0;
  for (let r = 0; r + 1 < parsed.r.length; r += 2) {
    const generation = parsed.r[r]!;
    const base = parsed.g?.[generation];
    for (let n = 0; n < parsed.r[r + 1]!; n++, i++) {
      const raw = parsed.p[i];
      const values = typeof raw === "string" ? [raw] : raw;
      if (!Array.isArray(values) || values.length !== keys.length) return undefined;
      const exception = parsed.x?.[String(i)];
      const location =
        exception ?? (base === undefined ? undefined : base + hivePath(keys, values));
      if (location === undefined) return undefined;
      const names = parsed.f?.[i];
      const prefix = exception === undefined ? (parsed.q?.[generation] ?? "") : "";
      out.push({
        values,
        location,
        ...(Array.isArray(names) ? { files: names.map((name) => prefix + String(name)) } : {}),
      });
    }
  }
  return i === parsed.p.length ? out : undefined;
}

/** Glue partitions as records (those without a location are left out). */
export function asRecorded(partitions: readonly Partition[]): RecordedPartition[] {
  return partitions.flatMap((p) =>
    p.StorageDescriptor?.Location === undefined
      ? []
      : [{ values: p.Values ?? [], location: p.StorageDescriptor.Location }],
  );
}

/** The record's map as a list, for {@link encodePartitions}. */
export function fromMap(map: ReadonlyMap<string, RecordedPartition>): RecordedPartition[] {
  return [...map.values()];
}

/** `k1=v1/k2=v2/`, escaped as Hive writes partition folders (other spellings are recorded whole). */
function hivePath(keys: readonly string[], values: readonly string[]): string {
  return keys.map((k, i) => `${k}=${escapeHive(values[i] ?? "")}/`).join("");
}

/** Hive's FileUtils.escapePathName: control characters, `"#%'*:=?\{[]^` and the slash as %XX. */
function escapeHive(value: string): string {
  return value.replace(
    /[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

function folder(location: string): string {
  return `${location.replace(/\/+$/, "")}/`;
}

function commonPrefix(names: readonly string[]): string {
  if (names.length === 0) return "";
  let prefix = names[0]!;
  for (const name of names)
    while (!name.startsWith(prefix)) prefix = prefix.slice(0, prefix.length - 1);
  return prefix;
}
