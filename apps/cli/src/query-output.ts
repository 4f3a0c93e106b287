import path from "node:path";
import type { ColumnInfo, Engine } from "@sluice/engines";
import { QueryError } from "@sluice/engines";
import type { Io } from "./command.js";
import { ExitCode } from "./command.js";
import { rowPrinter } from "./output/row-printer.js";
import { counted } from "./output/words.js";
import type { ProjectContext } from "./project-context.js";
import { unreachable } from "./unreachable-target.js";

/** How {@link printQuery} prints: the format, the table's row limit, the word its errors start with. */
export interface PrintQueryOptions {
  format: "table" | "json" | "csv";
  /** Rows the table format shows (the rest are counted). */
  limit: number;
  /** `query` or `show`: the label of the statement, and of its errors (`query failed: ...`). */
  label: string;
}

/**
 * Run one reading statement of `sql` (the project's SQL, as the target runs it: see
 * `Dialect.querySql`) on `engine` and print its rows as `sluice query` does: batch by batch where the
 * engine hands them so (the local lake: a result of millions of rows is never held as JS
 * objects; Athena's pages are read through execute). A failure is printed with what to do: the
 * target unreachable (exit 2), a damaged table file (the rebuild that mends it), Ctrl-C or
 * --timeout (how much was printed). The caller closes the engine.
 */
export async function printQuery(
  ctx: ProjectContext,
  engine: Engine,
  sql: string,
  options: PrintQueryOptions,
  io: Io,
): Promise<number> {
  const { label } = options;
  const printer = rowPrinter(options.format, io, options.limit);
  let warned = false;
  const add: typeof printer.add = (columns, batch) => {
    if (!warned) warnRenamed(columns, io);
    warned = true;
    printer.add(columns, batch);
  };
  // The project's SQL as its models mean it (cast('1.5' as bigint) fails on a Trino-SQL lake).
  const text = ctx.dialect.querySql(sql);
  try {
    const execute = { label, ...(io.signal ? { signal: io.signal } : {}) };
    if (engine.executeInBatches) {
      const done = await engine.executeInBatches(text, add, execute);
      printer.end(done.rowCount, done.stats.elapsedMs);
    } else {
      const result = await engine.execute(text, execute);
      add(result.columns, { rowCount: result.rows.length, rows: () => result.rows });
      printer.end(result.rows.length, result.stats.elapsedMs);
    }
    return ExitCode.ok;
  } catch (err) {
    if (io.signal?.aborted) {
      const why = (io.signal.reason as Error | undefined)?.message ?? "interrupted (Ctrl-C)";
      const printed =
        printer.printed === 0
          ? "nothing was printed"
          : `${counted(printer.printed, "row")} were printed (the output is incomplete)`;
      io.err(`${label} stopped: ${why} before it finished; ${printed}`);
      return ExitCode.interrupted;
    }
    if (!(err instanceof QueryError)) throw err;
    // Never ran: the target's setup, not the query, is what to fix.
    const away = unreachable(err);
    if (away !== undefined) {
      io.err(`${label} failed: target '${ctx.targetName}' cannot be reached: ${away}`);
      io.err(
        `  hint: sluice debug --target ${ctx.targetName} checks the credentials, region, workgroup and databases`,
      );
      return ExitCode.usage;
    }
    io.err(`${label} failed: ${err.details.engineMessage}`);
    const lake = "lake" in ctx.target ? path.resolve(ctx.project.dir, ctx.target.lake) : undefined;
    const damaged = lake && damagedTable(err.details.engineMessage, lake);
    // The node that builds it (its name can differ from the table's: an alias).
    const node =
      damaged &&
      ctx.compiled.nodes.find(
        (n) => n.kind !== "test" && `${n.relation.schema}.${n.relation.name}` === damaged,
      );
    if (damaged)
      io.err(
        `  hint: a data file of ${damaged} is damaged (cut short or overwritten): rebuild it and ` +
          `what is built from it with \`sluice build --full-refresh --select ${node ? node.name : damaged.split(".")[1]}+\``,
      );
    return /^refused\b/.test(err.details.engineMessage) ? ExitCode.usage : ExitCode.failed;
  }
}

/**
 * A result with two columns of one name prints the second as `a:1` (see uniqueColumns): said on
 * stderr, so a reader of the output knows where the name came from.
 */
function warnRenamed(columns: readonly ColumnInfo[], io: Io): void {
  const renamed = columns.filter((c) => c.sourceName !== undefined);
  if (renamed.length === 0) return;
  const shown = renamed.slice(0, 5).map((c) => `${c.name} (a second ${c.sourceName})`);
  if (renamed.length > 5) shown.push(`${renamed.length - 5} more`);
  io.err(
    `warning: the result names a column more than once; printed as ${shown.join(", ")}: give each column its own name (AS ...)`,
  );
}

/**
 * The table (`schema.table`) whose version's Parquet file DuckDB could not read as Parquet, when
 * `message` names one under the local lake `lake` (`<lake>/<schema>/<table>/v_<version>/...`).
 */
function damagedTable(message: string, lake: string): string | undefined {
  if (!/No magic bytes|Could not read enough bytes|not a valid parquet|Corrupt/i.test(message))
    return undefined;
  const at = message.indexOf(`${lake}/`);
  if (at < 0) return undefined;
  const [schema, table, version] = message.slice(at + lake.length + 1).split("/");
  return version?.startsWith("v_") ? `${schema}.${table}` : undefined;
}
