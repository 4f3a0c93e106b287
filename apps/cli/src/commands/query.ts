import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import { formatOption } from "./shared-options.js";
import { commandHeads } from "./command-heads.js";
import { openCommandEngine } from "../command-engine.js";

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
    const { checkReadOnlyQuery } = await import("@sluice/dialects");
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
    // A snapshot of the local catalog: a query never holds a lock a build would wait on.
    const options = { readOnly: true, snapshot: true };
    const engine = await openCommandEngine(io, ctx.target, ctx.project.dir, options);
    const { printQuery } = await import("../query-output.js");
    try {
      const { format, limit } = args;
      return await printQuery(ctx, engine, args.sql, { format, limit, label: "query" }, io);
    } finally {
      await engine.close();
    }
  },
};
