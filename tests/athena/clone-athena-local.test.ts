import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  athenaLocalProject,
  athenaRows,
  FAST_POLL_SECONDS,
  awsCall,
  fillRawZone,
  s3Keys,
} from "../support/athena-local.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

/**
 * `sluice clone` on Athena (`sluice athena-local`): a CI target with its own databases gets
 * views over production's tables (Glue VIRTUAL_VIEW entries, no S3 objects of its own), which
 * read production's rows; a second clone keeps them.
 */
describe("sluice clone on Athena: CI databases point at production's tables", () => {
  let p: Project;
  let state = "";

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0 });
    const yml = path.join(p.dir, "sluice.yml");
    // Two CI targets, each with its own databases: ci (clone) and ci2 (--defer).
    const ciTarget = (name: string) => {
      const databases = ["raw", "staging", "silver", "marts", "seeds"]
        .map((s) => `      ${s}: ${name}_${s}\n`)
        .join("");
      return (
        `  ${name}:\n    engine: athena\n    endpoint: ${p.endpoint.url}\n    region: eu-west-1\n` +
        `    poll_interval: ${FAST_POLL_SECONDS}\n` +
        "    workgroup: sluice\n    s3_staging_dir: s3://sluice-athena-results/queries/\n" +
        `    s3_lake_root: s3://sluice-lake/${name}\n    databases:\n${databases}\n`
      );
    };
    await writeFile(
      yml,
      (await readFile(yml, "utf8")).replace(
        "default-target:",
        `${ciTarget("ci")}${ciTarget("ci2")}default-target:`,
      ),
    );
    const generated = await fillRawZone(p, {
      events: 300,
      start: "2026-11-27T00:00:00Z",
      hours: 4,
      seed: 5,
    });
    expect(generated.code, generated.stderr).toBe(0);
    // Models only: clone needs the tables, not their tests.
    const build = await p.sluice("run", "--target", "prod", "-s", "+funnel");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    state = path.join(path.dirname(p.dir), "prod-artifacts");
    await cp(path.join(p.dir, "target/manifest.json"), path.join(state, "manifest.json"));
  }, 300_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  it("creates views over the state's tables, reading its rows, and keeps them on a second clone", async () => {
    const before = await s3Keys(p.aws, "sluice-lake");
    const cloned = await p.sluice("clone", "--target", "ci", "--state", state, "-s", "+funnel");
    expect(cloned.code, cloned.stdout + cloned.stderr).toBe(0);
    expect(cloned.stdout).toContain("created ci_silver.events → ecommerce_silver.events (view)");
    expect(cloned.stdout).toContain("created ci_marts.funnel → ecommerce_marts.funnel (view)");
    // Views, not Glue tables sharing production's locations: said, with the reason (README).
    expect(cloned.stderr).toMatch(
      /warning: on Athena, clone creates views over the state's tables, not Glue tables pointing at their S3 locations: .*write into it/,
    );
    for (const [database, name] of [
      ["ci_silver", "events"],
      ["ci_marts", "funnel"],
    ] as const) {
      const { status, body } = await awsCall<{ Table: { TableType?: string } }>(
        p.endpoint.url,
        "AWSGlue.GetTable",
        { DatabaseName: database, Name: name },
      );
      expect(status).toBe(200);
      expect(body.Table.TableType).toBe("VIRTUAL_VIEW");
      const count = (db: string) =>
        athenaRows(p.endpoint.url, `select count(*) from ${db}.${name}`);
      const rows = await count(database);
      expect(Number(rows[0]![0])).toBeGreaterThan(0);
      expect(rows).toEqual(await count(database.replace("ci_", "ecommerce_")));
    }
    // Zero-copy: no object was written for the clone (query results go to another bucket).
    expect(await s3Keys(p.aws, "sluice-lake")).toEqual(before);
    const again = await p.sluice("clone", "--target", "ci", "--state", state, "-s", "+funnel");
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/: 0 created, \d+ skipped, 0 error/);
  });

  it("--defer builds one mart in a CI target reading production's tables it does not have", async () => {
    const table = (database: string, name: string) =>
      awsCall(p.endpoint.url, "AWSGlue.GetTable", { DatabaseName: database, Name: name });
    expect((await table("ci2_silver", "events")).status).not.toBe(200); // EntityNotFoundException
    const alone = await p.sluice("run", "--target", "ci2", "-s", "funnel");
    expect(alone.code).toBe(1); // ci2_silver.events was never built
    const deferred = await p.sluice(
      ...["run", "--target", "ci2", "-s", "funnel", "--defer", "--state", state],
    );
    expect(deferred.code, deferred.stdout + deferred.stderr).toBe(0);
    const sql = await readFile(path.join(p.dir, "target/compiled/marts/funnel.sql"), "utf8");
    expect(sql).toMatch(/"?ecommerce_silver"?\."?events"?/);
    expect(sql).not.toMatch(/ci2_silver/);
    const count = (db: string) => athenaRows(p.endpoint.url, `select * from ${db}.funnel`);
    const rows = await count("ci2_marts");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map(String).sort()).toEqual((await count("ecommerce_marts")).map(String).sort());
    expect((await table("ci2_silver", "events")).status).not.toBe(200);
  });
});
