import path from "node:path";
import type { ColumnInfo } from "@sluice/engines";
import type { CommandSpec, Io } from "../command.js";
import { ExitCode } from "../command.js";
import { rowPrinter } from "../output/row-printer.js";
import { counted } from "../output/words.js";
import { formatOption } from "./shared-options.js";
import { commandHeads } from "./command-heads.js";
import { openCommandEngine } from "../command-engine.js";
import { unreachable } from "../unreachable-target.js";

interface QueryArgs {
  sql: string;
  format: "table" | "json" | "csv";
  limit: number;
}

/** `sluice query "<sql>"`: run SQL on the target (local: the lake catalog, read-only). */
export const queryCommand: CommandSpec<QueryArgs> = {
  ...commandHeads.query,
  positional: {
    sql: {
      describe: "The query, in the target's SQL (Athena/Trino SQL works locally too)",
      type: "string",
      demandOption: true,
    },
  },
  options: {
    format: formatOption(["table", "json", "csv"]),
    limit: {
      type: "number",
      default: 1000,
      describe: "Print at most this many rows in table format",
    },
  },
  numbers: { limit: { min: 0, integer: true } },
  examples: [['$0 query "select * from marts.funnel" --format json', "the funnel mart as JSON"]],
  handler: async (args, io) => {
    // Refused before anything is opened; the engine refuses writes again on its own.
    const { checkReadOnlyQuery, strictIntegerCasts } = await import("@sluice/dialects");
    if (typeof args.sql !== "string") {
      const hint = "one that starts with '--' is read as an option: sluice query -- \"<sql>\"";
      io.err(`no query given (${hint})`);
      return ExitCode.usage;
    }
    const refused = checkReadOnlyQuery(args.sql);
    if (refused) {
      io.err(`query refused: ${refused.message} (sluice query only reads; build and run write)`);
      return ExitCode.usage;
    }
    const { loadProjectContext } = await import("../project-context.js");
    const ctx = await loadProjectContext(args, io);
    if (!ctx) return ExitCode.usage;
    const { QueryError } = await import("@sluice/engines");
    // A snapshot of the local catalog: a query never holds a lock a build would wait on.
    const options = { readOnly: true, snapshot: true };
    const engine = await openCommandEngine(io, ctx.target, ctx.project.dir, options);
    // Rows converted and printed batch by batch where the engine hands them so (the local
    // lake): a result of millions of rows is never held as JS objects; Athena's pages are read
    // through execute.
    const printer = rowPrinter(args.format, io, args.limit);
    let warned = false;
    const add: typeof printer.add = (columns, batch) => {
      if (!warned) warnRenamed(columns, io);
      warned = true;
      printer.add(columns, batch);
    };
    // The project's SQL as its models mean it: on a lake running Trino SQL, casts fail as Trino's
    // (cast('1.5' as bigint) is an error, not 2).
    const { dialect } = ctx;
    const sql =
      dialect.family === "lake" && dialect.capabilities.modelSql === "trino"
        ? strictIntegerCasts(args.sql)
        : args.sql;
    try {
      const execute = { label: "query", ...(io.signal ? { signal: io.signal } : {}) };
      if (engine.executeInBatches) {
        const done = await engine.executeInBatches(sql, add, execute);
        printer.end(done.rowCount, done.stats.elapsedMs);
      } else {
        const result = await engine.execute(sql, execute);
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
        io.err(`query stopped: ${why} before it finished; ${printed}`);
        return ExitCode.interrupted;
      }
      if (!(err instanceof QueryError)) throw err;
      // Never ran: the target's setup, not the query, is what to fix.
      const away = unreachable(err);
      if (away !== undefined) {
        io.err(`query failed: target '${ctx.targetName}' cannot be reached: ${away}`);
        io.err(
          `  hint: sluice debug --target ${ctx.targetName} checks the credentials, region, workgroup and databases`,
        );
        return ExitCode.usage;
      }
      io.err(`query failed: ${err.details.engineMessage}`);
      const lake =
        "lake" in ctx.target ? path.resolve(ctx.project.dir, ctx.target.lake) : undefined;
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
    } finally {
      await engine.close();
    }
  },
};

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
