import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import Module, { createRequire } from "node:module";
import path from "node:path";
import { Script } from "node:vm";
import { writeFileAtomicSync } from "@sluice/runner/atomic-file";

/**
 * A V8 code cache for the CLI's CommonJS bundle, as Node 22's `module.enableCompileCache()` gives
 * (Node 20 has no such switch, and none for ES modules): the first run of a bundle file saves the
 * bytecode V8 compiled for it, later runs load it instead of parsing and compiling ~1 MB of
 * JavaScript again.
 *
 * The cache is written when the process exits, after the command ran, so it also holds the
 * functions V8 compiled lazily on the way (most of them); v8-compile-cache, the usual package for
 * this, produces its cache before the code runs, hashes every file on every start and keys its
 * store by the working directory when the entry point is an ES module. A cache file is named by
 * its source file's name, size and modification time, and V8 checks its own version and flags: a
 * rebuilt or edited bundle compiles afresh. Unwritable cache folders are skipped silently.
 *
 * The packages the bundle leaves external (CommonJS files under a `node_modules` folder: the AWS
 * SDK clients alone are ~1.5 MB that every Athena command compiles) are cached the same way, named
 * also by a hash of their path and text: many share a name (`index.js`), and an installer may
 * restore modification times, so an upgrade that keeps a file's size must still miss.
 *
 * Cached files cannot use `import()` (Node 20 loses a script's dynamic-import callback when it
 * comes from cached data): the bundle turns its dynamic imports of external packages into
 * `require` (rolldown's `dynamicImportInCjs: false`), and a package file whose text holds
 * `import(` compiles as Node would without the hook.
 */
export interface CodeCacheOptions {
  /** Files directly in this folder are cached (the bundle), and package files under `node_modules`. */
  sourceDir: string;
  /** Where cache files are kept (created on first save). */
  cacheDir: string;
  /**
   * Also cache package files under `node_modules` (default true); false caches the bundle only,
   * for tests/bench/code-cache.mjs to measure what they save.
   */
  packages?: boolean;
}

/** What the cache did in this process. */
export interface CodeCacheStats {
  /** Files compiled from their cached bytecode. */
  fromCache: number;
  /** Files compiled from source (no cache yet, or V8 rejected it). */
  compiled: number;
  rejected: number;
}

interface Loaded {
  script: Script;
  cacheFile: string;
  cached: boolean;
}

type CompileFn = (this: NodeModuleInstance, content: string, filename: string) => unknown;
interface NodeModuleInstance {
  exports: unknown;
  filename: string;
}
const moduleProto = (Module as unknown as { prototype: { _compile: CompileFn } }).prototype;
const wrap = (Module as unknown as { wrap: (content: string) => string }).wrap;

/**
 * Hook CommonJS compilation of `sourceDir`'s files. Returns a `save` that writes the cache of files
 * compiled from source (also run at process exit) and `stats`. One hook per process.
 */
export function installCodeCache(options: CodeCacheOptions): {
  save: () => void;
  stats: CodeCacheStats;
  uninstall: () => void;
} {
  const sourceDir = path.resolve(options.sourceDir);
  const stats: CodeCacheStats = { fromCache: 0, compiled: 0, rejected: 0 };
  const loaded: Loaded[] = [];
  const original = moduleProto._compile;

  moduleProto._compile = function compileWithCache(
    this: NodeModuleInstance,
    content: string,
    filename: string,
  ): unknown {
    const key = cacheKey(sourceDir, filename, content, options.packages ?? true);
    if (key === undefined) return original.call(this, content, filename);
    const { size, mtimeMs } = statSync(filename);
    const cacheFile = path.join(options.cacheDir, `${key}.${size}-${Math.trunc(mtimeMs)}.v8`);
    const cachedData = readOrUndefined(cacheFile);
    const script = new Script(wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    const cached = cachedData !== undefined && !script.cachedDataRejected;
    if (cached) stats.fromCache += 1;
    else stats.compiled += 1;
    if (cachedData !== undefined && script.cachedDataRejected) stats.rejected += 1;
    loaded.push({ script, cacheFile, cached });
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const require = createRequire(filename);
    return fn.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  };

  const save = (): void => {
    for (const entry of loaded) {
      if (entry.cached) continue;
      try {
        mkdirSync(options.cacheDir, { recursive: true });
        writeFileAtomicSync(entry.cacheFile, entry.script.createCachedData());
        entry.cached = true;
      } catch {
        // A read-only install runs without the cache.
      }
    }
  };
  process.once("exit", save);
  const uninstall = (): void => {
    moduleProto._compile = original;
    process.off("exit", save);
  };
  return { save, stats, uninstall };
}

/**
 * The name a file's cache goes by (before its size and time), or undefined for a file the cache
 * leaves alone: neither in `sourceDir` nor a package file, or a package file using `import()`.
 */
function cacheKey(
  sourceDir: string,
  filename: string,
  content: string,
  packages: boolean,
): string | undefined {
  if (path.dirname(filename) === sourceDir) return path.basename(filename);
  if (
    !packages ||
    !filename.includes(`${path.sep}node_modules${path.sep}`) ||
    /\bimport\s*\(/.test(content)
  )
    return undefined;
  // By text too: installers may restore a package file's modification time (tar, `cp -p`, caches),
  // and an upgraded file that kept its size must never load the old version's bytecode.
  const hash = createHash("sha1").update(filename).update("\0").update(content).digest("hex");
  return `${path.basename(filename)}.${hash.slice(0, 16)}`;
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
