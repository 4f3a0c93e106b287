import { hash } from "node:crypto";
import type { Project } from "@sluice/project";
import type { CompiledProject } from "../types.js";
import { checksumParts, packedPartChecksums } from "./node-checksums.js";
import type { ChecksumPart } from "./node-checksums.js";
import { alignedRows } from "./aligned-rows.js";
import type { IdRows } from "./aligned-rows.js";
import type { TakenRows } from "./selection-state.js";

/**
 * Checksums taken from a state instead of hashed: a node whose compile digest (sha1 of its JSON
 * as compiled, the compile memo's `nodeDigests`, with the project's folder taken out where the
 * checksums do not read it: the runner's `rootlessDigest`, so a state made in another folder
 * matches) is the one the state recorded beside its checksums, and whose parents publish the relations they published in the state, has the
 * state's `body`, `configs`, `relation` and `contract` digests. Each of these reads only:
 *
 * - the node's JSON: its SQL and incremental SQL (rendered, so every macro, var, env_var and
 *   seed it reads is in it), id, relation, logical schema, dependsOn, config, materialization,
 *   strategy, partitions, tags, severity, thresholds and columns;
 * - its parents' relations (`body` writes a relation it reads as the parent's id);
 * - the checksum code of the build: {@link checksumsKey}, which the state records too.
 *
 * Not reused: `macros` (the text of the macros a template calls, which may change without the
 * rendered SQL changing: asked for, every node is hashed), sources (their `body` is their
 * declaration, not the node) and nodes rendered again at run time.
 */

/**
 * Bumped when what a checksum reads or how it is written changes, or what the digests are of (see
 * {@link checksumsKey}). 2: digests without the project's folder (see `rootlessDigest`).
 */
const REUSE_FORMAT = 2;

/** The parts a state's checksums are reused for (see the file comment). */
const REUSED: readonly ChecksumPart[] = ["body", "configs", "relation", "contract"];

/**
 * What a state holds for reuse, read by the runner from its sidecar or manifest state index: its
 * rows (see {@link IdRows}: node ids, no id twice) and, by row, what each recorded.
 */
export interface ChecksumsBefore extends IdRows {
  /** The {@link checksumsKey} of the build that recorded the state's checksums. */
  key: string;
  /** Row `row`'s compile digest in the state (undefined or empty: none recorded). */
  digest(row: number): string | undefined;
  /** Row `row`'s packed checksums in the state (see `packChecksums`). */
  packed(row: number): string | undefined;
  /** The relation row `row`'s node published in the state. */
  relation(row: number): { schema: string; name: string };
}

/**
 * This compile's side: each node's compile digest (the compile memo's `nodeDigests`, made
 * rootless as the state's are: see the file comment) by position in `compiled.nodes` (undefined
 * or empty: none).
 */
export interface ChecksumReuse {
  before: ChecksumsBefore;
  digests: readonly (string | undefined)[];
}

let key: string | undefined;

/**
 * What a state's checksums must have been made by to be reused by this build: {@link
 * REUSE_FORMAT} and the checksums of a fixed two-node project (quotes, whitespace, a quoted
 * parent relation, a raw window, an incremental SQL, config, tags and columns), so that a change
 * of the checksum code that shows there changes the key even when no one bumped the format.
 *
 * @example checksumsKey() // "1.3f1c0a9e5b7d2c41"
 */
export function checksumsKey(): string {
  if (key !== undefined) return key;
  const parent = {
    id: "model.p",
    kind: "model",
    path: "p.sql",
    relation: { schema: "Lake", name: "P" },
    schema: "lake",
    sql: "select 1 as x",
    dependsOn: [],
    config: {},
    materialization: "view",
    partitionedBy: [],
    tags: [],
    columns: [],
  };
  const child = {
    ...parent,
    id: "model.c",
    path: "c.sql",
    relation: { schema: "lake", name: "c" },
    sql: 'select  \'a  b\' as "x  y",\n\t p.x from "Lake"."P" p join lake . c on true -- é',
    incrementalSql: "select * from sluice_raw_window(lake.p) where x > (select max(x) from lake.c)",
    dependsOn: ["model.p"],
    config: { b: [1, "2"], a: { z: null, "10": true, "9": false } },
    materialization: "incremental",
    incrementalStrategy: "append",
    partitionedBy: ["d"],
    tags: ["z", "a"],
    severity: "warn",
    columns: [{ name: "x" }, { name: "ü" }],
  };
  const compiled = { nodes: [parent, child] } as unknown as CompiledProject;
  const project = { sources: [], macros: [], models: [], singularTests: [] } as unknown as Project;
  const sums = [...packedPartChecksums(project, compiled, REUSED).values()].join("\n");
  return (key = `${REUSE_FORMAT}.${hash("sha256", sums, "hex").slice(0, 16)}`);
}

/** What {@link reusedChecksums} takes from a state. */
export interface ReusedChecksums {
  /** Each node's packed checksums, by position in `compiled.nodes`; undefined: to hash. */
  sums: (string | undefined)[];
  /** The state's row each was taken from (see `TakenRows`), in the fields of {@link REUSED}. */
  taken: TakenRows;
}

/**
 * Each node's packed checksums taken from the state (see the file comment), by position in
 * `compiled.nodes`, undefined for a node to hash, and the state's row each came from; or
 * undefined when nothing can be reused (`macros` asked for, or the state's checksums made by
 * other code). A reused string is the state's with its `macros` part emptied (its other four
 * parts there, none empty). Pure.
 *
 * @example reusedChecksums(compiled, ["body"], { before, digests })?.sums[0] // "3f1c… a0… 9e…  c4…"
 */
export function reusedChecksums(
  compiled: CompiledProject,
  parts: readonly ChecksumPart[],
  { before, digests }: ChecksumReuse,
): ReusedChecksums | undefined {
  if (!parts.every((p) => REUSED.includes(p)) || before.key !== checksumsKey()) return undefined;
  const nodes = compiled.nodes;
  // Each node's row in the state (-1: none), and each row's node (-1: none).
  const rowAt = alignedRows(
    nodes.map((n) => n.id),
    before,
  );
  const nodeAt = new Int32Array(before.ids.length).fill(-1);
  rowAt.forEach((row, at) => row >= 0 && (nodeAt[row] = at));
  /** Whether node `at` was compiled as the state recorded it (the same compile digest). */
  const sameDigest = (at: number): boolean => {
    const digest = digests[at];
    return digest !== undefined && digest !== "" && rowAt[at]! >= 0
      ? digest === before.digest(rowAt[at]!)
      : false;
  };
  // 0: not known yet; 1: publishes what it did in the state; 2: does not (or is no node here).
  const parentOk = new Uint8Array(before.ids.length);
  /** Whether a parent publishes what it did in the state: the same JSON, or the same relation. */
  const sameParent = (id: string): boolean => {
    const row = before.rowOf(id);
    if (row === undefined) return false;
    if (parentOk[row] === 0) {
      const at = nodeAt[row]!;
      const now = at < 0 ? undefined : nodes[at]!.relation;
      const then = before.relation(row);
      const ok =
        at >= 0 && (sameDigest(at) || (now!.schema === then.schema && now!.name === then.name));
      parentOk[row] = ok ? 1 : 2;
    }
    return parentOk[row] === 1;
  };
  const sums = nodes.map((n, at) => {
    if (n.kind === "source" || n.renderAtRun || !sameDigest(at)) return undefined;
    const packed = before.packed(rowAt[at]!);
    const reused = packed === undefined ? undefined : withoutMacros(packed);
    return reused !== undefined && n.dependsOn.every(sameParent) ? reused : undefined;
  });
  sums.forEach((s, at) => s === undefined && (rowAt[at] = -1));
  const fields = REUSED.map((p) => checksumParts.indexOf(p));
  return { sums, taken: { ids: before.ids, at: rowAt, fields } };
}

/**
 * A packed checksums string with its `macros` part emptied; undefined unless it holds every part
 * (five fields, none empty: what a manifest sluice writes holds), so a state missing a part is
 * hashed, not reused. One pass over its four spaces (30,000 nodes at 10,000 models).
 *
 * @example withoutMacros("b c r m k") // "b c r  k"
 */
function withoutMacros(packed: string): string | undefined {
  const s1 = packed.indexOf(" ");
  const s2 = packed.indexOf(" ", s1 + 1);
  const s3 = packed.indexOf(" ", s2 + 1);
  const s4 = packed.indexOf(" ", s3 + 1);
  const whole =
    s1 > 0 &&
    s2 > s1 + 1 &&
    s3 > s2 + 1 &&
    s4 > s3 + 1 &&
    packed.length > s4 + 1 &&
    packed.indexOf(" ", s4 + 1) < 0;
  return whole ? packed.slice(0, s3 + 1) + packed.slice(s4) : undefined;
}
