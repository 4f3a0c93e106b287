import { StatementType, type DuckDBConnection } from "@duckdb/node-api";
import { checkReadOnlyQuery, duckdbGlobLiteral, duckdbLiteral } from "@sluice/dialects";

/**
 * Settings of a connection that only reads: files only inside the lake (and the snapshot's
 * folder), no extension installed or loaded, and no way to change that back. COPY into the
 * lake is still possible for DuckDB (the lake must stay readable), which is why
 * {@link writeRefusal} checks every statement too.
 */
export function readOnlySettings(allowedDirs: readonly string[]): string[] {
  // A table's view reads its files through a glob, where a folder named `shop [old]` is written
  // `shop [[]old]` (duckdbGlobLiteral), and DuckDB checks the pattern's text: both forms.
  const forms = allowedDirs.flatMap((d) => {
    const dir = `${d.replace(/\/+$/, "")}/`;
    const glob = duckdbGlobLiteral(dir);
    return glob === dir ? [dir] : [dir, glob];
  });
  const dirs = forms.map((d) => duckdbLiteral(d)).join(", ");
  return [
    `SET allowed_directories = [${dirs}]`,
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET lock_configuration = true",
  ];
}

/** How every refusal starts (the CLI tells a refusal from a failed query by it). */
export const REFUSED = "refused, this connection only reads";

const readingTypes = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

/**
 * Why `sql` may not run on a reading connection, or undefined when it only reads: the text
 * check, then DuckDB's own parser (one statement, of a reading type). Preparing binds but
 * does not run the statement.
 */
export async function writeRefusal(
  connection: DuckDBConnection,
  sql: string,
): Promise<string | undefined> {
  const problem = checkReadOnlyQuery(sql);
  if (problem) return `${REFUSED}: ${problem.message}`;
  let extracted;
  try {
    extracted = await connection.extractStatements(sql);
  } catch {
    return undefined; // a syntax error: running it reports it
  }
  if (extracted.count !== 1) return `${REFUSED}: ${extracted.count} statements`;
  const prepared = await extracted.prepare(0).catch(() => undefined);
  if (!prepared) return undefined; // a bind error: running it reports it
  const type = prepared.statementType;
  prepared.destroySync();
  if (readingTypes.has(type)) return undefined;
  return `${REFUSED}: a ${StatementType[type]} statement`;
}
