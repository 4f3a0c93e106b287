import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * Packed artifacts: above {@link PER_FILE_LIMIT} nodes, `target/compiled/` and `target/run/`
 * would be tens of thousands of small files, and writing them costs more than compiling them
 * (60,000 files took ~3 s at 10,000 models). Their texts go instead into a fixed number of
 * shard files per folder, `target/packed/<compiled|run>/shard-NN-of-MM.sql`, each artifact in
 * the shard its path hashes to. A change rewrites only the shards holding what changed.
 *
 * A shard is readable SQL: its first line is a comment holding the JSON index
 * `{"<artifact path>": [start, length]}` (offsets in the text after that line), then each
 * artifact preceded by a `-- sluice artifact: <path>` line.
 *
 * @example
 * // -- {"marts/m_1.sql":[30,19]}
 * // -- sluice artifact: marts/m_1.sql
 * // select 1 as id
 */
export const PER_FILE_LIMIT = 2000;

/** `files`: a file per node; `packed`: shards; `auto`: files up to {@link PER_FILE_LIMIT} nodes. */
export type ArtifactLayout = "auto" | "files" | "packed";

/** Whether `count` nodes' artifacts are packed in `layout`. */
export const isPacked = (layout: ArtifactLayout, count: number): boolean =>
  layout === "packed" || (layout === "auto" && count > PER_FILE_LIMIT);

/** The folder holding the shards of `kind` ("compiled" or "run") under target/. */
export const packedDir = (targetDir: string, kind: "compiled" | "run"): string =>
  path.join(targetDir, "packed", kind);

/** Shards for `count` artifacts: a power of two near count/256, so it changes only on doubling. */
export function shardCount(count: number): number {
  let shards = 1;
  while (shards * 256 < count) shards *= 2;
  return shards;
}

/** FNV-1a of the artifact path: its shard, the same on every compile. */
function shardOf(name: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

const shardFile = (dir: string, i: number, shards: number): string =>
  path.join(dir, `shard-${String(i).padStart(2, "0")}-of-${shards}.sql`);

/** The shard files (absolute path → text) holding `artifacts` (artifact path → text) in `dir`. */
export function packArtifacts(
  dir: string,
  artifacts: ReadonlyMap<string, string>,
): Map<string, string> {
  return new Map(
    packShards(dir, [...artifacts.keys()]).map(({ file, names }) => [
      file,
      shardText(names, (name) => artifacts.get(name)!),
    ]),
  );
}

/** A shard file and the artifact paths it holds, sorted (see {@link packShards}). */
export interface Shard {
  file: string;
  names: string[];
}

/**
 * The shard files in `dir` for artifacts of these paths, each with the paths it holds, sorted:
 * what {@link packArtifacts} writes, before any text is asked for. A caller that can tell a
 * shard is unchanged (e.g. by its members' node digests) need not build its text.
 */
export function packShards(dir: string, names: Iterable<string>): Shard[] {
  return inShards(dir, assignShards(names));
}

/**
 * The artifact paths each shard holds, sorted, by shard number: the assignment
 * {@link packShards} makes, made once for the folders that share it (see {@link inShards}).
 */
export function assignShards(names: Iterable<string>): string[][] {
  const all = [...names];
  return assignPositions(all).map((held) => held.map((i) => all[i]!));
}

/**
 * {@link assignShards} by position: for each shard, the positions in `names` of the paths it
 * holds, in the order of their paths (sorted as `Array.prototype.sort` sorts strings: by UTF-16
 * code units). A function of `names` alone, so a caller may record it for the same paths.
 */
export function assignPositions(names: readonly string[]): number[][] {
  const shards = shardCount(names.length);
  const members = Array.from({ length: shards }, () => [] as number[]);
  for (let i = 0; i < names.length; i++) members[shardOf(names[i]!, shards)]!.push(i);
  const byName = (a: number, b: number): number =>
    names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0;
  return members.map((held) => held.sort(byName));
}

/** The shards in `dir` holding `assigned` (from {@link assignShards}). */
export const inShards = (dir: string, assigned: readonly string[][]): Shard[] =>
  assigned.map((names, i) => ({ file: shardFile(dir, i, assigned.length), names }));

/** A shard's text: its index line, then each artifact (`names` sorted) after its marker line. */
export const shardText = (names: readonly string[], textOf: (name: string) => string): string =>
  shardPieces(names, textOf).join("");

/**
 * {@link shardText} as its pieces, in order, never joined: a shard is up to a MB, and joining it
 * (or flattening the string `+=` built) makes a string that large in fresh memory, once per
 * shard, only for it to be encoded and dropped.
 */
export function shardPieces(names: readonly string[], textOf: (name: string) => string): string[] {
  const index: Record<string, [number, number]> = {};
  const pieces = [""];
  let length = 0;
  for (const name of names) {
    const text = textOf(name);
    const marker = `-- sluice artifact: ${name}\n`;
    length += marker.length;
    index[name] = [length, text.length];
    length += text.length;
    pieces.push(marker, text);
  }
  pieces[0] = `-- ${JSON.stringify(index)}\n`;
  return pieces;
}

/** One artifact's text from the shards in `dir`; undefined when it is not there. */
export function readPackedArtifact(dir: string, name: string): string | undefined {
  let listing: string[];
  try {
    listing = readdirSync(dir);
  } catch {
    return undefined;
  }
  const shards = Number(/^shard-\d+-of-(\d+)\.sql$/.exec(listing[0] ?? "")?.[1]);
  if (!(shards > 0)) return undefined;
  let text: string;
  try {
    text = readFileSync(shardFile(dir, shardOf(name, shards), shards), "utf8");
  } catch {
    return undefined;
  }
  return shardMembers(text)(name);
}

/**
 * The member texts of a shard's `text` (as {@link shardText} wrote it), by artifact name:
 * undefined for a name it does not hold. Throws when the index line is not JSON.
 */
export function shardMembers(text: string): (name: string) => string | undefined {
  const newline = text.indexOf("\n");
  const index = JSON.parse(text.slice(3, newline)) as Record<string, [number, number]>;
  const body = newline + 1;
  return (name) => {
    const at = Object.hasOwn(index, name) ? index[name] : undefined;
    return at && text.slice(body + at[0], body + at[0] + at[1]);
  };
}
