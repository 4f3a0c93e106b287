import { closeSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { checksumsKey } from "@sluice/compiler/run-time";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { Project } from "@sluice/project";
import { ByteAssembly, knownRanges } from "./byte-assembly.js";
import { writePieces } from "./chunk-writer.js";
import {
  dbtManifestFrame,
  dbtManifestFrameInputs,
  dbtManifestMetadata,
  dbtNodeEntries,
} from "./dbt-manifest.js";
import { dbtUniqueId } from "./dbt-ids.js";
import type { ArtifactInvocation, ManifestEntry } from "./dbt-manifest.js";
import { editableSidecar, editedKeys, editedSections } from "./manifest-edit-sections.js";
import { FORMAT, INDEX, MANIFEST, readPrevious, withBytes } from "./manifest-index.js";
import type { ManifestIndex } from "./manifest-index.js";
import {
  claimedEdits,
  entryKeys,
  reusableKeys,
  sameCompileKeys,
  sharedKey,
} from "./manifest-keys.js";
import type { ByNodeId, ManifestSource } from "./manifest-keys.js";
import { allSections } from "./manifest-sections.js";
import type { EntryBuilder } from "./manifest-sections.js";
import { appendStateIndex, manifestDigest } from "./state-index.js";
import { encodeColumns } from "./state-nodes.js";
import { compileKeyOf, SIDECAR_FORMAT, writeStateSidecar } from "./state-sidecar.js";
import type { SidecarKey } from "./state-sidecar.js";

/**
 * `target/manifest.json` written in proportion to what changed. Its text is exactly
 * `JSON.stringify(dbtManifest(...))` plus a newline, with the state index added (see below) (compact, as dbt writes it: indentation would
 * be a third of the file), but each node's entry is built
 * only when what it is built from changed since the previous write: the text of the other
 * entries is copied from the previous file, where `target/.manifest-index.json` says each one
 * sits, with the key of what it was built from. At 10,000 models the manifest is ~100 MB and
 * building it whole took most of a one-model-changed compile.
 *
 * An entry copied keeps its `created_at` (when its node was last built, as in dbt, whose partial
 * parse keeps unchanged nodes' times). The rest of the file but `metadata` (macros, exposures,
 * `parent_map`, `child_map`, ...) is copied the same way while what it is made of (see
 * `dbtManifestFrameInputs`) is the same: at 10,000 models, building and serializing the maps of
 * 30,000 nodes was a tenth of a one-model-changed compile. When no entry and nothing else but
 * the invocation (`generated_at`, `invocation_id`, `created_at`) changed, the file is not
 * written at all.
 *
 * The manifest's last key, `selectors`, ends with the state index (see state-index.ts): the
 * sidecar's columns, for a state read without its sidecar, and the manifest's digest by ranges
 * (see {@link ByteAssembly}): a range copied whole keeps the digest recorded in the index.
 *
 * Beside it goes `manifest.state.json` (see state-sidecar.ts): what `--state` reads of each
 * node, keyed by the manifest's digest, so a state seen for the first time is read without
 * parsing the manifest. Its rows of unchanged entries are copied from the previous sidecar.
 *
 * After an edit of a few models' SQL (see {@link ManifestSource}), the one-edit path touches
 * only what the edit reaches (see manifest-edit-sections.ts): the nodes it reaches are keyed, the entries
 * between the stale ones are copied by position in runs, a range at a time, and the sidecar's
 * columns are spliced as bytes. Its output is byte for byte the path's that keys every node
 * (manifest-edit.test.ts compares them).
 */

/** Counts of one {@link writeManifest}: entries built and copied, and whether the file was written. */
export interface ManifestWrite {
  built: number;
  reused: number;
  written: boolean;
}

/** What {@link writeManifest} is told besides the project and its compile (see there). */
export interface ManifestWriteOptions {
  compileKey?: string;
  digests?: ByNodeId;
  recordDigests?: boolean;
  source?: ManifestSource;
  rootless?: ByNodeId;
  placeless?: ByNodeId;
  asCompiled?: boolean;
}

/**
 * Write `<targetDir>/manifest.json` for `compiled` (see {@link dbtManifest}), reusing the
 * previous file's entries of unchanged nodes (see the file comment). `build` names the running
 * sluice build; `compileKey` (the partial-parse header of `compiled`, when cached) goes into the
 * sidecar, so a later selection in this project reads its own checksums from there.
 * `digests`: the {@link nodeDigest} of some nodes, by node id (the compile memo keeps them):
 * those nodes are not serialized again for their keys. `recordDigests`: the state index and
 * sidecar record each node's digest (`digests`' when given, else the node's own, hashed: each is
 * of the very node whose entry and checksums are written, so a build's, after `--defer` replaced
 * nodes, describes the replaced nodes), made independent of the project's folder and run id (see
 * `rootlessDigest`; `rootless` gives those of nodes of `digests` when known, else they are made
 * here), but a source's or one rendered again at run time (its checksums are not of its
 * written JSON); a selection against this manifest, in this folder or another, reuses the
 * checksums of the nodes it compiles the same (see `reusedChecksums`). `placeless`: the
 * placeless digests the compile of `compiled` recorded (see `placelessDigest`), by node id, of
 * nodes as that compile made them (not replaced since, e.g. by `--defer`): their keys and
 * recorded digests are taken from there, unserialized. `source`: which compile
 * `compiled` is (see {@link ManifestSource}): after an edit of a few models' SQL, the other
 * nodes' keys are not hashed again (at 10,000 models, hashing 30,000 keys was a tenth of a
 * one-model-changed compile), nor is the frame's key. `asCompiled`: every node is as the compile
 * `compileKey` names made it (none replaced since, e.g. by `--defer`): the index then records
 * that compile, and a later write of the same compile, also as compiled, takes the keys of the
 * nodes with placeless digests and the frame's key from it (see `sameCompileKeys`).
 */
export function writeManifest(
  targetDir: string,
  project: Project,
  compiled: CompiledProject,
  invocation: ArtifactInvocation,
  build: string,
  options: ManifestWriteOptions = {},
): ManifestWrite {
  const { compileKey, digests, source, rootless, placeless } = options;
  const recordDigests = options.recordDigests === true;
  const asCompiled = options.asCompiled === true;
  const file = path.join(targetDir, MANIFEST);
  const indexFile = path.join(targetDir, INDEX);
  const found = readPrevious(file, indexFile, build);
  const recorded = recordDigests ? new Map<string, string>() : undefined;
  const shared = sharedKey(project, compiled);
  const keyOptions = {
    runId: invocation.invocationId,
    ...(rootless ? { rootless } : {}),
    ...(placeless ? { placeless } : {}),
  };
  const keyed = (nodes: readonly CompiledNode[], kept?: ReadonlyMap<string, string>) =>
    entryKeys(project, compiled, shared, nodes, digests, recorded, kept, keyOptions);
  // The one-edit path (see manifest-edit-sections.ts): only the nodes the edits reach are keyed, the
  // previous entries matched by position; undefined when the claim or the order does not hold.
  const edited =
    found?.index.runId === invocation.invocationId
      ? claimedEdits(found.index, shared, source)
      : undefined;
  let edit = edited && editedKeys(found!.index, compiled, edited, keyed);
  // Every node keyed (the nodes the edits leave alone, when claimed, by the index's keys).
  const allKeys = () => {
    const at = new Map<string, number>();
    found?.index.entries.ids.forEach((id, i) => at.set(id, i));
    const reused =
      found &&
      (reusableKeys(found.index, at, compiled, shared, source) ??
        (asCompiled
          ? sameCompileKeys(found.index, at, compiled, shared, compileKey, placeless)
          : undefined));
    const keys = keyed(compiled.nodes, reused?.keys);
    const staleAgainst = (index: ManifestIndex | undefined) => {
      const stale = new Set<string>();
      for (const n of compiled.nodes) {
        const i = at.get(n.id);
        if (index === undefined || i === undefined || index.entries.keys[i] !== keys.get(n.id))
          stale.add(n.id);
      }
      return stale;
    };
    return { at, keys, staleAgainst, frameInputs: reused?.frameInputs };
  };
  let all = edit ? undefined : allKeys();
  let stale = edit ? edit.stale : all!.staleAgainst(found?.index);
  const frameInputs =
    (edit ? found!.index.frameInputs : all!.frameInputs) ??
    dbtManifestFrameInputs(project, compiled);
  const sidecarKey = (digest: string): SidecarKey => ({
    format: SIDECAR_FORMAT,
    manifest: digest,
    ...(compileKey === undefined ? {} : { compile: compileKeyOf(compileKey) }),
  });
  // metadata.adapter_type, as the reader takes it from the manifest
  const adapter: string = compiled.dialect;
  if (found && stale.size === 0 && found.index.frameInputs === frameInputs) {
    // The sidecar is left as it is when its key already says all (its body is not parsed).
    const key = sidecarKey(found.index.digest);
    if (found.sidecar.key.compile === key.compile)
      return { built: 0, reused: compiled.nodes.length, written: false };
    const body = found.sidecar.body();
    if (body) {
      writeStateSidecar(targetDir, key, body, encodeColumns(body.nodes));
      return { built: 0, reused: compiled.nodes.length, written: false };
    }
  }
  // Entries to copy: the previous file (opened only now: a write that changes nothing never
  // reads it) and sidecar rows. Either unreadable or replaced since: nothing is copied.
  let previous = found && withBytes(found, file);
  // The one-edit path splices the previous sidecar's columns: rows (or columns not whole, or
  // digests of another build) take every node's key.
  const columnsBefore = edit && previous && editableSidecar(found!, recorded !== undefined);
  if (edit && !columnsBefore) {
    edit = undefined;
    all = allKeys();
    stale = all.staleAgainst(found?.index);
  }
  const previousBody = previous && !edit ? found!.sidecar.body() : undefined;
  if (previous && !edit && !previousBody) {
    closeSync(previous.fd);
    previous = undefined;
  }
  if (found && !previous) stale = all!.staleAgainst(undefined);
  // Closed once the new file is written, or on the way out of a failed write.
  const closePrevious = (): void => {
    if (previous) closeSync(previous.fd);
  };
  // Written as it is built (to a temporary file renamed into place once whole): no piece of the
  // file is held once written.
  const tmp = `${file}.${process.pid}.tmp`;
  let frame: ReturnType<typeof frameTexts>;
  let fd: number;
  try {
    frame = frameTexts(project, compiled, invocation, frameInputs, previous);
    fd = openSync(tmp, "w");
  } catch (error) {
    closePrevious();
    throw error;
  }
  const out = new ByteAssembly(fd);
  const knownRange = knownRanges(previous?.index);
  const uid = (n: CompiledNode) => dbtUniqueId(n.id, compiled.projectName);
  const entriesOf: EntryBuilder = (ids) => dbtNodeEntries(project, compiled, invocation, ids);
  const sections = edit
    ? editedSections(
        edit,
        found!.index,
        columnsBefore!,
        out,
        { fd: previous!.fd, knownRange },
        uid,
        recorded,
        entriesOf,
      )
    : allSections(all!, compiled, previous, previousBody, out, uid, recorded, stale, entriesOf);
  const written: [string, number, number][] = [];
  // The rows' columns, made once the last entry is written, for the state index and the sidecar.
  let state: ReturnType<typeof sections.state> | undefined;
  let indexDigest: string | undefined;
  try {
    out.push("{");
    frame.keys.forEach(([key, text], i) => {
      // Each top-level key (with the comma before it) starts a range of the digest (see
      // ByteAssembly): one copied from the previous file keeps its range's digest.
      out.cut();
      if (typeof text !== "string" && i > 0) {
        const [from, length] = text;
        const known = knownRange(from - 1, length + 1);
        if (known) out.copyRange(previous!.fd, from - 1, from + length, known);
        else {
          out.push(",");
          out.copy(previous!.fd, from, from + length);
        }
        written.push([key, out.length - length, length]);
        return;
      }
      if (i > 0) out.push(",");
      // The last key (see dbtManifestFrame): the state index goes in it, after every entry.
      if (key === "selectors" && i === frame.keys.length - 1) {
        written.push([key, -1, 0]);
        state = sections.state(recorded && checksumsKey());
        indexDigest = appendStateIndex(
          out,
          frame.selectors,
          { adapter, ...(state.digests ? { digests: state.digests } : {}) },
          state.columns,
        );
        return;
      }
      if (isSection(key)) {
        written.push([key, -1, 0]);
        out.push(`${JSON.stringify(key)}:`);
        return sections.write(key);
      }
      const start = out.length;
      if (typeof text === "string") out.push(text);
      else out.copy(previous!.fd, text[0], text[0] + text[1]);
      written.push([key, key === "metadata" ? -1 : start, out.length - start]);
    });
    out.push("}\n");
    out.finish();
  } catch (error) {
    closeSync(fd);
    closePrevious();
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  closePrevious();

  // A manifest without a state index is named by its sha256 (see `manifestDigest`).
  const digest = indexDigest ?? manifestDigest(tmp);
  if (digest === undefined) throw new Error(`${tmp} cannot be read back`);
  rmSync(indexFile, { force: true });
  renameSync(tmp, file);
  state ??= sections.state(recorded && checksumsKey());
  writeStateSidecar(
    targetDir,
    sidecarKey(digest),
    { adapter, nodes: state.rows, ...(state.digests ? { digests: state.digests } : {}) },
    state.columns,
  );
  const stat = statSync(file);
  const index: ManifestIndex = {
    format: FORMAT,
    build,
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    digest,
    frameInputs,
    ...(source === undefined ? {} : { compile: source.fingerprint }),
    ...(asCompiled && compileKey !== undefined ? { keysCompile: compileKey } : {}),
    shared,
    runId: invocation.invocationId,
    frame: written,
    ranges: out.ranges,
    plainColumns: state.columns?.plain === true,
    selectors: frame.selectors,
    entries: sections.entries,
  };
  // Not writeFileSync: its 2 MB at 10,000 models would be encoded into a fresh Buffer first.
  writePieces(indexFile, [JSON.stringify(index)]);
  return {
    built: sections.built(),
    reused: compiled.nodes.length - sections.built(),
    written: true,
  };
}

const isSection = (key: string): key is ManifestEntry["section"] =>
  key === "nodes" || key === "sources";

/**
 * The top-level keys in order, each with its text (`"key":value`; a section's is empty, its
 * entries are written apart) as a string or where its text sits in the previous file (start,
 * length), and the `selectors`
 * text the state index goes into. Copied from `previous` when it was made of the same
 * `frameInputs` (but `metadata`: the invocation's); else built.
 */
function frameTexts(
  project: Project,
  compiled: CompiledProject,
  invocation: ArtifactInvocation,
  frameInputs: string,
  previous: { index: ManifestIndex; fd: number } | undefined,
): { keys: [string, string | [number, number]][]; selectors: string } {
  if (previous?.index.frameInputs === frameInputs) {
    const metadata = `"metadata":${JSON.stringify(dbtManifestMetadata(compiled, invocation))}`;
    const keys = previous.index.frame.map(
      ([key, start, length]): [string, string | [number, number]] => [
        key,
        key === "metadata" ? metadata : start < 0 ? "" : [start, length],
      ],
    );
    return { keys, selectors: previous.index.selectors };
  }
  const keys = Object.entries(dbtManifestFrame(project, compiled, invocation))
    .filter(([, value]) => value !== undefined)
    .map(([key, value]): [string, string] => [
      key,
      isSection(key) ? "" : `${JSON.stringify(key)}:${JSON.stringify(value)}`,
    ]);
  const selectors = keys.find(([key]) => key === "selectors")?.[1] ?? "";
  return { keys, selectors };
}
