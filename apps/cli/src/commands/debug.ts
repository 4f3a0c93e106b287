import { access } from "node:fs/promises";
import path from "node:path";
import type { LakeVerification, SetupCheck } from "@sluice/engines";
import type { describeDamage, recoveryCommand } from "@sluice/runner";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import { commandHeads } from "./command-heads.js";
import { formatOption } from "./shared-options.js";
import { openCommandEngine } from "../command-engine.js";

/**
 * `sluice debug`: check that the target is usable and say what is wrong in plain words. Athena:
 * credentials, workgroup, the target's Glue databases, the S3 staging dir. Local: the lake
 * directory, its catalog file, the DuckDB version, and that every file of every table's current
 * version is there with the size it was published with.
 */
export const debugCommand: CommandSpec<{ format?: "text" | "json" }> = {
  ...commandHeads.debug,
  options: { format: formatOption(["text", "json"], "text") },
  // With --target prod it checks AWS credentials, the Athena workgroup and the Glue databases.
  examples: [
    ["$0 debug", "check the local lake: its folder, its catalog file and DuckDB"],
    [
      "$0 debug --format json",
      "the checks as one JSON object: { target, engine, checks: [{ name, ok, detail }], failed }",
    ],
  ],
  handler: async (args, io) => {
    const { loadProjectContext } = await import("../project-context.js");
    const ctx = await loadProjectContext(args, io);
    if (!ctx) return ExitCode.usage;
    const target = ctx.target;
    const { nodeCheck } = await import("../node-support.js");
    const checks: SetupCheck[] = [nodeCheck(process.version, target.engine === "athena")];
    if (target.engine === "duckdb") {
      const lake = path.resolve(ctx.project.dir, target.lake);
      checks.push(
        await exists("lake dir", lake, "run `sluice generate` or `sluice build` to create it"),
      );
      checks.push(
        await exists(
          "catalog file",
          path.join(lake, "catalog.duckdb"),
          "`sluice build` creates it",
        ),
      );
    }
    let engine;
    try {
      // Opening a missing local lake would create it: debug only looks.
      if (!checks.every((c) => c.ok)) throw new Error("skipped (the lake is not there yet)");
      // A snapshot of the catalog: debug never blocks a build.
      engine = await openCommandEngine(io, target, ctx.project.dir, {
        readOnly: true,
        snapshot: true,
      });
      if (engine.family === "catalog") {
        const databases =
          target.engine === "athena" ? [...new Set(Object.values(target.databases))].sort() : [];
        checks.push(...(await engine.checkSetup(databases)));
      } else {
        const { rows } = await engine.execute("select version() as version", { label: "debug" });
        checks.push({
          name: "engine",
          ok: true,
          detail: `DuckDB ${String(rows[0]?.["version"] ?? "unknown")}`,
        });
      }
      if (engine.family === "lake") {
        const words = await import("@sluice/runner");
        checks.push(...lakeChecks(await engine.verifyLake(), words));
      }
    } catch (err) {
      checks.push({
        name: "engine",
        ok: false,
        detail: `cannot open the ${target.engine} engine: ${err instanceof Error ? err.message : String(err)}`,
      });
    } finally {
      await engine?.close();
    }
    const failed = checks.filter((c) => !c.ok).length;
    if (args.format === "json") {
      const shown = checks.map(({ name, ok, detail }) => ({ name, ok, detail }));
      io.out(
        JSON.stringify(
          { target: ctx.targetName, engine: target.engine, checks: shown, failed },
          null,
          2,
        ),
      );
      return failed === 0 ? ExitCode.ok : ExitCode.failed;
    }
    io.out(`target ${ctx.targetName} (${target.engine})`);
    for (const c of checks) io.out(`  ${c.ok ? "OK  " : "FAIL"} ${c.name}: ${c.detail}`);
    io.out(
      failed === 0 ? "All checks passed." : `${failed} check${failed === 1 ? "" : "s"} failed.`,
    );
    return failed === 0 ? ExitCode.ok : ExitCode.failed;
  },
};

interface DamageWords {
  describeDamage: typeof describeDamage;
  recoveryCommand: typeof recoveryCommand;
}

/**
 * One check per damaged file of a current table version (with the command that rebuilds the
 * table), else one passing check; tables built before versions were recorded are named.
 */
function lakeChecks(found: LakeVerification, words: DamageWords): SetupCheck[] {
  const { describeDamage, recoveryCommand } = words;
  const files = found.checked.reduce((n, c) => n + c.files, 0);
  const unrecorded =
    found.unrecorded.length === 0
      ? ""
      : `; not recorded (built by an older sluice; --full-refresh records them): ` +
        found.unrecorded.join(", ");
  if (found.damage.length === 0) {
    const detail = `${found.checked.length} table versions, ${files} files as published`;
    return [{ name: "lake files", ok: true, detail: detail + unrecorded }];
  }
  return found.damage.map((d) => {
    const rebuild = recoveryCommand(d.table.split(".").at(-1)!);
    const detail = `${d.table}: ${describeDamage(d)}; rebuild with \`${rebuild}\``;
    return { name: "lake files", ok: false, detail };
  });
}

async function exists(name: string, file: string, hint: string): Promise<SetupCheck> {
  try {
    await access(file);
    return { name, ok: true, detail: `${file} exists` };
  } catch {
    return { name, ok: false, detail: `${file} does not exist (${hint})` };
  }
}
