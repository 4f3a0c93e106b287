import { readFile } from "node:fs/promises";
import { AthenaFailure } from "./athena-failure.js";
import type { GlueTable } from "./glue-catalog.js";
import { asFolder, parseS3Url, type S3Entry, type S3Store } from "./s3-store.js";

/**
 * Iceberg tables, approximated. A Glue entry with `table_type = ICEBERG` and a
 * `metadata_location` parameter, as Athena registers them; the metadata file is this endpoint's
 * own small JSON (not Iceberg's Avro manifests): the data files of the current snapshot and the
 * metadata it replaced. Every commit (CTAS, INSERT, MERGE) writes new Parquet files under
 * `<location>data/` and a new metadata file under `<location>metadata/`, then moves the Glue
 * pointer; old files stay, as Iceberg keeps snapshots until they are expired. A MERGE rewrites
 * the whole table (copy-on-write of every file, where Athena rewrites only the files it touches
 * or writes delete files): the rows are the same, the files and bytes scanned differ.
 */
export interface IcebergMetadata {
  "format-version": 2;
  location: string;
  partitioning: string[];
  /** s3:// URLs of the current snapshot's data files. */
  files: string[];
  /** The metadata location this one replaced. */
  previous: string | null;
}

export const isIceberg = (table: GlueTable) =>
  (table.Parameters?.["table_type"] ?? "").toUpperCase() === "ICEBERG";

/** The current snapshot of an Iceberg table (its metadata file, read from the bucket folder). */
export async function icebergMetadata(store: S3Store, table: GlueTable): Promise<IcebergMetadata> {
  const pointer = table.Parameters?.["metadata_location"];
  if (pointer === undefined)
    throw new AthenaFailure(
      "ICEBERG_INVALID_METADATA",
      `Iceberg table ${table.DatabaseName}.${table.Name} has no metadata_location`,
    );
  const { bucket, key } = parseS3Url(pointer);
  try {
    return JSON.parse(await readFile(store.file(bucket, key), "utf8")) as IcebergMetadata;
  } catch (error) {
    throw new AthenaFailure(
      "ICEBERG_INVALID_METADATA",
      `cannot read the metadata of ${table.DatabaseName}.${table.Name} at ${pointer}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The data files of the current snapshot, as listed entries (size for bytes scanned). */
export async function icebergFiles(store: S3Store, table: GlueTable): Promise<S3Entry[]> {
  const metadata = await icebergMetadata(store, table);
  const wanted = new Set(metadata.files);
  const { bucket, key } = parseS3Url(asFolder(`${asFolder(metadata.location)}data`));
  const listed = await store.list(bucket, key).catch(() => [] as S3Entry[]);
  return listed.filter((f) => wanted.has(`s3://${bucket}/${f.key}`) && f.size > 0);
}

/**
 * Write a new metadata file for `files` (the whole new snapshot) and return its location: what
 * the Glue `metadata_location` moves to on commit.
 */
export async function writeIcebergMetadata(
  store: S3Store,
  location: string,
  queryId: string,
  snapshot: { partitioning: string[]; files: string[]; previous: string | null },
): Promise<string> {
  const { bucket, key } = parseS3Url(asFolder(location));
  const name = `${key}metadata/${Date.now().toString().padStart(15, "0")}-${queryId}.metadata.json`;
  const metadata: IcebergMetadata = {
    "format-version": 2,
    location: asFolder(location),
    ...snapshot,
  };
  await store.put(bucket, name, JSON.stringify(metadata, null, 1));
  return `s3://${bucket}/${name}`;
}
