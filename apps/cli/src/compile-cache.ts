import { createHash } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readUtf8Lines, utf8Text } from "@sluice/runner/utf8-text";
import type { ContextBytes } from "./context-text.js";
import { writeHeadedFile } from "./headed-file.js";
import type { FolderListing } from "./listing-diff.js";
import { folderStats, MISSING, withFolderStats } from "./listing-stat.js";

/**
 * Partial parsing, as dbt calls it: the loaded and compiled project is kept in
 * `target/partial_parse.json` and reused while nothing it was built from changed: the same
 * sluice build, the same command-line inputs, the same values of the environment variables the
 * templates read, and the same listing (names, sizes, modification times) of every folder the
 * loader scanned and of sluice.yml. Loading and compiling is ~100 ms of every command; a hit
 * costs a few stats and one JSON parse.
 *
 * Files modified within {@link RACY_MS} of the listing ("racily clean", as git calls them) may
 * change again without a new size or time. The listing hashes their content; the header keeps
 * those hashes, and a later command trusts the cache only while each of those files still has
 * that content (see {@link Header.racy}).
 */

/** Written into the cached compile where the run id goes; the same shape as a real one. */
export const RUN_ID_PLACEHOLDER = "19700101T000000Z_cafe";

const CACHE_FILE = "partial_parse.json";

/** Where the cached compile of a project is: `<targetDir>/partial_parse.json`. */
export const cacheFilePath = (targetDir: string): string => path.join(targetDir, CACHE_FILE);

/**
 * Files modified this recently before a listing are not trusted to their size and time (as git
 * treats "racily clean" files): a file system's timestamps can be this coarse (FAT: 2 s).
 */
const RACY_MS = 2000;
/**
 * At most this many racy files are hashed per listing; a listing with more (a checkout that
 * touched the whole project) is not saved, as before, rather than have every later command
 * re-read them all.
 */
const RACY_MAX = 256;
/**
 * Format 7: the project's models on a line of their own (see context-text.ts). Format 6: the
 * properties' index counts UTF-8 bytes (format 5 counted UTF-16 units). Format 5:
 * the context after the header is in the layout of context-text.ts (the model properties on a
 * line of their own, with an index). Format 4: the header holds the content
 * hashes of the racy files ({@link Header.racy}). Format 3: a compiled node the compile memo holds is written as its place there (see
 * memo-refs.ts); format 2 held every node's text. Older formats are not read.
 */
export const CACHE_FORMAT = 7;

/** What else, besides the project's files, decides the compile output. */
export interface CacheRequest {
  /** The absolute project folder: compiled SQL holds absolute lake paths, so a moved project recompiles. */
  dir: string;
  target: string | null;
  vars: string | null;
  /** dbt projects' `--profiles-dir` and `--profile`. */
  profilesDir: string | null;
  profile: string | null;
  storeFailures: boolean;
  dqRules: boolean;
}

/**
 * The file's first line: what decides whether the cache is valid. The cached context follows on
 * the next line as its own JSON text, so a run checks the header without parsing the context,
 * and parses the context once (not once as an escaped string and again as JSON).
 */
interface Header {
  format: number;
  build: string;
  request: CacheRequest;
  folders: string[];
  snapshot: string;
  /**
   * Project-relative path → sha1 of the content, of each file modified within {@link RACY_MS}
   * of the listing: valid only while each still has that content, whatever its size and time.
   */
  racy: Record<string, string>;
  env: Record<string, string | null>;
}

/** Identity of the running sluice build: a rebuilt CLI never reuses an older compile. */
export function buildId(): string {
  const self = fileURLToPath(import.meta.url);
  const s = statSync(self);
  return `${self}:${s.size}:${s.mtimeMs}`;
}

/** A project listing's hash and the latest file modification time it saw. */
interface Listing {
  hash: string;
  newest: number;
  /** Date.now() before the first stat. */
  taken: number;
  /**
   * The content hash of each file modified within {@link RACY_MS} of `taken` (see
   * {@link Header.racy}); undefined when there were more than {@link RACY_MAX}.
   */
  racy: Record<string, string> | undefined;
  /** What was listed, folder by folder: sluice.yml (folder ""), then `folders` in order. */
  folders: FolderListing[];
}

/**
 * The listings one command took, by project folder and folders listed. A command lists the
 * project up to three times (its replay check, the cache check, the cache write after a
 * compile); at 10,000 files each is 10,000 stats. Reusing the first listing for the cache write
 * is safe: a file that changed after it was taken makes the saved listing differ from the next
 * command's, which then compiles again (a miss, never a stale hit), and the racy check still
 * sees the newest time of the files listed.
 */
export type Listings = Map<string, Listing>;

const invocations = new WeakMap<object, Listings>();

/**
 * The listings bin/sluice.js's replay gate (replay-gate.ts) took before the CLI loaded: the
 * first invocation of this process is the one the gate checked (the same argv), and starts from
 * them. At 10,000 models a listing is 10,000 stats: a compile after an edit listed twice.
 */
export const gateListings: Listings = new Map();

/**
 * The listings of the command whose parsed arguments are `args` (one object per invocation:
 * another invocation, even in the same process, lists afresh; the first starts from the
 * {@link gateListings}).
 */
export function invocationListings(args: object): Listings {
  let listings = invocations.get(args);
  if (listings === undefined) {
    invocations.set(args, (listings = new Map(gateListings)));
    gateListings.clear();
  }
  return listings;
}

const listingKey = (dir: string, folders: readonly string[]): string =>
  JSON.stringify([dir, folders]);

/**
 * {@link snapshot}, taken once per `listings`. `fromFolders`: only for bin/sluice.js's replay gate
 * (see {@link withFolderStats}).
 */
function listing(
  dir: string,
  folders: readonly string[],
  listings?: Listings,
  fromFolders = false,
): Listing {
  const key = listingKey(dir, folders);
  const seen = listings?.get(key);
  if (seen !== undefined) return seen;
  const taken = fromFolders
    ? withFolderStats((fromFolder) => snapshot(dir, folders, fromFolder))
    : snapshot(dir, folders, false);
  listings?.set(key, taken);
  return taken;
}

/**
 * Hash of the listings of `folders` (project-relative) and of sluice.yml; `newest` is the latest
 * mtime seen. `fromFolder`: see {@link folderStats}.
 */
function snapshot(dir: string, folders: readonly string[], fromFolder: boolean): Listing {
  // At 10,000 models this runs on every command, most of a no-change compile's own work. Per
  // folder the hash takes its names, joined, and their stats as numbers: no text per file, no
  // path.join per file (per-file lines and their number-to-text conversions were ~15 % of it).
  // Names cannot hold "\0" or "/", and each group starts with its name count: injective.
  const hash = createHash("sha1");
  let newest = 0;
  const taken = Date.now();
  const racy: [string, string][] = [];
  const listed: FolderListing[] = [];
  // Files by size and mtime; folders by their listing only (a copy that keeps file times but
  // not folder times is still the same project).
  const group = (folder: string, base: string, names: readonly string[]): void => {
    const numbers = folderStats(base, names, fromFolder);
    for (let i = 0; i < names.length; i++) {
      if (numbers[2 * i]! < 0) continue;
      const mtime = numbers[2 * i + 1]!;
      if (mtime > newest) newest = mtime;
      if (mtime >= taken - RACY_MS)
        racy.push([folder ? `${folder}/${names[i]}` : names[i]!, `${base}${path.sep}${names[i]}`]);
    }
    hash.update(`${names.length}\0${folder}\0${names.join("\0")}\0`).update(numbers);
    listed.push({ folder, names, numbers });
  };
  group("", dir, ["sluice.yml"]);
  for (const folder of folders) {
    const base = path.join(dir, folder);
    let names: string[];
    try {
      names = readdirSync(base).sort();
    } catch {
      hash.update(`${MISSING}\0${folder}\0`);
      listed.push({ folder, names: [], numbers: [], missing: true });
      continue;
    }
    group(folder, base, names);
  }
  return {
    hash: hash.digest("hex"),
    newest,
    taken,
    racy: racy.length > RACY_MAX ? undefined : contentHashes(racy),
    folders: listed,
  };
}

/** `rel` → sha1 of the content of `abs` ("missing" when unreadable), for each `[rel, abs]`. */
function contentHashes(files: readonly (readonly [string, string])[]): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const [rel, abs] of files) {
    let content: Buffer | undefined;
    try {
      content = readFileSync(abs);
    } catch {
      // Gone or unreadable since its stat: a hash no file content has.
    }
    hashes[rel] = content ? createHash("sha1").update(content).digest("hex") : "missing";
  }
  return hashes;
}

/** Whether each racy file of a header still has the content it was saved with. */
function sameContent(dir: string, racy: Record<string, string>): boolean {
  const files = Object.keys(racy).map((rel) => [rel, path.join(dir, rel)] as const);
  const now = contentHashes(files);
  return files.every(([rel]) => now[rel] === racy[rel]);
}

/**
 * The name under which a compile's read of dbt's `flags.<name>` is recorded with the environment
 * variables it read: a compile that read one is reused only by an invocation with the same value
 * (`WHICH`: the command; `FULL_REFRESH`, `STORE_FAILURES`: "true" or "false").
 */
export const flagVar = (name: string): string => `flags.${name}`;
const invocationFlags: Record<string, string> = {};

/**
 * The command this process runs, as dbt's `flags.WHICH` names it (`ls` is `list`), and its
 * `--full-refresh` / `--store-failures` flags.
 */
export function setInvocationCommand(
  command: string,
  flags: { fullRefresh?: boolean; storeFailures?: boolean } = {},
): void {
  invocationFlags[flagVar("WHICH")] = command === "ls" ? "list" : command;
  invocationFlags[flagVar("FULL_REFRESH")] = String(flags.fullRefresh === true);
  invocationFlags[flagVar("STORE_FAILURES")] = String(flags.storeFailures === true);
}
// Until a command says otherwise: dbt's defaults.
setInvocationCommand("run");

/**
 * The invocation's start, what templates read as `run_started_at` and `modules.datetime`'s
 * now()/today() (the flag `RUN_STARTED_AT`). Set once, by the first caller (the project context,
 * with the time its run id names): a compile whose templates read it records the value, so the
 * next invocation renders them again rather than replaying an old time.
 */
export function setInvocationStart(at: Date): void {
  invocationFlags[flagVar("RUN_STARTED_AT")] ??= at.toISOString();
}

/** The environment a compile reads: the process's, and the invocation flags (see {@link flagVar}). */
export function invocationEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ...invocationFlags };
}

const envOf = (names: readonly string[]): Record<string, string | null> =>
  Object.fromEntries(
    names.map((n) => [
      n,
      (Object.hasOwn(invocationFlags, n) ? invocationFlags[n] : process.env[n]) ?? null,
    ]),
  );

/** The first line of `file` (without reading the rest: the context can be tens of MB). */
function firstLine(file: string): string {
  const fd = openSync(file, "r");
  try {
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      const newline = chunk.subarray(0, read).indexOf(10);
      if (newline >= 0 || read === 0) {
        chunks.push(chunk.subarray(0, newline >= 0 ? newline : read));
        return Buffer.concat(chunks).toString("utf8");
      }
      chunks.push(chunk.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The header line of `target/partial_parse.json` when the cache it heads is still valid for
 * `request`, without reading the context after it. Equal valid headers: equal contexts.
 * `fromFolders`: list with the working directory in each folder (see {@link withFolderStats}):
 * only for bin/sluice.js's replay gate.
 */
export function validCacheHeader(
  targetDir: string,
  request: CacheRequest,
  listings?: Listings,
  fromFolders = false,
): string | undefined {
  const read = readHeader(targetDir);
  if (read === undefined) return undefined;
  // Listed first, whatever else differs: a compile on a miss saves this listing, taken before
  // it loaded the project (see writeCachedContext).
  const snap = listing(request.dir, read.header.folders, listings, fromFolders);
  if (!sameInputs(read.header, request)) return undefined;
  if (snap.hash !== read.header.snapshot) return undefined;
  if (!sameContent(request.dir, read.header.racy)) return undefined;
  return read.line;
}

/**
 * The folders of the listing `listings` holds of `dir` and `folders` (the one a
 * {@link writeCachedContext} with the same `listings` saved), undefined when it holds none.
 */
export const listedFolders = (
  dir: string,
  folders: readonly string[],
  listings: Listings,
): FolderListing[] | undefined => listings.get(listingKey(dir, folders))?.folders;

/** The files a `partial_parse.json` header line's listing saw as racy (see {@link Header.racy}). */
export const headerRacy = (line: string): string[] =>
  Object.keys((JSON.parse(line) as Header).racy);

/** The header line of `target/partial_parse.json` and its parse, when of this format. */
function readHeader(targetDir: string): { line: string; header: Header } | undefined {
  try {
    const line = firstLine(cacheFilePath(targetDir));
    const header = JSON.parse(line) as Header;
    return header.format === CACHE_FORMAT ? { line, header } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a header was saved by this build, for this request and these environment values. */
const sameInputs = (header: Header, request: CacheRequest): boolean =>
  header.build === buildId() &&
  JSON.stringify(header.request) === JSON.stringify(request) &&
  JSON.stringify(envOf(Object.keys(header.env))) === JSON.stringify(header.env);

/**
 * The header line of `target/partial_parse.json` when the cache it heads was saved by this build
 * for `request` and the environment values it read, whatever its listing says; with the listing
 * of the same folders now (taken once per `listings`), the files the header's listing saw as
 * racy (see {@link Header.racy}), and the folders listed. What an edit of the project files can
 * make stale is then only the listing: see sql-edits.ts.
 */
export function listingNow(
  targetDir: string,
  request: CacheRequest,
  listings?: Listings,
): { line: string; racy: string[]; now: FolderListing[] } | undefined {
  const read = readHeader(targetDir);
  if (read === undefined || !sameInputs(read.header, request)) return undefined;
  const snap = listing(request.dir, read.header.folders, listings);
  return { line: read.line, racy: headerRacy(read.line), now: snap.folders };
}

/**
 * The cached context (JSON text with the placeholder run id), when it is still valid, and the
 * header line it was saved under (see {@link validCacheHeader}); `bytes`, the context as
 * {@link cachedContextBytes} reads it: its first line decoded, the model properties kept as
 * bytes (see context-text.ts' `lazyContext`). The whole text is decoded when first read.
 */
export function readCachedContext(
  targetDir: string,
  request: CacheRequest,
  listings?: Listings,
): { readonly context: string; header: string; bytes?: ContextBytes } | undefined {
  const line = validCacheHeader(targetDir, request, listings);
  if (line === undefined) return undefined;
  // Replaced by another process since the header was read: not the context that was checked.
  const bytes = cachedContextBytes(targetDir, line);
  if (bytes === undefined) return undefined;
  let text: string | undefined;
  return {
    // `rest` starts with the first line's newline.
    get context() {
      return (text ??= bytes.head + utf8Text(bytes.rest));
    },
    header: line,
    bytes,
  };
}

/**
 * Save a compile, with the listing of its project files.
 * When that listing was taken before the load started (by the cache check or the replay gate:
 * it is in `listings` when this is called),
 * a file changed after it differs in size or time from it, or, if it was racy then, in content
 * from the hash taken with it: the next command compiles again. A listing taken after the load
 * started holds no proof of what the load read: the save is skipped when a file changed less
 * than {@link RACY_MS} before `loadStartedMs` or after it, as it is when the listing saw more
 * than {@link RACY_MAX} racy files.
 * `listings`: reuse the listing the cache check took (see {@link Listings}).
 * `context` is asked for only when the cache is written: at 10,000 models it is a 47 MB text,
 * best given as pieces (see json-pieces.ts).
 * Returns the header line written (undefined when skipped or not writable).
 */
export function writeCachedContext(
  targetDir: string,
  request: CacheRequest,
  folders: readonly string[],
  envNames: readonly string[],
  context: () => string | Iterable<string>,
  loadStartedMs: number,
  listings?: Listings,
): string | undefined {
  // Taken before the load when the cache check or the replay gate left it in `listings` (both
  // run before any load); one this call takes is after the load, whatever the clock says.
  const beforeLoad = listings?.has(listingKey(request.dir, folders)) === true;
  const snap = listing(request.dir, folders, listings);
  const racy = beforeLoad ? snap.racy : undefined;
  if (racy === undefined && snap.newest >= loadStartedMs - RACY_MS) return undefined;
  const header: Header = {
    format: CACHE_FORMAT,
    build: buildId(),
    request,
    folders: [...folders],
    snapshot: snap.hash,
    racy: racy ?? {},
    env: envOf(envNames),
  };
  try {
    mkdirSync(targetDir, { recursive: true });
    const line = JSON.stringify(header);
    writeHeadedFile(cacheFilePath(targetDir), line, context());
    return line;
  } catch {
    // A read-only project still works, only without the cache.
    return undefined;
  }
}

/**
 * The context of `target/partial_parse.json` when its header line is still `line` (whatever its
 * listing says now): its first line decoded, the rest as UTF-8 bytes (see context-text.ts);
 * undefined when replaced, unreadable or without a second line. What the fast path after an edit
 * of model SQL literals starts from (see sql-edit-compile.ts): it decodes only what it reads
 * (context-text.ts' `lazyContext`). The first line is read through the runner's reused buffer.
 */
export function cachedContextBytes(targetDir: string, line: string): ContextBytes | undefined {
  try {
    const read = readUtf8Lines(cacheFilePath(targetDir), 2);
    if (read === undefined) return undefined;
    const newline = read.text.indexOf("\n");
    if (read.text.slice(0, newline) !== line) return undefined;
    return { head: read.text.slice(newline + 1), rest: read.rest };
  } catch {
    return undefined;
  }
}

/**
 * Save `context` (what {@link cachedContextBytes} read under the header `line`) again after a
 * compile that changed only some model files' text (#14's fast path): under the header
 * {@link writeCachedContext} writes for the listing `listings` holds now (taken before the
 * compile), with each model's `text` replaced in the context's models' line and each compile
 * memo segment `renamed` (old name, new name) renamed in the nodes' places (see memo-refs.ts)
 * in its first line (see context-text.ts; the model properties after them are written back as
 * the same bytes). Returns the header line, the
 * context written (what {@link readCachedContext} would read back; decoded when asked), and how
 * many places were renamed;
 * undefined (nothing written) when the listing saw too many racy files, the context has no
 * second line, a model's text is not found exactly once, or the file cannot be written.
 */
export function spliceCachedContext(
  targetDir: string,
  request: CacheRequest,
  line: string,
  context: ContextBytes,
  models: readonly { path: string; absPath: string; text: string }[],
  renamed: ReadonlyMap<string, string>,
  listings: Listings,
): { header: string; context: () => string; places: number } | undefined {
  const header = JSON.parse(line) as Header;
  const snap = listing(request.dir, header.folders, listings);
  if (snap.racy === undefined) return undefined;
  // The models' line as pieces: slices of the one decoded text (no copy) around the new texts,
  // never joined (at 10,000 models it is 4.7 MB: each edit made a copy of it).
  const { head, rest } = context;
  // `rest` starts with the first line's newline; the models' line runs to the next one.
  const second = rest.indexOf(10, 1);
  if (second <= 0) return undefined;
  const modelsLine = utf8Text(rest.subarray(1, second));
  const edits: [start: number, end: number, text: string][] = [];
  for (const m of models) {
    const key = `{"path":${JSON.stringify(m.path)},"absPath":${JSON.stringify(m.absPath)},"text":`;
    const at = modelsLine.indexOf(key);
    if (at < 0 || modelsLine.indexOf(key, at + 1) >= 0) return undefined;
    const start = at + key.length;
    const end = jsonStringEnd(modelsLine, start);
    if (end === undefined) return undefined;
    edits.push([start, end, JSON.stringify(m.text)]);
  }
  const modelPieces: string[] = [];
  let from = 0;
  for (const [start, end, text] of edits.sort(([a], [b]) => a - b)) {
    if (start < from) return undefined;
    modelPieces.push(modelsLine.slice(from, start), text);
    from = end;
  }
  modelPieces.push(modelsLine.slice(from));
  // The first line (the nodes' places) as pieces too: each segment renamed made a copy of it.
  let pieces: string[] = [head];
  let places = 0;
  for (const [was, now] of renamed) {
    const done = replacedIn(pieces, `"memo:${was}:`, `"memo:${now}:`);
    pieces = done.pieces;
    places += done.count;
  }
  const next = JSON.stringify({ ...header, snapshot: snap.hash, racy: snap.racy });
  try {
    const after = rest.subarray(second);
    writeHeadedFile(cacheFilePath(targetDir), next, [...pieces, "\n", ...modelPieces, after]);
    return {
      header: next,
      context: () => `${pieces.join("")}\n${modelPieces.join("")}${utf8Text(after)}`,
      places,
    };
  } catch {
    return undefined;
  }
}

/**
 * `pieces` (a text in order) with every `was` replaced by `now`, as `split(was).join(now)` of
 * their text replaces them, and how many; a piece's text around them kept as slices of it. No
 * `was` crosses two pieces here: the context's first line is one piece, and each renamed
 * segment cuts pieces only where one `was` was.
 */
function replacedIn(
  pieces: readonly string[],
  was: string,
  now: string,
): { pieces: string[]; count: number } {
  const out: string[] = [];
  let count = 0;
  for (const piece of pieces) {
    let from = 0;
    for (let at = piece.indexOf(was); at >= 0; at = piece.indexOf(was, from)) {
      out.push(piece.slice(from, at), now);
      from = at + was.length;
      count += 1;
    }
    out.push(from === 0 ? piece : piece.slice(from));
  }
  return { pieces: out, count };
}

/** The offset after the JSON string that starts at `start` (its `"`); undefined if none does. */
function jsonStringEnd(text: string, start: number): number | undefined {
  if (text[start] !== '"') return undefined;
  for (let i = start + 1; ;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return undefined;
    let slashes = 0;
    while (text[quote - 1 - slashes] === "\\") slashes++;
    if (slashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** Put this run's id where the cached compile has the placeholder. */
export function withRunId(context: string, runId: string): string {
  if (runId === RUN_ID_PLACEHOLDER) return context;
  return context
    .replaceAll(RUN_ID_PLACEHOLDER, runId)
    .replaceAll(RUN_ID_PLACEHOLDER.toLowerCase(), runId.toLowerCase());
}

/** An env object that records which variables were read. */
export function recordingEnv(env: NodeJS.ProcessEnv): {
  env: Record<string, string | undefined>;
  read: Set<string>;
} {
  const read = new Set<string>();
  const proxy = new Proxy(env, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.get(target, key);
    },
    has(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.has(target, key);
    },
  });
  return { env: proxy, read };
}
