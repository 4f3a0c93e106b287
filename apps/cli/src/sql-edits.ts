import { hash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { templateSkeleton } from "@sluice/compiler";
import type { ModelMemo } from "@sluice/compiler";
import type { CacheRequest, Listings } from "./compile-cache.js";
import { headerRacy, listedFolders, listingNow } from "./compile-cache.js";
import { memoModel } from "./compile-memo-file.js";
import { headerTie, readHeadedFile, tieFormat, writeHeadedFile } from "./headed-file.js";
import type { FolderListing } from "./listing-diff.js";
import { editedFiles, editedModelFiles } from "./listing-diff.js";

/**
 * `target/partial_parse.edits.json`: what tells, without loading the project, that the only
 * change since `partial_parse.json` was saved is literal SQL in some model files (#14: one
 * model's SQL changed at 10,000 models). It holds the listing that file's header hashes, folder
 * by folder, the model paths of sluice.yml, and each model file's {@link templateSkeleton}
 * (hashed; null when not of the simple kind). {@link sqlEdits} compares the listing now with it
 * and the skeletons of the files it finds edited with theirs.
 *
 * The first line names the `partial_parse.json` header it goes with: written after that file,
 * it is used only with the same header (a newer partial_parse.json, or none, makes it stale).
 * The second holds the rest but the skeletons, the third the skeletons (`{"<path>":key,...}`):
 * at 10,000 models ~600 KB that the fast path looks its edited files up in as text, and writes
 * back as the same text (see {@link skeletonIn}), never parsing them.
 */
const EDITS_FILE = "partial_parse.edits.json";
/**
 * Format 5: the skeletons on a line of their own. Format 4: the header line is a
 * {@link headerTie}, as compile_digests.json's (format 3:
 * `{"format":3,"header":"<sha1 hex>"}`; format 2: a folder's numbers as JSON numbers, not
 * base64; format 1: no racy files). Another format is not read.
 */
const EDITS_FORMAT = 5;

/** The base as read (`Numbers`: as written, see {@link packed}). */
interface EditsBody<Numbers = ArrayLike<number>> {
  modelPaths: string[];
  /** The files the listing saw as racy: their numbers do not vouch for their content. */
  racy: string[];
  /** As listed; on disk, `numbers` is the base64 of their float64 bytes (see {@link packed}). */
  folders: (Omit<FolderListing, "numbers"> & { numbers: Numbers })[];
  /**
   * The JSON text of model file path (project-relative) → sha1 (hex) of its skeleton, null when
   * it has none: the file's third line, as written.
   */
  skeletons: string;
}

const headOf = (line: string): string => headerTie(EDITS_FORMAT, line);

const skeletonKey = (text: string): string | null => {
  const skeleton = templateSkeleton(text);
  return skeleton === undefined ? null : hash("sha1", skeleton);
};

/**
 * Save, next to a `partial_parse.json` just written with header `line` from `listings`, what
 * {@link sqlEdits} compares with. `models`: the project's model files and their texts, as the
 * load read them. Best effort: a project that cannot be written keeps working without it.
 */
export function saveSqlEditsBase(
  targetDir: string,
  line: string,
  request: CacheRequest,
  folders: readonly string[],
  listings: Listings,
  modelPaths: readonly string[],
  models: readonly { path: string; text: string }[],
): void {
  const listed = listedFolders(request.dir, folders, listings);
  if (listed === undefined) return;
  const skeleton = carriedSkeletons(targetDir, listed, headerRacy(line));
  const skeletons = Object.fromEntries(models.map((m) => [m.path, skeleton(m.path, m.text)]));
  writeBase(targetDir, line, modelPaths, listed, JSON.stringify(skeletons));
}

function writeBase(
  targetDir: string,
  line: string,
  modelPaths: readonly string[],
  listed: readonly FolderListing[],
  skeletons: string,
): void {
  const body: Omit<EditsBody<string>, "skeletons"> = {
    modelPaths: [...modelPaths],
    racy: headerRacy(line),
    folders: listed.map((f) => ({ ...f, numbers: packed(f.numbers) })),
  };
  try {
    const file = path.join(targetDir, EDITS_FILE);
    writeHeadedFile(file, headOf(line), [JSON.stringify(body), "\n", skeletons]);
  } catch {
    // Read-only: every later change takes the full path.
  }
}

/**
 * Save the base again after the fast path rewrote `partial_parse.json` to header `to` for edits
 * {@link sqlEdits} found against `base` (the base it read, of the header the edits are from):
 * the listing `listings` holds now, the skeletons as they were, as the same text (each edited
 * file's was checked to be its saved one). What {@link saveSqlEditsBase} writes after a full compile of the same
 * files. False when the listing of `to`'s folders is not in `listings`.
 */
export function rebaseSqlEdits(
  targetDir: string,
  base: EditsBase,
  to: string,
  request: CacheRequest,
  listings: Listings,
): boolean {
  const folders = (JSON.parse(to) as { folders: string[] }).folders;
  const listed = listedFolders(request.dir, folders, listings);
  if (listed === undefined) return false;
  writeBase(targetDir, to, base.modelPaths, listed, base.skeletons);
  return true;
}

/**
 * Each model's skeleton key as the previous save has it, for the files its listing and this one
 * agree on (and racy in neither), else computed from the text: at 10,000 models, computing them
 * all is ~270 ms of CPU, nearly all for files that did not change. A file added or removed
 * since computes them all.
 */
function carriedSkeletons(
  targetDir: string,
  listed: readonly FolderListing[],
  racy: readonly string[],
): (file: string, text: string) => string | null {
  const previous = readBase(targetDir);
  const change =
    previous && editedFiles(previous.folders, listed, new Set([...previous.racy, ...racy]));
  if (previous === undefined || change === undefined || "refused" in change)
    return (_, text) => skeletonKey(text);
  const edited = new Set(change.edited);
  // The full path: every model's looked up, so the text is parsed once.
  const skeletons = JSON.parse(previous.skeletons) as Record<string, string | null>;
  return (file, text) => {
    const saved = Object.hasOwn(skeletons, file) ? skeletons[file] : undefined;
    return saved !== undefined && !edited.has(file) ? saved : skeletonKey(text);
  };
}

/**
 * What {@link sqlEdits} read of `partial_parse.edits.json` and {@link rebaseSqlEdits} writes
 * again: read once per fast path (at 10,000 models the file is ~1 MB of JSON).
 */
export type EditsBase = Pick<EditsBody, "modelPaths" | "skeletons">;

/** A model file edited since the saved compile, with the text it has now. */
export interface EditedModel {
  path: string;
  text: string;
}

/**
 * Whether the project changed since `target/partial_parse.json` was saved only in the literal
 * SQL of model files: the same build, request and environment (see compile-cache.ts), the same
 * folders with the same names, no file but model `.sql` files edited, and each edited one's
 * template skeleton the one it had (the same refs, sources, config(), vars and macro calls).
 * Then the edited models (their path and text now) and the `partial_parse.json` header they
 * are edits of, and the base they were found against (for {@link rebaseSqlEdits}); else why
 * not, and the full path compiles. No change at all gives no models.
 */
export function sqlEdits(
  targetDir: string,
  request: CacheRequest,
  listings?: Listings,
): { header: string; models: EditedModel[]; base: EditsBase } | { refused: string } {
  const listing = listingNow(targetDir, request, listings);
  if (listing === undefined) return { refused: "no partial_parse.json for this build and request" };
  const base = readBase(targetDir, listing.line);
  if (base === undefined) return { refused: `no ${EDITS_FILE} for this partial_parse.json` };
  const change = editedModelFiles(
    editedFiles(base.folders, listing.now, new Set(listing.racy)),
    base.modelPaths,
  );
  if ("refused" in change) return change;
  const models: EditedModel[] = [];
  for (const file of change.edited) {
    const saved = skeletonIn(base.skeletons, file);
    if (saved === undefined) return { refused: `'${file}' is not a model of the saved compile` };
    let text: string;
    try {
      text = readFileSync(path.join(request.dir, file), "utf8");
    } catch {
      return { refused: `'${file}' cannot be read` };
    }
    const now = skeletonKey(text);
    if (saved === null || now !== saved)
      return { refused: `'${file}' changed more than its literal SQL` };
    models.push({ path: file, text });
  }
  return { header: listing.line, models, base };
}

/** A listing's numbers as the base64 of their float64 bytes (exact, and cheap to read). */
function packed(numbers: ArrayLike<number>): string {
  const floats = Float64Array.from(numbers);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString("base64");
}

/** {@link packed}'s numbers. */
function unpacked(text: string): Float64Array {
  const bytes = Buffer.from(text, "base64");
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/**
 * `file`'s skeleton key in `skeletons` (the JSON text of a path → key object, as written):
 * undefined when it has none. Told from the text: `,"<file>":` (or `{"<file>":` first) is found
 * only where a key starts (inside a JSON string a quote is always escaped, so never follows a
 * comma or a brace), and a key's value is `null` or 40 hex digits in quotes.
 *
 * @example skeletonIn('{"a.sql":null,"b.sql":"0a1b..."}', "b.sql") // "0a1b..."
 */
export function skeletonIn(skeletons: string, file: string): string | null | undefined {
  const key = `${JSON.stringify(file)}:`;
  let at = skeletons.startsWith(`{${key}`) ? 0 : skeletons.indexOf(`,${key}`);
  if (at < 0) return undefined;
  at += 1 + key.length;
  if (skeletons.startsWith("null", at) && /^[,}]/.test(skeletons.charAt(at + 4))) return null;
  const end = at + 42;
  const value = skeletons.slice(at, end);
  return /^"[0-9a-f]{40}"$/.test(value) && /^[,}]/.test(skeletons.charAt(end))
    ? value.slice(1, -1)
    : undefined;
}

/**
 * The saved base, when it goes with the `partial_parse.json` header `line` (or, without `line`,
 * any base of this format: its listing and skeletons were taken together).
 */
function readBase(targetDir: string, line?: string): EditsBody | undefined {
  try {
    const read = readHeadedFile(path.join(targetDir, EDITS_FILE));
    if (read === undefined) return undefined;
    if (tieFormat(read.header) !== EDITS_FORMAT) return undefined;
    if (line !== undefined && read.header !== headOf(line)) return undefined;
    const newline = read.body.indexOf("\n");
    if (newline < 0) return undefined;
    const body = JSON.parse(read.body.slice(0, newline)) as Omit<EditsBody<string>, "skeletons">;
    const folders = body.folders.map((f) => ({ ...f, numbers: unpacked(f.numbers) }));
    return { ...body, folders, skeletons: read.body.slice(newline + 1) };
  } catch {
    return undefined;
  }
}

/** An edited model and its entry in the compile memo. */
export interface MemoEdit extends EditedModel {
  memo: ModelMemo;
}

/**
 * The compile memo's entries of the models {@link sqlEdits} found edited, read from their
 * segments alone (see compile-memo-file.ts), when each can be re-rendered by itself: held by the
 * memo (a model with a diagnostic, a disabled one or another file of that name is not), rendered
 * offline (not `renderAtRun`), and not ephemeral (its SQL is part of its dependents'). A literal
 * edit keeps the relation, refs and config (see templateSkeleton), so no dependent's inputs move.
 */
export function memoEdits(
  targetDir: string,
  dir: string,
  edits: readonly EditedModel[],
): { models: MemoEdit[] } | { refused: string } {
  const models: MemoEdit[] = [];
  for (const edit of edits) {
    const id = `model.${path.posix.basename(edit.path, ".sql")}`;
    const memo = memoModel(targetDir, dir, id);
    const node = memo?.output?.node;
    if (memo === undefined || node === undefined || node.path !== edit.path)
      return { refused: `'${edit.path}' is not in the compile memo as ${id}` };
    if (node.renderAtRun) return { refused: `${id} reads the warehouse to render` };
    if (node.materialization === "ephemeral") return { refused: `${id} is ephemeral` };
    models.push({ ...edit, memo });
  }
  return { models };
}
