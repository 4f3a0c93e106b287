// target/.manifest-index.json: what the manifest written last records of itself (each entry's
// place and key), and the previous manifest and sidecar read back for a later write to copy from.
import { openSync, closeSync, fstatSync, statSync } from "node:fs";
import path from "node:path";
import { readKeyed } from "./keyed-file.js";
import { readableSidecar, sidecarRows, STATE_SIDECAR } from "./state-sidecar.js";
import type { SidecarBody, SidecarKey, SidecarValue } from "./state-sidecar.js";
import { readUtf8 } from "./utf8-text.js";

export const MANIFEST = "manifest.json";
export const INDEX = ".manifest-index.json";
/**
 * Format 9: `ranges` recorded (8: `runId`; 7: `compile` and `shared`, which format 6 had not).
 */
export const FORMAT = 9;

/** What `target/.manifest-index.json` records of the manifest written last. */
export interface ManifestIndex {
  format: number;
  /** The sluice build that wrote it: another build may write other entries for the same node. */
  build: string;
  /** manifest.json's size and modification time as written: an edited file is not reused. */
  size: number;
  mtimeMs: number;
  /** sha256 (hex) of manifest.json's bytes: the key its sidecar was written under. */
  digest: string;
  /** Key of what the manifest's text outside the node entries is made of (`dbtManifestFrameInputs`). */
  frameInputs: string;
  /**
   * The fingerprint of the compiled project the entries were written from (see
   * {@link ManifestSource}), when the writer was given one: a later write of that compile with
   * a few nodes edited takes the other nodes' keys from here (see {@link reusableKeys}).
   */
  compile?: string;
  /**
   * The partial-parse header of the compile the entries were keyed from, when every node was as
   * that compile made it (see `sameCompileKeys`).
   */
  keysCompile?: string;
  /** The part of every entry's key shared by all nodes (project, macros: see {@link sharedKey}). */
  shared: string;
  /**
   * The invocation id the rows' compile digests were made rootless with (see `rootlessDigest`):
   * the one-edit path keeps the digests of the nodes the edits leave alone only under the same.
   */
  runId: string;
  /**
   * The top-level keys in the file's order, each with where its text (`"key":value`) sits in
   * manifest.json's bytes (start, length); start -1 for those never copied: `metadata` (the
   * invocation's), `nodes` and `sources` (their entries), and `selectors` (the state index).
   */
  frame: [string, number, number][];
  /** The text of `selectors` as the frame has it (before the state index goes in). */
  selectors: string;
  /**
   * The ranges the state index's digest cut manifest.json in (see ByteAssembly): each one's
   * start, length and sha256 (hex). A later write copying a range's bytes whole keeps its
   * digest (see {@link knownRange}).
   */
  ranges: [number, number, string][];
  /**
   * Whether the sidecar's columns were written plain (see `EncodedColumns`): the one-edit path
   * then splices them as bytes (see `splicedColumns`).
   */
  plainColumns?: boolean;
  /**
   * The entries, in the file's order: each one's node id, the key of its inputs, and where its
   * text sits in manifest.json's bytes (start, length). Parallel arrays, not an object by id: at
   * 30,000 entries, an object's keys cost more to build, write and read than the entries' copies.
   */
  entries: IndexEntries;
}

/** Parallel arrays of {@link ManifestIndex}'s entries. */
export interface IndexEntries {
  ids: string[];
  keys: string[];
  starts: number[];
  lengths: number[];
}

/**
 * The previous manifest's index and sidecar (its key read; its body parsed on demand,
 * undefined when it does not parse).
 */
export interface Previous {
  index: ManifestIndex;
  sidecar: {
    key: SidecarKey;
    /** Its value parsed, undefined when it does not parse. */
    value(): SidecarValue | undefined;
    /** Its value as rows, undefined when it does not parse or its columns are not whole. */
    body(): SidecarBody | undefined;
    /** The file's bytes, its value from byte `valueAt`. */
    bytes: Buffer;
    valueAt: number;
  };
}

/**
 * The previous manifest's index and sidecar, when written by this build and neither edited
 * since (checked by the manifest's size and time, and the sidecar's key naming its digest).
 * Neither the manifest (tens of MB) nor the sidecar's body (MB) is read or parsed here.
 */
export function readPrevious(file: string, indexFile: string, build: string): Previous | undefined {
  try {
    const index = JSON.parse(readUtf8(indexFile)) as ManifestIndex;
    if (index.format !== FORMAT || index.build !== build) return undefined;
    const now = statSync(file);
    if (now.size !== index.size || now.mtimeMs !== index.mtimeMs) return undefined;
    const kept = readKeyed(path.join(path.dirname(file), STATE_SIDECAR));
    const key = kept && (JSON.parse(kept.key) as SidecarKey);
    if (!readableSidecar(key) || key.manifest !== index.digest) return undefined;
    const value = (): SidecarValue | undefined => {
      try {
        return kept!.value() as SidecarValue;
      } catch {
        return undefined;
      }
    };
    const body = (): SidecarBody | undefined => {
      try {
        const parsed = value();
        return parsed && sidecarRows(parsed);
      } catch {
        return undefined;
      }
    };
    return { index, sidecar: { key, value, body, bytes: kept!.bytes, valueAt: kept!.valueAt } };
  } catch {
    return undefined;
  }
}

/**
 * The previous manifest, open for its entries to be copied from it (see ChunkWriter.fileRange):
 * at 10,000 models, its 63 MB read whole into one Buffer were that many fresh pages for each
 * one-model change. The caller closes `fd`.
 */
export interface PreviousFile {
  fd: number;
}

/** {@link Previous} with the manifest open, unless the file is no longer the one indexed (by its size). */
export function withBytes(found: Previous, file: string): (Previous & PreviousFile) | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined;
  }
  if (fstatSync(fd).size !== found.index.size) {
    closeSync(fd);
    return undefined;
  }
  return { ...found, fd };
}
