import { hash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import {
  assignPositions,
  inShards,
  packedDir,
  shardCount,
  shardMembers,
  shardPieces,
} from "./packed-artifacts.js";
import { readIndex, readOr } from "./write-changed-files.js";
import { nodeDigest } from "./artifacts/node-digest.js";
import { editsSince } from "./artifacts/manifest-keys.js";
import type { ByNodeId, ManifestSource } from "./artifacts/manifest-keys.js";
import { writeFileAtomicSync } from "./artifacts/atomic-file.js";

/**
 * Packed shards told unchanged by their members' node digests, so that a compile after one
 * model changed builds the text of the shards holding what changed, not of all of them (at
 * 10,000 models, building and hashing every shard's text was ~0.4 CPU-s of a one-change compile).
 *
 * `target/.packed-keys.json` records, for each shard file written (relative to target/), the key
 * of what it was built from: sha1 of its artifact paths and their nodes' digests (a node's text
 * in both folders is a function of the node: see `compiledText`, `runText`). With them, `names`
 * (sha1 of the artifact paths, in the nodes' order) and, when the writer was told, `compile`: the
 * fingerprint of the compile written (see `ManifestSource`). A write of that compile with a few
 * nodes edited (`edits.since` equal to `compile`, the same paths) takes the recorded key of each
 * shard holding no edited node and no node rendered again at run time: its members and their
 * digests are the recorded ones, so its key is, and its member lines are not built.
 *
 * A shard that does hold one is built again, but only its reached members' texts are made from
 * their nodes: the others are cut from the shard file as the previous write left it, when that
 * file hashes as `.artifact-hashes.json` (the `index` of `writeChangedFiles`) records (see
 * {@link previousMembers}). Their nodes are the ones that write built them from (their digests
 * are the recorded key's), so the text is the one building every member gives, byte for byte,
 * without reading whole the nodes a compile keeps as facts (see apps/cli fact-nodes.ts).
 *
 * The file also records the shards' assignment for `names` (`assignPositions`, a function of
 * the paths alone): a write with the same paths takes it instead of hashing and sorting every
 * path again.
 *
 * The file is removed before any shard is written and written after all are: a key never names
 * a shard that a killed write may have torn.
 */
const KEYS = ".packed-keys.json";

/** What `.packed-keys.json` holds (see {@link KEYS}). */
interface Recorded {
  compile?: string;
  names?: string;
  /** `assignPositions` of the paths `names` hashes, as {@link encodedAssignment} writes it. */
  assignment?: { counts: number[]; positions: string };
  keys: Record<string, string>;
}

/** Shard files (absolute path → text, built when asked for), and those whose key is unchanged. */
export interface PackedShards {
  files: Map<string, () => readonly string[]>;
  kept: Set<string>;
  /** Save the keys once the shards are written (nothing when they are the recorded ones). */
  commit(): void;
}

/**
 * The shards of `nodes`' artifacts in `dirs` (`compiled` and `run` under target/packed), each
 * text built by `texts[kind]` from the node whose artifact it is (a later node of the same
 * artifact path wins, as in a map). `digests`: nodes' digests (the compile memo's), trusted for
 * nodes not rendered again at run time; others are hashed here. `source`: which compile `nodes`
 * are (see {@link KEYS}). `index`: the `.artifact-hashes.json` the shards are written with.
 */
export function packedShards(
  targetDir: string,
  nodes: readonly CompiledNode[],
  nameOf: (node: CompiledNode) => string,
  texts: Record<"compiled" | "run", (node: CompiledNode) => string>,
  digests: ByNodeId,
  source?: ManifestSource,
  index?: string,
): PackedShards {
  const digestOf = (node: CompiledNode): string =>
    (node.renderAtRun ? undefined : digests.get(node.id)) ?? nodeDigest(node);
  const previous = readKeys(targetDir);
  const { listed, names, recorded } = listedPaths(nodes, nameOf, previous);
  const reached = reachedNames(listed, previous, names, source);
  // Read now: the write removes the index before its first file.
  const written = reached && index !== undefined ? readIndex(index) : undefined;
  const keys: Record<string, string> = {};
  const files = new Map<string, () => readonly string[]>();
  const kept = new Set<string>();
  // Shards are assigned by artifact path alone: the i-th shard of either kind holds the same
  // paths, and its members' lines are made once for both.
  const positions = recorded ?? assignPositions(listed.names);
  const assigned = positions.map((held) => held.map((i) => listed.names[i]!));
  const memberLines: string[] = [];
  for (const kind of ["compiled", "run"] as const) {
    const textOf = texts[kind];
    for (const [i, { file, names: held }] of inShards(
      packedDir(targetDir, kind),
      assigned,
    ).entries()) {
      const rel = path.relative(targetDir, file);
      const recorded = previous.keys[rel];
      const at = positions[i]!;
      const key =
        reached !== undefined && recorded !== undefined && !held.some((n) => reached.has(n))
          ? recorded
          : hash(
              "sha1",
              `${kind}\n${(memberLines[i] ??= held
                .map((name, k) => `${name}\t${digestOf(listed.nodes[at[k]!]!)}`)
                .join("\n"))}`,
              "base64",
            );
      keys[rel] = key;
      if (recorded === key) kept.add(file);
      files.set(file, () => {
        const before =
          written && recorded !== undefined ? previousMembers(file, written) : undefined;
        const nodeOf = new Map(held.map((name, k) => [name, listed.nodes[at[k]!]!]));
        const textOfName = (name: string): string => textOf(nodeOf.get(name)!);
        return shardPieces(held, (name) =>
          before === undefined || reached!.has(name)
            ? textOfName(name)
            : (before(name) ?? textOfName(name)),
        );
      });
    }
  }
  const same =
    kept.size === files.size &&
    Object.keys(previous.keys).length === Object.keys(keys).length &&
    previous.names === names &&
    previous.compile === source?.fingerprint;
  // What the write below replaces loses its key first.
  if (!same) dropPackedKeys(targetDir);
  return {
    files,
    kept,
    commit: () => {
      if (same) return;
      const file = path.join(targetDir, KEYS);
      const assignment = recorded ? previous.assignment! : encodedAssignment(positions);
      const record: Recorded = {
        ...(source && { compile: source.fingerprint }),
        names,
        assignment,
        keys,
      };
      writeFileAtomicSync(file, JSON.stringify(record));
    },
  };
}

/**
 * The artifact paths whose shards' keys are hashed again when `source` edits the compile the
 * keys were `previous`ly recorded from, with the same artifact paths (`names`): the edited
 * nodes' and those rendered again at run time. Undefined (every key hashed) otherwise.
 */
function reachedNames(
  listed: Listed,
  previous: Recorded,
  names: string,
  source: ManifestSource | undefined,
): Set<string> | undefined {
  const edited = previous.names === names ? editsSince(source, previous.compile) : undefined;
  if (edited === undefined) return undefined;
  const reached = new Set<string>();
  for (let i = 0; i < listed.names.length; i++) {
    const node = listed.nodes[i]!;
    if (node.renderAtRun || edited.has(node.id)) reached.add(listed.names[i]!);
  }
  return reached;
}

/** Artifact paths in the nodes' order, each once, and the node of each (a later one wins). */
interface Listed {
  names: readonly string[];
  nodes: readonly CompiledNode[];
}

/**
 * The artifact paths of `nodes` (see {@link Listed}), their sha1 (`names`, see {@link KEYS})
 * and the shards' assignment `previous` recorded for them, when it holds one.
 *
 * When the paths of all nodes in order hash as `previous.names`, and the assignment recorded
 * with it is one of as many paths, the paths the previous write listed (each once) are these:
 * none repeats, each node is its own path's. Then no map of 30,000 paths is built (at 10,000
 * models, building it was ~4% of a one-edit compile); else the paths are listed through one,
 * as a map keeps them (first place, last node).
 */
function listedPaths(
  nodes: readonly CompiledNode[],
  nameOf: (node: CompiledNode) => string,
  previous: Recorded,
): { listed: Listed; names: string; recorded: number[][] | undefined } {
  const all = nodes.map(nameOf);
  const allNames = hash("sha1", all.join("\n"), "base64");
  const distinct =
    previous.names === allNames ? recordedAssignment(previous.assignment, all.length) : undefined;
  if (distinct) return { listed: { names: all, nodes }, names: allNames, recorded: distinct };
  const byName = new Map<string, CompiledNode>();
  all.forEach((name, i) => byName.set(name, nodes[i]!));
  const listed = { names: [...byName.keys()], nodes: [...byName.values()] };
  const names =
    listed.names.length === all.length ? allNames : hash("sha1", listed.names.join("\n"), "base64");
  const recorded =
    previous.names === names
      ? recordedAssignment(previous.assignment, listed.names.length)
      : undefined;
  return { listed, names, recorded };
}

/**
 * The member texts of shard `file` as the previous write left it (see `shardMembers`), when it
 * hashes as `written` (that write's path → sha1 index) records; else undefined.
 */
function previousMembers(
  file: string,
  written: Readonly<Record<string, string>>,
): ((name: string) => string | undefined) | undefined {
  const text = readOr(file);
  if (text === undefined || written[file] !== hash("sha1", text, "base64")) return undefined;
  try {
    return shardMembers(text);
  } catch {
    return undefined;
  }
}

/** Shard positions as recorded: the count of each shard, then all positions as base64 uint32s. */
function encodedAssignment(positions: readonly number[][]): Recorded["assignment"] {
  const flat = Uint32Array.from(positions.flat());
  return {
    counts: positions.map((held) => held.length),
    positions: Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength).toString("base64"),
  };
}

/**
 * The positions {@link encodedAssignment} recorded, when they are an assignment of `count`
 * paths to as many shards as `assignPositions` makes (each position once); else undefined (they
 * are assigned again). Within that, the record is trusted as this code wrote it, as the keys
 * are: telling each path's shard is the hashing it saves.
 */
function recordedAssignment(
  recorded: Recorded["assignment"],
  count: number,
): number[][] | undefined {
  if (!Array.isArray(recorded?.counts) || typeof recorded.positions !== "string") return undefined;
  if (recorded.counts.length !== shardCount(count)) return undefined;
  const bytes = Buffer.from(recorded.positions, "base64");
  if (bytes.length !== count * 4) return undefined;
  const flat = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 4));
  const seen = new Uint8Array(count);
  const positions: number[][] = [];
  let at = 0;
  for (const n of recorded.counts) {
    if (!Number.isInteger(n) || n < 0 || at + n > count) return undefined;
    const held: number[] = [];
    for (let k = 0; k < n; k++) {
      const i = flat[at + k]!;
      if (i >= count || seen[i] === 1) return undefined;
      seen[i] = 1;
      held.push(i);
    }
    positions.push(held);
    at += n;
  }
  return at === count ? positions : undefined;
}

/** Forget the recorded keys (artifacts written without them, e.g. a file per node). */
export function dropPackedKeys(targetDir: string): void {
  rmSync(path.join(targetDir, KEYS), { force: true });
}

/** What was recorded; no keys when missing, unreadable or of another shape. */
function readKeys(targetDir: string): Recorded {
  try {
    const parsed = JSON.parse(
      readFileSync(path.join(targetDir, KEYS), "utf8"),
    ) as Partial<Recorded>;
    return parsed?.keys !== null && typeof parsed?.keys === "object"
      ? (parsed as Recorded)
      : { keys: {} };
  } catch {
    return { keys: {} };
  }
}
