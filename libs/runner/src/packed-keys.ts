import { hash } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import { packShards, shardText } from "./packed-artifacts.js";
import { nodeDigest } from "./artifacts/manifest-file.js";

/**
 * Packed shards told unchanged by their members' node digests, so that a compile after one
 * model changed builds the text of the shards holding what changed, not of all of them (at
 * 10,000 models, building and hashing every shard's text was ~0.4 CPU-s of a one-change compile).
 *
 * `target/.packed-keys.json` records, for each shard file written (relative to target/), the key
 * of what it was built from: sha1 of its artifact paths and their nodes' digests (a node's text
 * in both folders is a function of the node: see `compiledText`, `runText`). The file is removed
 * before any shard is written and written after all are: a key never names a shard that a killed
 * write may have torn.
 */
const KEYS = ".packed-keys.json";

/** Shard files (absolute path → text, built when asked for), and those whose key is unchanged. */
export interface PackedShards {
  files: Map<string, () => string>;
  kept: Set<string>;
  /** Save the keys once the shards are written (nothing when they are the recorded ones). */
  commit(): void;
}

/**
 * The shards of `nodes`' artifacts in `dirs` (`compiled` and `run` under target/packed), each
 * text built by `texts[kind]` from the node whose artifact it is (a later node of the same
 * artifact path wins, as in a map). `digests`: nodes' digests (the compile memo's), trusted for
 * nodes not rendered again at run time; others are hashed here.
 */
export function packedShards(
  targetDir: string,
  nodes: readonly CompiledNode[],
  nameOf: (node: CompiledNode) => string,
  texts: Record<"compiled" | "run", (node: CompiledNode) => string>,
  digests: ReadonlyMap<string, string>,
): PackedShards {
  const byName = new Map<string, CompiledNode>();
  for (const node of nodes) byName.set(nameOf(node), node);
  const digestOf = (node: CompiledNode): string =>
    (node.renderAtRun ? undefined : digests.get(node.id)) ?? nodeDigest(node);
  const previous = readKeys(targetDir);
  const keys: Record<string, string> = {};
  const files = new Map<string, () => string>();
  const kept = new Set<string>();
  // Shards are assigned by artifact path alone: the i-th shard of either kind holds the same
  // paths, and its members' lines are made once for both.
  const memberLines: string[] = [];
  for (const kind of ["compiled", "run"] as const) {
    const textOf = texts[kind];
    const shards = packShards(path.join(targetDir, "packed", kind), byName.keys());
    for (const [i, { file, names }] of shards.entries()) {
      const rel = path.relative(targetDir, file);
      const members = (memberLines[i] ??= names
        .map((name) => `${name}\t${digestOf(byName.get(name)!)}`)
        .join("\n"));
      const key = hash("sha1", `${kind}\n${members}`, "base64");
      keys[rel] = key;
      if (previous[rel] === key) kept.add(file);
      files.set(file, () => shardText(names, (name) => textOf(byName.get(name)!)));
    }
  }
  const same =
    kept.size === files.size && Object.keys(previous).length === Object.keys(keys).length;
  // What the write below replaces loses its key first.
  if (!same) dropPackedKeys(targetDir);
  return {
    files,
    kept,
    commit: () => {
      if (same) return;
      const file = path.join(targetDir, KEYS);
      writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(keys));
      renameSync(`${file}.${process.pid}.tmp`, file);
    },
  };
}

/** Forget the recorded keys (artifacts written without them, e.g. a file per node). */
export function dropPackedKeys(targetDir: string): void {
  rmSync(path.join(targetDir, KEYS), { force: true });
}

/** The recorded keys; none when missing or unreadable. */
function readKeys(targetDir: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(targetDir, KEYS), "utf8"));
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}
