import type { Project } from "@sluice/project";
import type { CompiledProject } from "../types.js";
import {
  checksumParts,
  chosenNodes,
  packChecksums,
  packedPartChecksums,
  partChecksums,
  unpackChecksums,
} from "./node-checksums.js";
import type { ChecksumPart, NodeChecksums } from "./node-checksums.js";
import { reusedChecksums } from "./checksum-reuse.js";
import type { ChecksumReuse } from "./checksum-reuse.js";

/**
 * Checksums computed in this process, by the compiled project (and project) they are of: as
 * objects by node, and/or as the packed strings of every node ({@link sharedPackedChecksums}'s
 * first call, and the parts they hold).
 */
interface Kept {
  project: Project;
  sums: Map<string, Partial<NodeChecksums>>;
  packed?: { parts: readonly ChecksumPart[]; sums: ReadonlyMap<string, string> };
}
const computed = new WeakMap<CompiledProject, Kept>();

/** What this process keeps for `compiled` (a new entry when it was of another project). */
function keptFor(project: Project, compiled: CompiledProject): Kept {
  let found = computed.get(compiled);
  if (found?.project !== project) computed.set(compiled, (found = { project, sums: new Map() }));
  return found;
}

/**
 * {@link nodeChecksums}, each node hashed at most once per compiled project in this process: a
 * command that compares with `--state` and then writes the manifest (compile, build) hashes its
 * nodes once, not once for each (30,000 nodes at 10,000 models). Compiled projects are not
 * changed after compiling (a run that renders nodes again makes a new one), so what was
 * computed for one stays true. With `parts`, only those parts are made sure of (see
 * {@link partChecksums}): a part asked for later is computed then, the others kept.
 *
 * @example sharedNodeChecksums(project, compiled); sharedNodeChecksums(project, compiled, ids) // hashes nothing
 */
export function sharedNodeChecksums(
  project: Project,
  compiled: CompiledProject,
  ids?: ReadonlySet<string>,
): Map<string, NodeChecksums>;
export function sharedNodeChecksums(
  project: Project,
  compiled: CompiledProject,
  ids: ReadonlySet<string> | undefined,
  parts: readonly ChecksumPart[],
): Map<string, Partial<NodeChecksums>>;
export function sharedNodeChecksums(
  project: Project,
  compiled: CompiledProject,
  ids?: ReadonlySet<string>,
  parts: readonly ChecksumPart[] = checksumParts,
): Map<string, Partial<NodeChecksums>> {
  const found = keptFor(project, compiled);
  if (found.sums.size === 0 && found.packed) {
    // Packed by a state selection of this command: their parts are not hashed again.
    for (const [id, packed] of found.packed.sums) found.sums.set(id, unpackChecksums(packed));
  }
  if (found.sums.size === 0) {
    // Nothing kept yet (a command's first comparison): made for the chosen nodes and kept as
    // made, not looked for and copied node by node (30,000 at 10,000 models).
    found.sums = partChecksums(project, compiled, parts, ids);
    return new Map(found.sums);
  }
  const kept = found.sums;
  const chosen = chosenNodes(compiled, ids);
  let lacking: Set<ChecksumPart> | undefined;
  let missing: Set<string> | undefined;
  for (const n of chosen) {
    const sums = kept.get(n.id);
    for (const p of parts)
      if (sums?.[p] === undefined) {
        (lacking ??= new Set()).add(p);
        (missing ??= new Set()).add(n.id);
      }
  }
  if (lacking && missing) {
    // All missing (a first call): the nodes as chosen, not filtered again.
    const of = missing.size === chosen.length ? ids : missing;
    for (const [id, sums] of partChecksums(project, compiled, [...lacking], of)) {
      const had = kept.get(id);
      // A node's entry is replaced, not edited: one handed out before keeps what it held. Its
      // keys in part order, whichever were asked for first: the manifest writes the object as
      // it is (meta.sluice.checksums), the same bytes with or without an earlier `--state`.
      kept.set(id, had ? inPartOrder({ ...had, ...sums }) : sums);
    }
  }
  return new Map(chosen.map((n) => [n.id, kept.get(n.id)!]));
}

/** `sums` with its keys in {@link checksumParts} order. */
function inPartOrder(sums: Partial<NodeChecksums>): Partial<NodeChecksums> {
  const out: Partial<NodeChecksums> = {};
  for (const p of checksumParts) if (sums[p] !== undefined) out[p] = sums[p];
  return out;
}

/**
 * Every node's checksums of at least `parts`, packed (see {@link packChecksums}), by id: what
 * `--state` compares and keeps. A command's first call hashes straight to the packed strings
 * (see `packedPartChecksums`: no object per node, no map copied) and keeps them, so that a
 * manifest written next by the same command hashes those parts again for no node (see
 * {@link sharedNodeChecksums}). The map is shared: read it, do not change it. With `reuse`, a
 * first call takes the checksums of the nodes a state has unchanged from it (see
 * `reusedChecksums`: the same strings hashing gives, the `macros` part empty) and hashes the rest.
 *
 * @example sharedPackedChecksums(project, compiled, ["body"]).get("model.funnel") // "3f1c…    "
 */
export function sharedPackedChecksums(
  project: Project,
  compiled: CompiledProject,
  parts: readonly ChecksumPart[],
  reuse?: ChecksumReuse,
): ReadonlyMap<string, string> {
  const found = keptFor(project, compiled);
  if (found.packed && parts.every((p) => found.packed!.parts.includes(p))) return found.packed.sums;
  if (found.sums.size > 0 || found.packed) {
    // Objects kept already (or packed of fewer parts): made complete and packed.
    const all = [...new Set([...(found.packed?.parts ?? []), ...parts])];
    const out = new Map<string, string>();
    for (const [id, sums] of sharedNodeChecksums(project, compiled, undefined, all))
      out.set(id, packChecksums(sums));
    return out;
  }
  const given = reuse && reusedChecksums(compiled, parts, reuse);
  found.packed = { parts: [...parts], sums: packedPartChecksums(project, compiled, parts, given) };
  return found.packed.sums;
}
