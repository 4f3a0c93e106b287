import type { CompiledNode } from "@sluice/compiler";
import type { CommandSpec, GlobalArgs, Io } from "../command.js";
import { ExitCode } from "../command.js";
import { openCommandEngine } from "../command-engine.js";
import type { ProjectContext } from "../project-context.js";
import { commandHeads } from "./command-heads.js";
import type { SelectionArgs } from "./shared-options.js";
import { formatOption, selectionOptions } from "./shared-options.js";

interface ShowArgs extends SelectionArgs {
  inline?: string;
  limit: number;
  format: "table" | "json" | "csv" | "text";
}

/**
 * `sluice show`, as dbt's: compile one node (a model, snapshot or test: its SQL, run from source,
 * not the table it built; a seed or source: its relation) or `--inline` SQL, run it on the target
 * with `limit` in the SQL, and print the rows.
 */
export const showCommand: CommandSpec<ShowArgs> = {
  ...commandHeads.show,
  options: {
    select: {
      ...selectionOptions["select"],
      describe:
        "The one node to preview (a model, snapshot, test, seed or source), selected as --select selects",
    },
    inline: {
      type: "string",
      describe:
        "SQL to preview instead, rendered as a model of the project ({{ ref('funnel') }}, macros, vars)",
    },
    limit: {
      type: "number",
      default: 5,
      describe: "Rows to fetch, as a LIMIT in the SQL sent (-1: every row)",
    },
    // dbt show spells it --output (text, json).
    format: {
      ...formatOption(["table", "json", "csv", "text"]),
      alias: "output",
      describe: "Output format (--output text|json as dbt show; text is the table)",
    },
  },
  numbers: { limit: { integer: true } },
  examples: [
    ["$0 show -s funnel", "the first 5 rows of the funnel model's SQL"],
    [
      "$0 show --inline \"select country, sum(revenue) as revenue from {{ ref('sales_by_country') }} group by 1\" --limit 10",
      "ad-hoc SQL with refs",
    ],
  ],
  handler: async (args, io) => {
    const select = args.select ?? [];
    if (select.length === 0 && args.inline === undefined) {
      io.err(
        "error: name what to show: --select <node> (a model, test, seed...) or --inline <sql>",
      );
      return ExitCode.usage;
    }
    if (select.length > 0 && args.inline !== undefined) {
      io.err("error: --select and --inline both given: show one node or one query");
      return ExitCode.usage;
    }
    const chosen = await chosenSql(args, io);
    if (typeof chosen === "number") return chosen;
    const { ctx, name, sql } = chosen;
    // Refused before anything is opened, as query refuses it: show only reads (on Athena nothing
    // else would stop a DROP given to --inline with --limit -1).
    const refused = await readOnlyRefusal(sql);
    if (refused) {
      io.err(`show refused: ${refused} (show only reads; build and run write)`);
      return ExitCode.usage;
    }
    const options = { readOnly: true, snapshot: true };
    const engine = await openCommandEngine(io, ctx.target, ctx.project.dir, options);
    try {
      let text = sql;
      // A model that reads the warehouse while rendering: rendered with the target's answers.
      const id = chosen.node?.renderAtRun ? chosen.node.id : undefined;
      if (id !== undefined) {
        const { renderSelectedWithWarehouse } = await import("../render-at-run.js");
        const query = (q: string) => engine.execute(q, { label: "show" });
        if (!(await renderSelectedWithWarehouse(ctx, args, [id], io, { query })))
          return ExitCode.failed;
        text = ctx.compiled.nodes.find((n: CompiledNode) => n.id === id)!.sql;
      }
      const again = text === sql ? undefined : await readOnlyRefusal(text);
      if (again) {
        io.err(`show refused: ${again} (show only reads; build and run write)`);
        return ExitCode.usage;
      }
      // A lake model's window calls (source_window(), ref_window(), sluice_listed()), which a
      // run binds to what it reads, read their whole relations: a full build's rows.
      const { bindWindow, NO_WATERMARK } = await import("@sluice/compiler/plan");
      text = bindWindow(text, ctx.dialect.literal(NO_WATERMARK));
      const { printQuery } = await import("../query-output.js");
      const format = args.format === "text" ? "table" : args.format;
      if (format === "table") io.err(`Previewing ${name}:`);
      if (format === "json") io.out(`{"node": ${JSON.stringify(name)}, "show":`);
      const limited = args.limit < 0 ? text : limitedSql(text, args.limit);
      const limit = Number.MAX_SAFE_INTEGER;
      const code = await printQuery(ctx, engine, limited, { format, limit, label: "show" }, io);
      if (format === "json") io.out("}");
      return code;
    } finally {
      await engine.close();
    }
  },
};

/** Why `sql` is not a query that only reads (see checkReadOnlyQuery), or undefined. */
async function readOnlyRefusal(sql: string): Promise<string | undefined> {
  const { checkReadOnlyQuery } = await import("@sluice/dialects");
  return checkReadOnlyQuery(sql)?.message;
}

/** What {@link showCommand} runs: the node's or the inline query's SQL, and the name it shows. */
interface Chosen {
  ctx: ProjectContext;
  name: string;
  sql: string;
  node?: CompiledNode;
}

/** The selected node's SQL or the inline query's, or the exit code after saying why not. */
async function chosenSql(args: ShowArgs & GlobalArgs, io: Io): Promise<Chosen | number> {
  if (args.inline !== undefined) {
    const { inlineNode } = await import("../inline-sql.js");
    const inline = await inlineNode(args, args.inline, io);
    if (!inline) return ExitCode.usage;
    return { ctx: inline.ctx, name: inline.node.name, sql: inline.node.sql };
  }
  const { loadSelection, namedNodes } = await import("../selection.js");
  const selection = await loadSelection(args, io);
  if (!selection) return ExitCode.usage;
  const { ctx, ids } = selection;
  const nodes = namedNodes(ctx, ids);
  if (nodes.length !== 1) {
    const listed = nodes.slice(0, 5).map((n) => n.id);
    if (nodes.length > 5) listed.push(`${nodes.length - 5} more`);
    io.err(
      nodes.length === 0
        ? `error: --select ${(args.select ?? []).join(" ")} selects no node (sluice ls lists them)`
        : `error: show previews one node; --select ${(args.select ?? []).join(" ")} selects ${nodes.length}: ${listed.join(", ")}`,
    );
    return ExitCode.usage;
  }
  const node = nodes[0]!;
  const sql = nodeSql(node, ctx);
  if (sql === undefined) {
    const what =
      node.assertion?.kind === "dq_rule"
        ? `a DQDL rule (${node.assertion.ruleText}) with no failing rows`
        : "a check with no rows of its own";
    io.err(
      `error: ${node.id} is ${what} to preview: show what it checks, or run it with sluice test -s ${node.name}`,
    );
    return ExitCode.usage;
  }
  return { ctx, name: node.name, sql, node };
}

/**
 * A node's SQL as show runs it: a model's, snapshot's or failing-rows test's compiled SELECT; a
 * seed's or source's relation whole; a DQDL rule's failing rows where it has them. Undefined for
 * checks that return no rows of their own (unit tests, metric rules).
 */
function nodeSql(node: CompiledNode, ctx: ProjectContext): string | undefined {
  if (node.kind === "seed" || node.kind === "source")
    return `select * from ${ctx.dialect.quoteRelation(node.relation)}`;
  const assertion = node.assertion;
  if (assertion?.kind === "dq_rule") return assertion.failingRowsSql;
  if (assertion !== undefined && assertion.kind !== "failing_rows") return undefined;
  return node.sql.trim() === "" ? undefined : node.sql;
}

/**
 * `sql` with at most `limit` rows, as dbt's `get_limit_subquery_sql`: a subquery (a final `;`
 * dropped, a trailing line comment ended by the newline before the parenthesis).
 */
export function limitedSql(sql: string, limit: number): string {
  const body = sql.trim().replace(/;$/, "");
  return `select * from (\n${body}\n) as model_limit_subq limit ${limit}`;
}
