import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import parser from "dt-sql-parser/package.json" with { type: "json" };
import { TRINO_FUNCTIONS } from "@sluice/dialects";
import type { AsyncGrammarCheck, GrammarCheck, GrammarError } from "./athena-syntax.js";
import { writeFileAtomicSync } from "@sluice/runner/atomic-file";

/** What the check finds, by version: 2 added the calls of functions Trino lacks, 3 the columns Trino would not create. */
const CHECK_VERSION = 3;

/** The functions the check knows: an answer kept under another list is not this check's. */
const FUNCTIONS_DIGEST = createHash("sha1")
  .update([...TRINO_FUNCTIONS].sort().join(","))
  .digest("hex")
  .slice(0, 8);

/**
 * sluice's cache folder: `$SLUICE_CACHE_DIR`, else `$XDG_CACHE_HOME/sluice`, else
 * `~/.cache/sluice`. Anything in it can be deleted at any time.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env["SLUICE_CACHE_DIR"]) return path.resolve(env["SLUICE_CACHE_DIR"]);
  const base = env["XDG_CACHE_HOME"] || path.join(os.homedir(), ".cache");
  return path.join(path.resolve(base), "sluice");
}

/**
 * Results of the Athena grammar check by statement, shared by every project of the user: the
 * ANTLR parsers cost ~0.5 s of CPU to load and 2-4 s to warm up on a first check, and a copy of a
 * project (a new clone, a CI checkout with a cached home, each end-to-end test's temp copy)
 * compiles to the same statements. Content-addressed: one file per statement, named by the hash
 * of the parser's version, the grammar and the statement (the run id in table locations masked
 * with as many `x`, a string literal's content, so positions and syntax stay the same), written
 * whole by a rename, so concurrent runs share it safely. A folder that cannot be written is
 * used read-only, or not at all; the check itself never depends on it.
 *
 * @example
 * const check = new GrammarCache(userCacheDir(), runId).check(loadAthenaGrammars);
 * await check("select 1", "trino"); // [] (parsed once, then read from the cache)
 */
export class GrammarCache {
  private readonly dir: string;

  constructor(
    cacheDir: string,
    private readonly runId: string,
  ) {
    this.dir = path.join(
      cacheDir,
      "athena-syntax",
      `dt-sql-parser-${parser.version}-check-${CHECK_VERSION}-${FUNCTIONS_DIGEST}`,
    );
  }

  /** A check that answers from the cache, loading the grammars on the first miss. */
  check(load: () => Promise<GrammarCheck>): AsyncGrammarCheck {
    let parse: Promise<GrammarCheck> | undefined;
    return async (sql, grammar) => {
      const masked = sql.replaceAll(this.runId, "x".repeat(this.runId.length));
      const file = path.join(
        this.dir,
        `${createHash("sha256").update(`${grammar}\n${masked}`).digest("hex")}.json`,
      );
      const cached = this.read(file);
      if (cached) return cached;
      const errors = (await (parse ??= load()))(masked, grammar);
      this.write(file, errors);
      return errors;
    };
  }

  private read(file: string): GrammarError[] | undefined {
    try {
      const value: unknown = JSON.parse(readFileSync(file, "utf8"));
      return Array.isArray(value) ? (value as GrammarError[]) : undefined;
    } catch {
      return undefined;
    }
  }

  private write(file: string, errors: GrammarError[]): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileAtomicSync(file, JSON.stringify(errors));
    } catch {
      // A read-only or full cache folder: the next check parses again.
    }
  }
}
