import type { RawSourceSpec } from "@sluice/dialects";
import type { CommandSpec } from "../command.js";
import type { ProjectContext } from "../project-context.js";
import { ExitCode } from "../command.js";
import { commandHeads } from "./command-heads.js";
import { openCommandEngine } from "../command-engine.js";

/**
 * `sluice sources register`: create or update the raw source tables on the target. On Athena
 * through the Glue API (GetTable, then CreateTable/UpdateTable only when the definition
 * differs), so a changed location or projection is applied, unlike `IF NOT EXISTS` DDL; on the
 * local lake by (re)creating the raw view.
 */
export const sourcesCommand: CommandSpec<{ action: string }> = {
  ...commandHeads.sources,
  positional: { action: { describe: "register", type: "string", demandOption: true } },
  options: {},
  examples: [
    [
      "$0 sources register",
      "recreate the local raw events view (with --target prod: the table in Glue)",
    ],
  ],
  handler: async (args, io) => {
    if (args.action !== "register") {
      const other = args.action === "freshness" ? "; did you mean 'sluice source freshness'?" : "";
      io.err(`error: unknown sources action '${args.action}': use 'sources register'${other}`);
      return ExitCode.usage;
    }
    const { loadProjectContext } = await import("../project-context.js");
    const ctx = await loadProjectContext(args, io);
    if (!ctx) return ExitCode.usage;
    const { QueryError } = await import("@sluice/engines");
    const sources = ctx.compiled.nodes.filter(
      (n) => n.kind === "source" && n.statements.length > 0,
    );
    if (sources.length === 0) {
      io.out("no external sources to register");
      return ExitCode.ok;
    }
    const engine = await openCommandEngine(io, ctx.target, ctx.project.dir);
    try {
      for (const node of sources) {
        const name = `${node.relation.schema}.${node.relation.name}`;
        if (engine.family === "catalog") {
          const spec = rawSpec(ctx, node);
          if (spec === undefined) throw new Error(`source ${node.id} has no external spec`);
          io.out(`${await engine.registerRawSource({ ...spec, relation: node.relation })} ${name}`);
        } else {
          for (const statement of node.statements)
            await engine.execute(statement.sql, { label: node.id });
          io.out(`recreated ${name}`);
        }
      }
      return ExitCode.ok;
    } catch (err) {
      const message =
        err instanceof QueryError
          ? err.details.engineMessage
          : err instanceof Error && /Exception$/.test(err.name)
            ? `${err.name}: ${err.message}`
            : undefined;
      if (message === undefined) throw err;
      io.err(`registering sources failed: ${message}`);
      return ExitCode.failed;
    } finally {
      await engine.close();
    }
  },
};

/** The raw zone's spec as the compiler derived it (the source node's physical location). */
function rawSpec(
  ctx: ProjectContext,
  node: { id: string; location?: string },
): Omit<RawSourceSpec, "relation"> | undefined {
  if (node.location === undefined || ctx.target.engine !== "athena") return undefined;
  const table = ctx.project.sources.find((t) => `source.${t.sourceName}.${t.name}` === node.id);
  const eventTypes = table?.external?.event_types;
  return {
    ...(eventTypes ? { eventTypes } : {}),
    location: node.location,
    projectionStart: String(ctx.project.config.vars["raw_projection_start"] ?? "2024/01/01/00"),
  };
}
