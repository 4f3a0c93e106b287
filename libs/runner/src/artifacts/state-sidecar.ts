import { createHash, hash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { checksumParts } from "@sluice/compiler";
import type { NodeChecksums } from "@sluice/compiler";
import { readKeyed, writeKeyed } from "./keyed-file.js";
import type { StateNode } from "./read-state.js";

/**
 * `manifest.state.json`, written next to `manifest.json` by every manifest write: what `--state`
 * reads of the manifest (each node's checksums, relation, kind, materialization and location),
 * about a tenth of its size. A CI run handed production's artifacts for the first time reads it
 * instead of parsing the whole manifest (60 MB at 10,000 models), when its first line names the
 * manifest's sha256: a manifest edited, replaced or written by dbt (no sidecar) is parsed as
 * before. The first line also holds the key of the compile the manifest was written from, so
 * this project's own checksums are read from it too (see `cachedChecksums`).
 *
 * Format: a key line `{"format":1,"manifest":"<sha256 hex>","compile":"<key>"}`, then
 * `{"adapter":"duckdb","nodes":[NodeRow, ...]}`.
 */
export const STATE_SIDECAR = "manifest.state.json";
const FORMAT = 1;

/** One node: id, checksums (space-separated, in {@link checksumParts} order), schema, name, kind, materialization, location. */
export type NodeRow = [string, string, string, string, string, string, string];

/** The sidecar's key line. */
export interface SidecarKey {
  format: number;
  /** sha256 (hex) of the manifest.json it describes. */
  manifest: string;
  /** Key of the compile the manifest was written from (none: unknown). */
  compile?: string;
}

/** What a sidecar holds after its key line. */
export interface SidecarBody {
  adapter: string;
  nodes: NodeRow[];
}

/** Checksums as one string, in {@link checksumParts} order. */
export const packSums = (sums: Partial<NodeChecksums>): string =>
  checksumParts.map((p) => sums[p] ?? "").join(" ");

/** Checksums packed by {@link nodeRow}, back to their parts (empty ones left out). */
export function unpackSums(packed: string): Partial<NodeChecksums> {
  const values = packed.split(" ");
  const out: Partial<NodeChecksums> = {};
  checksumParts.forEach((p, i) => {
    if (values[i]) out[p] = values[i];
  });
  return out;
}

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

/** sha256 (hex) of bytes given in pieces. */
export function piecesDigest(pieces: readonly Uint8Array[]): string {
  const h = createHash("sha256");
  for (const p of pieces) h.update(p);
  return h.digest("hex");
}

/** Write `<dir>/manifest.state.json` (through a temporary file: a reader never sees half). */
export function writeStateSidecar(dir: string, key: SidecarKey, body: SidecarBody): void {
  writeKeyed(path.join(dir, STATE_SIDECAR), JSON.stringify(key), body);
}

/** `<dir>/manifest.state.json`'s key and body, or undefined when missing or unreadable. */
export function readStateSidecar(dir: string): { key: SidecarKey; body: SidecarBody } | undefined {
  const kept = readKeyed(path.join(dir, STATE_SIDECAR));
  try {
    const key = kept && (JSON.parse(kept.key) as SidecarKey);
    if (key?.format !== FORMAT) return undefined;
    return { key, body: kept!.value() as SidecarBody };
  } catch {
    return undefined;
  }
}

/** The `compile` key a sidecar records for a compile's partial-parse header. */
export const compileKeyOf = (header: string): string => hash("sha1", header, "base64");

/**
 * The nodes of `<dir>/manifest.json` from its sidecar, when the sidecar was written for exactly
 * that file (its sha256); else undefined, and the caller parses the manifest.
 */
export function sidecarManifestNodes(
  dir: string,
): { adapter: string; nodes: Map<string, StateNode> } | undefined {
  const sidecar = readStateSidecar(dir);
  if (!sidecar) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path.join(dir, "manifest.json"));
  } catch {
    return undefined; // the manifest's own read says why
  }
  if (piecesDigest([bytes]) !== sidecar.key.manifest) return undefined;
  return { adapter: sidecar.body.adapter, nodes: new Map(sidecar.body.nodes.map(rowNode)) };
}
