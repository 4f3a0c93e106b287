import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CommandSpec, Io } from "../command.js";
import { ExitCode } from "../command.js";
import type { ProjectContext } from "../project-context.js";
import type { CatalogTypes, TdsInput } from "@sluice/docs";
import { commandHeads } from "./command-heads.js";

interface TableauArgs {
  tableauTarget: string;
}

/**
 * One `.tds` per mart (models tagged `tableau`, else the `marts` schema) in `target/tableau/`,
 * for Tableau's Amazon Athena connector on the Athena target (`prod` by default), the
 * `athena.properties` that sets the workgroup, and a `.twb` per dashboard exposure. Column types come from the built catalog, else the
 * YAML `data_type`; a column with neither is left to Tableau (and named in a warning).
 * Returns how many data sources it wrote.
 */
export async function writeTableau(
  ctx: ProjectContext,
  io: Io,
  targetName: string,
  catalog: CatalogTypes,
): Promise<number> {
  const target = ctx.project.config.targets[targetName];
  if (!target || target.engine !== "athena") {
    io.err(`note: no Tableau data sources: target '${targetName}' is not an Athena target`);
    return 0;
  }
  const { tdsXml, athenaProperties } = await import("@sluice/docs");
  const models = ctx.compiled.nodes.filter((n) => n.kind === "model");
  const tagged = models.filter((n) => n.tags.includes("tableau"));
  const marts = tagged.length > 0 ? tagged : models.filter((n) => n.schema === "marts");
  const declared = new Map(
    ctx.project.modelProperties.map((p) => [p.name, new Map(p.columns.map((c) => [c.name, c]))]),
  );
  const dir = path.join(ctx.targetDir, "tableau");
  await mkdir(dir, { recursive: true });
  const sources: TdsInput[] = [];
  for (const m of marts) {
    const yaml = declared.get(m.name) ?? new Map();
    const built = catalog[m.id];
    const columns = built
      ? built.map((c) => ({ ...c, description: yaml.get(c.name)?.description }))
      : m.columns.flatMap((c) => {
          const type = yaml.get(c.name)?.data_type;
          return type ? [{ name: c.name, type, description: c.description }] : [];
        });
    if (!built)
      io.err(
        `warn: ${m.id}: no built catalog, so ${m.columns.length - columns.length} column(s) without data_type are left for Tableau to type: build the target first`,
      );
    const source: TdsInput = {
      name: m.name,
      ...(m.description ? { caption: m.description } : {}),
      region: target.region,
      workgroup: target.workgroup,
      s3StagingDir: target.s3_staging_dir,
      database: target.databases[m.schema] ?? m.schema,
      table: m.relation.name,
      columns: columns.map((c) => ({
        name: c.name,
        type: c.type,
        ...(c.description ? { description: c.description } : {}),
      })),
    };
    sources.push(source);
    await writeFile(path.join(dir, `${m.name}.tds`), tdsXml(source));
  }
  await writeFile(path.join(dir, "athena.properties"), athenaProperties(target.workgroup));
  await writeWorkbooks(ctx, io, dir, sources);
  return marts.length;
}

/**
 * `<exposure>.twb` for each dashboard exposure over several marts (the models project's
 * `sales_dashboard`): a worksheet per view exposure it covers that has a sheet in SEED_SHEETS,
 * the data sources embedded as in the `.tds` files. A view that cannot be drawn is a warning.
 */
async function writeWorkbooks(
  ctx: ProjectContext,
  io: Io,
  dir: string,
  sources: TdsInput[],
): Promise<void> {
  const { SEED_SHEETS, twbXml } = await import("@sluice/docs");
  const exposures = ctx.compiled.exposures ?? [];
  const views = exposures.filter((e) => SEED_SHEETS[e.name]);
  for (const d of exposures.filter((e) => e.type === "dashboard" && e.dependsOn.length > 1)) {
    const sheets = views
      .filter((v) => v.dependsOn.every((id) => d.dependsOn.includes(id)))
      .map((v) => ({ name: v.label ?? v.name, ...SEED_SHEETS[v.name]! }));
    if (sheets.length === 0) continue;
    const { xml, skipped } = twbXml({ dashboard: d.label ?? d.name, datasources: sources, sheets });
    for (const s of skipped) io.err(`warn: ${d.name}.twb: no worksheet '${s.sheet}': ${s.reason}`);
    await writeFile(path.join(dir, `${d.name}.twb`), xml);
  }
}

export const tableauCommand: CommandSpec<TableauArgs> = {
  ...commandHeads.tableau,
  options: {
    "tableau-target": {
      type: "string",
      default: "prod",
      describe: "The Athena target the data sources connect to",
    },
  },
  examples: [["$0 tableau", "one .tds per mart on the prod target, and sales_dashboard.twb"]],
  handler: async (args, io) => {
    const { loadProjectContext } = await import("../project-context.js");
    const ctx = await loadProjectContext(args, io);
    if (!ctx) return ExitCode.usage;
    const { readTarget } = await import("../docs-site.js");
    const { catalog } = await readTarget(ctx, io, { catalog: true, marts: false });
    const n = await writeTableau(ctx, io, args.tableauTarget, catalog);
    if (n === 0) return ExitCode.usage;
    io.out(
      `${n} Tableau data sources in ${path.relative(process.cwd(), path.join(ctx.targetDir, "tableau"))}`,
    );
    return ExitCode.ok;
  },
};
