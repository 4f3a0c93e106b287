import { compileProject, dialectFor } from "@sluice/compiler";
import { openEngine } from "@sluice/engines";
import { loadProject, type AthenaTarget } from "@sluice/project";
import { runProject } from "@sluice/runner";
import { describe, expect, it } from "vitest";
import { modelsDir } from "../support/cli.js";

/**
 * Opt-in: the models project on a real AWS account (`SLUICE_ATHENA_IT=1` plus credentials from
 * the default chain). The `prod` target of models/sluice.yml is used, with overrides from
 * SLUICE_ATHENA_REGION, SLUICE_ATHENA_WORKGROUP, SLUICE_ATHENA_STAGING_DIR, SLUICE_ATHENA_LAKE_ROOT
 * and SLUICE_ATHENA_DB_PREFIX (database names become `<prefix><schema>`). See README
 * "Production on Athena".
 */
const enabled = process.env["SLUICE_ATHENA_IT"] === "1";

describe.skipIf(!enabled)("models project on a real Athena account", () => {
  const env = process.env;
  const setup = async () => {
    const project = await loadProject(modelsDir);
    const base = project.config.targets["prod"] as AthenaTarget;
    const prefix = env["SLUICE_ATHENA_DB_PREFIX"];
    const target: AthenaTarget = {
      ...base,
      region: env["SLUICE_ATHENA_REGION"] ?? base.region,
      workgroup: env["SLUICE_ATHENA_WORKGROUP"] ?? base.workgroup,
      s3_staging_dir: env["SLUICE_ATHENA_STAGING_DIR"] ?? base.s3_staging_dir,
      s3_lake_root: env["SLUICE_ATHENA_LAKE_ROOT"] ?? base.s3_lake_root,
      databases: prefix
        ? Object.fromEntries(Object.keys(base.databases).map((s) => [s, `${prefix}${s}`]))
        : base.databases,
    };
    project.config.targets["prod"] = target;
    return { project, target, dialect: dialectFor(target) };
  };

  it("passes sluice debug's checks, registers the raw table, builds twice (second run incremental)", async () => {
    const { project, target, dialect } = await setup();
    const engine = await openEngine(target, project.dir);
    try {
      if (engine.family !== "catalog") throw new Error("the prod target opens a catalog engine");
      const checks = await engine.checkSetup([]);
      expect(checks.filter((c) => !c.ok)).toEqual([]);
      const raw = compileProject(project, {
        targetName: "prod",
        runId: "it0",
        dialect,
        env: {},
      }).nodes.find((n) => n.id === "source.raw.events")!;
      expect(["created", "updated", "unchanged"]).toContain(
        await engine.registerRawSource({
          relation: raw.relation,
          location: `${target.s3_lake_root.replace(/\/+$/, "")}/raw/events`,
          projectionStart: String(project.config.vars["raw_projection_start"]),
        }),
      );
      for (const runId of [`it${Date.now()}a`, `it${Date.now()}b`]) {
        const compiled = compileProject(project, { targetName: "prod", runId, dialect, env: {} });
        const results = await runProject({
          command: "build",
          compiled,
          engine,
          dialect,
          runId,
          threads: target.threads,
        });
        expect(
          results.results
            .filter((r) => r.status === "error" || r.status === "fail")
            .map((r) => `${r.id}: ${r.message}`),
        ).toEqual([]);
        expect(results.cost?.billedBytes).toBeGreaterThan(0);
      }
    } finally {
      await engine.close();
    }
  }, 1_800_000);
});
