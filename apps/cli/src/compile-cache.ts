import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Partial parsing, as dbt calls it: the loaded and compiled project is kept in
 * `target/partial_parse.json` and reused while nothing it was built from changed: the same
 * sluice build, the same command-line inputs, the same values of the environment variables the
 * templates read, and the same listing (names, sizes, modification times) of every folder the
 * loader scanned and of sluice.yml. Loading and compiling is ~100 ms of every command; a hit
 * costs a few stats and one JSON parse.
 */

/** Written into the cached compile where the run id goes; the same shape as a real one. */
export const RUN_ID_PLACEHOLDER = "19700101T000000Z_cafe";

const CACHE_FILE = "partial_parse.json";
/** Files modified this recently are not trusted to a snapshot (as git treats "racily clean" files). */
const RACY_MS = 2000;
const FORMAT = 1;

/** What else, besides the project's files, decides the compile output. */
export interface CacheRequest {
  /** The absolute project folder: compiled SQL holds absolute lake paths, so a moved project recompiles. */
  dir: string;
  target: string | null;
  vars: string | null;
  storeFailures: boolean;
  dqRules: boolean;
}

interface Entry {
  format: number;
  build: string;
  request: CacheRequest;
  folders: string[];
  snapshot: string;
  env: Record<string, string | null>;
  /** The cached context as JSON text, with {@link RUN_ID_PLACEHOLDER} for the run id. */
  context: string;
}

/** Identity of the running sluice build: a rebuilt CLI never reuses an older compile. */
function buildId(): string {
  const self = fileURLToPath(import.meta.url);
  const s = statSync(self);
  return `${self}:${s.size}:${s.mtimeMs}`;
}

/** Hash of the listings of `folders` (project-relative) and of sluice.yml; `newest` is the latest mtime seen. */
function snapshot(dir: string, folders: readonly string[]): { hash: string; newest: number } {
  const hash = createHash("sha1");
  let newest = 0;
  // Files by size and mtime; folders by their listing only (a copy that keeps file times but
  // not folder times is still the same project).
  const line = (rel: string, abs: string): void => {
    try {
      const s = statSync(abs);
      if (s.isDirectory()) return void hash.update(`${rel}\td\n`);
      newest = Math.max(newest, s.mtimeMs);
      hash.update(`${rel}\tf\t${s.size}\t${s.mtimeMs}\n`);
    } catch {
      hash.update(`${rel}\tmissing\n`);
    }
  };
  line("sluice.yml", path.join(dir, "sluice.yml"));
  for (const folder of folders) {
    let names: string[];
    try {
      names = readdirSync(path.join(dir, folder)).sort();
    } catch {
      hash.update(`${folder}/\tmissing\n`);
      continue;
    }
    hash.update(`${folder}/\td\n`);
    for (const name of names) line(`${folder}/${name}`, path.join(dir, folder, name));
  }
  return { hash: hash.digest("hex"), newest };
}

const envOf = (names: readonly string[]): Record<string, string | null> =>
  Object.fromEntries(names.map((n) => [n, process.env[n] ?? null]));

/** The cached context (JSON text with the placeholder run id), when it is still valid. */
export function readCachedContext(targetDir: string, request: CacheRequest): string | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(path.join(targetDir, CACHE_FILE), "utf8")) as Entry;
  } catch {
    return undefined;
  }
  if (entry.format !== FORMAT || entry.build !== buildId()) return undefined;
  if (JSON.stringify(entry.request) !== JSON.stringify(request)) return undefined;
  if (JSON.stringify(envOf(Object.keys(entry.env))) !== JSON.stringify(entry.env)) return undefined;
  if (snapshot(request.dir, entry.folders).hash !== entry.snapshot) return undefined;
  return entry.context;
}

/**
 * Save a compile. Skipped when a file changed less than {@link RACY_MS} before `loadStartedMs`
 * or after it (it may have changed while it was read, or change again within the file system's
 * timestamp granularity): the next run compiles again rather than trust a racy snapshot.
 */
export function writeCachedContext(
  targetDir: string,
  request: CacheRequest,
  folders: readonly string[],
  envNames: readonly string[],
  context: string,
  loadStartedMs: number,
): void {
  const snap = snapshot(request.dir, folders);
  if (snap.newest >= loadStartedMs - RACY_MS) return;
  const entry: Entry = { format: FORMAT, build: buildId(), request, folders: [...folders], snapshot: snap.hash, env: envOf(envNames), context };
  try {
    mkdirSync(targetDir, { recursive: true });
    const tmp = path.join(targetDir, `${CACHE_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(entry));
    renameSync(tmp, path.join(targetDir, CACHE_FILE));
  } catch {
    // A read-only project still works, only without the cache.
  }
}

/** Put this run's id where the cached compile has the placeholder. */
export function withRunId(context: string, runId: string): string {
  return context.replaceAll(RUN_ID_PLACEHOLDER, runId).replaceAll(RUN_ID_PLACEHOLDER.toLowerCase(), runId.toLowerCase());
}

/** An env object that records which variables were read. */
export function recordingEnv(env: NodeJS.ProcessEnv): { env: Record<string, string | undefined>; read: Set<string> } {
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
