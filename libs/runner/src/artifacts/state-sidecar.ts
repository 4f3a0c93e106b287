import { hash } from "node:crypto";
import path from "node:path";
import { packChecksums, unpackChecksums } from "@sluice/compiler/run-time";
import type { NodeChecksums } from "@sluice/compiler";
import { manifestDigest } from "./state-index.js";
import { readKeyed, writeKeyedText } from "./keyed-file.js";
import type { StateNode } from "./read-state.js";
import { columnRows, digestsText } from "./state-nodes.js";
import type { EncodedColumns, NodeColumns, StateDigests } from "./state-nodes.js";

/**
 * `manifest.state.json`, written next to `manifest.json` by every manifest write: what `--state`
 * reads of the manifest (each node's checksums, relation, kind, materialization and location),
 * about a tenth of its size. A CI run handed production's artifacts for the first time reads it
 * instead of parsing the whole manifest (60 MB at 10,000 models), when its first line names the
 * manifest's digest (see `manifestDigest`: its state index's, by ranges, else its sha256): a
 * manifest edited, replaced or written by dbt (no sidecar) is parsed as
 * before. The first line also holds the key of the compile the manifest was written from, so
 * this project's own checksums are read from it too (see `cachedChecksums`).
 *
 * Format: a key line `{"format":2,"manifest":"<digest hex>","compile":"<key>"}`, then
 * `{"adapter":"duckdb","count":30001,"columns":[...]}`: the rows as `NodeColumns` (7 strings
 * to parse, not 30,000 rows of 7), or `{"adapter":"duckdb","nodes":[NodeRow, ...]}` when a
 * field holds a newline. Either may end with `"digests":{"key","column"}`, the rows' compile
 * digests (see `StateDigests`): added within format 2, as an optional field a reader of 2 skips
 * and its own key versions (a sidecar without it is read as before, nothing reused). Format 1
 * (rows always) is still read.
 */
export const STATE_SIDECAR = "manifest.state.json";
/** The format written; {@link READ_FORMATS} are read. */
export const SIDECAR_FORMAT = 2;
const READ_FORMATS: readonly number[] = [1, 2];

/** One node: id, checksums (packed: see `packChecksums`), schema, name, kind, materialization, location. */
export type NodeRow = [string, string, string, string, string, string, string];

/** The sidecar's key line. */
export interface SidecarKey {
  format: number;
  /** The digest (hex) of the manifest.json it describes (see `manifestDigest`). */
  manifest: string;
  /** Key of the compile the manifest was written from (none: unknown). */
  compile?: string;
}

/** The rows of a sidecar: what a manifest write makes, and a read may ask for. */
export interface SidecarBody {
  adapter: string;
  nodes: NodeRow[];
  /** The rows' compile digests, when the write knew them (see `StateDigests`). */
  digests?: StateDigests;
}

/**
 * What a sidecar holds after its key line: its rows, or their columns (see `rowColumns`), and
 * their compile digests when recorded.
 */
export type SidecarValue = { adapter: string; digests?: StateDigests } & (
  { nodes: NodeRow[] } | NodeColumns
);

/** A sidecar's value as rows (columns split into rows); throws when the columns are not whole. */
export function sidecarRows(value: SidecarValue): SidecarBody {
  if ("nodes" in value) return value;
  const { adapter, digests } = value;
  return { adapter, nodes: columnRows(value), ...(digests ? { digests } : {}) };
}

/** Checksums as one string (see `packChecksums`). */
export const packSums: (sums: Partial<NodeChecksums>) => string = packChecksums;

/** Checksums packed by {@link nodeRow}, back to their parts (empty ones left out). */
export const unpackSums: (packed: string) => Partial<NodeChecksums> = unpackChecksums;

/** A state node as one row. */
export function nodeRow(id: string, n: StateNode): NodeRow {
  const { schema, name } = n.relation;
  return [
    id,
    packSums(n.checksums),
    schema,
    name,
    n.kind,
    n.materialization ?? "",
    n.location ?? "",
  ];
}

/** A row back to its id and state node. */
export function rowNode([id, sums, schema, name, kind, materialization, location]: NodeRow): [
  string,
  StateNode,
] {
  return [
    id,
    {
      checksums: unpackSums(sums),
      relation: { schema, name },
      kind,
      ...(materialization ? { materialization } : {}),
      ...(location ? { location } : {}),
    },
  ];
}

/**
 * Write `<dir>/manifest.state.json` (through a temporary file: a reader never sees half), its
 * rows as columns (`columns`: the body's, see `encodeColumns`) unless a field holds a newline
 * (`columns` undefined).
 */
export function writeStateSidecar(
  dir: string,
  key: SidecarKey,
  body: SidecarBody,
  columns: EncodedColumns | undefined,
): void {
  // The text of JSON.stringify({ adapter, count, columns }), the columns' JSON made once.
  const value = columns
    ? [
        `{"adapter":${JSON.stringify(body.adapter)},"count":${columns.count},"columns":`,
        ...columns.json,
        `${digestsText(body.digests)}}`,
      ]
    : [JSON.stringify(body)];
  writeKeyedText(path.join(dir, STATE_SIDECAR), JSON.stringify(key), value);
}

/** Whether a sidecar key line is of a format this build reads. */
export const readableSidecar = (key: SidecarKey | undefined): key is SidecarKey =>
  key !== undefined && READ_FORMATS.includes(key.format);

/**
 * `<dir>/manifest.state.json`'s key and its value, parsed on demand (a reader that only needed
 * the key parses nothing more); undefined when missing, unreadable or of a format not read.
 * `value()` throws when the value is not JSON.
 */
export function readStateSidecar(
  dir: string,
): { key: SidecarKey; value: () => SidecarValue } | undefined {
  const kept = readKeyed(path.join(dir, STATE_SIDECAR));
  try {
    const key = kept && (JSON.parse(kept.key) as SidecarKey);
    if (!readableSidecar(key)) return undefined;
    return { key, value: () => kept!.value() as SidecarValue };
  } catch {
    return undefined;
  }
}

/** The `compile` key a sidecar records for a compile's partial-parse header. */
export const compileKeyOf = (header: string): string => hash("sha1", header, "base64");

/**
 * The rows of `<dir>/manifest.json` from its sidecar, when the sidecar was written for exactly
 * that file (its digest, see `manifestDigest`), and the JSON text they were parsed from; else undefined, and the
 * caller parses the manifest.
 */
export function sidecarManifestRows(
  dir: string,
): { value: SidecarValue; text: string } | undefined {
  const kept = readKeyed(path.join(dir, STATE_SIDECAR));
  try {
    const key = kept && (JSON.parse(kept.key) as SidecarKey);
    if (!readableSidecar(key)) return undefined;
    // A missing manifest: its own read says why.
    if (manifestDigest(path.join(dir, "manifest.json")) !== key.manifest) return undefined;
    return { value: kept!.value() as SidecarValue, text: kept!.text() };
  } catch {
    return undefined;
  }
}
