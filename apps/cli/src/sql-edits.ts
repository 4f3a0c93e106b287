import { hash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { templateSkeleton } from "@sluice/compiler";
import { readUtf8 } from "@sluice/runner/utf8-text";
import type { CacheRequest, Listings } from "./compile-cache.js";
import { listedFolders, listingNow } from "./compile-cache.js";
import { writeHeadedFile } from "./headed-file.js";
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
 */
const EDITS_FILE = "partial_parse.edits.json";
/** Format 1. Another format is not read. */
const EDITS_FORMAT = 1;

interface EditsHead {
  format: number;
  /** sha1 of the `partial_parse.json` header line this listing is the one of. */
  header: string;
}

interface EditsBody {
  modelPaths: string[];
  folders: { folder: string; names: string[]; numbers: number[]; missing?: boolean }[];
  /** Model file path (project-relative) → sha1 of its skeleton, null when it has none. */
  skeletons: Record<string, string | null>;
}

const headOf = (line: string): string =>
  JSON.stringify({ format: EDITS_FORMAT, header: hash("sha1", line) } satisfies EditsHead);

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
  const body: EditsBody = {
    modelPaths: [...modelPaths],
    folders: listed.map((f) => ({
      folder: f.folder,
      names: [...f.names],
      numbers: Array.from(f.numbers),
      ...(f.missing ? { missing: true } : {}),
    })),
    skeletons: Object.fromEntries(models.map((m) => [m.path, skeletonKey(m.text)])),
  };
  try {
    writeHeadedFile(path.join(targetDir, EDITS_FILE), headOf(line), JSON.stringify(body));
  } catch {
    // Read-only: every later change takes the full path.
  }
}

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
 * are edits of; else why not, and the full path compiles. No change at all gives no models.
 */
export function sqlEdits(
  targetDir: string,
  request: CacheRequest,
  listings?: Listings,
): { header: string; models: EditedModel[] } | { refused: string } {
  const listing = listingNow(targetDir, request, listings);
  if (listing === undefined) return { refused: "no partial_parse.json for this build and request" };
  const base = readBase(targetDir, listing.line);
  if (base === undefined) return { refused: `no ${EDITS_FILE} for this partial_parse.json` };
  const change = editedModelFiles(
    editedFiles(base.folders as FolderListing[], listing.now, new Set(listing.racy)),
    base.modelPaths,
  );
  if ("refused" in change) return change;
  const models: EditedModel[] = [];
  for (const file of change.edited) {
    const saved = base.skeletons[file];
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
  return { header: listing.line, models };
}

function readBase(targetDir: string, line: string): EditsBody | undefined {
  try {
    const text = readUtf8(path.join(targetDir, EDITS_FILE));
    const newline = text.indexOf("\n");
    if (newline < 0 || text.slice(0, newline) !== headOf(line)) return undefined;
    return JSON.parse(text.slice(newline + 1)) as EditsBody;
  } catch {
    return undefined;
  }
}
