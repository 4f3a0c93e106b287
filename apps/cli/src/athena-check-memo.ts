import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import parser from "dt-sql-parser/package.json" with { type: "json" };
import type { Diagnostic } from "@sluice/project";
import { writeFileAtomicSync } from "@sluice/runner/atomic-file";

const MEMO_FILE = "athena_check.json";
// 2: the findings include calls of functions Trino lacks (ATHENA_FUNCTION); 3: columns Trino
// would not create (ATHENA_COLUMNS).
const FORMAT = 3;

/** What the findings of one check were computed from (see {@link readAthenaCheckMemo}). */
export interface AthenaCheckKey {
  /** The partial-parse header the project context is cached under (`ProjectContext.cacheHeader`). */
  header: string;
  /** The selected node ids. */
  ids: readonly string[];
  /** This run's id: stored masked, so a finding that quotes it reads as this run's. */
  runId: string;
}

/** What a run id is stored as. */
const RUN_ID_MASK = "@@sluice-run-id@@";

interface Memo {
  format: number;
  parser: string;
  header: string;
  ids: string;
  /** The environment variables the Athena compile read, with their values then. */
  env: Record<string, string | null>;
  diagnostics: Diagnostic[];
}

const idsHash = (ids: readonly string[]): string =>
  createHash("sha1")
    .update([...ids].sort().join("\n"))
    .digest("hex");

const envOf = (names: readonly string[]): Record<string, string | null> =>
  Object.fromEntries([...names].sort().map((n) => [n, process.env[n] ?? null]));

/**
 * The Athena grammar check's findings on a non-Athena target, as the last run with the same key
 * found them (`target/athena_check.json`), or undefined. On a local target the check compiles the
 * whole project again for Athena, ~0.2 s of CPU on every build; its findings depend only on what
 * the partial-parse header covers (the project's files, the command-line inputs, the sluice
 * build), on the selection, on the parser's version and on the environment variables the Athena
 * compile read, so an equal key and equal values of those variables give the same findings.
 *
 * @example
 * readAthenaCheckMemo("models/target", { header: ctx.cacheHeader, ids }); // [] (no warning)
 */
export function readAthenaCheckMemo(
  targetDir: string,
  key: AthenaCheckKey,
): Diagnostic[] | undefined {
  let memo: Memo | null;
  try {
    memo = JSON.parse(readFileSync(path.join(targetDir, MEMO_FILE), "utf8")) as Memo | null;
  } catch {
    return undefined;
  }
  // Anything but the memo this writes (a file edited or damaged): checked again.
  if (typeof memo !== "object" || memo === null) return undefined;
  const same =
    typeof memo.env === "object" &&
    memo.env !== null &&
    memo.format === FORMAT &&
    memo.parser === parser.version &&
    memo.header === key.header &&
    memo.ids === idsHash(key.ids) &&
    JSON.stringify(envOf(Object.keys(memo.env))) === JSON.stringify(memo.env);
  if (!same || !Array.isArray(memo.diagnostics)) return undefined;
  return JSON.parse(
    JSON.stringify(memo.diagnostics).replaceAll(RUN_ID_MASK, key.runId),
  ) as Diagnostic[];
}

/**
 * Keep the findings of a check for the next run (see {@link readAthenaCheckMemo}); `envRead`:
 * the environment variables the Athena compile read. A target folder that cannot be written
 * keeps nothing: the next run checks again.
 */
export function writeAthenaCheckMemo(
  targetDir: string,
  key: AthenaCheckKey,
  envRead: readonly string[],
  diagnostics: readonly Diagnostic[],
): void {
  const memo: Memo = {
    format: FORMAT,
    parser: parser.version,
    header: key.header,
    ids: idsHash(key.ids),
    env: envOf(envRead),
    diagnostics: JSON.parse(
      JSON.stringify(diagnostics).replaceAll(key.runId, RUN_ID_MASK),
    ) as Diagnostic[],
  };
  try {
    mkdirSync(targetDir, { recursive: true });
    writeFileAtomicSync(path.join(targetDir, MEMO_FILE), JSON.stringify(memo));
  } catch {
    // A read-only project: checked again next time.
  }
}
