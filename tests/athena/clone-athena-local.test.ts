import { createHash } from "node:crypto";
import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { isCatalogEngine, openEngine, type CatalogEngine } from "@sluice/engines";
import { loadProject, type AthenaTarget } from "@sluice/project";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  athenaLocalProject,
  athenaRows,
  FAST_POLL_SECONDS,
  awsCall,
  awsEnv,
  callLog,
  fillRawZone,
  s3Keys,
} from "../support/athena-local.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

interface Table {
  TableType?: string;
  Parameters?: Record<string, string>;
  PartitionKeys?: unknown[];
  StorageDescriptor?: { Location?: string; SerdeInfo?: unknown };
}

/** One Glue entry, read through the endpoint's API (it must exist). */
async function glueTable(url: string, database: string, name: string): Promise<Table> {
  const { status, body } = await awsCall<{ Table: Table }>(url, "AWSGlue.GetTable", {
    DatabaseName: database,
    Name: name,
  });
  expect(status, `${database}.${name}`).toBe(200);
  return body.Table;
}

/** A table's partitions: values and location, sorted. */
async function partitionLocations(url: string, database: string, name: string): Promise<string[]> {
  const { body } = await awsCall<{
    Partitions?: { Values?: string[]; StorageDescriptor?: { Location?: string } }[];
  }>(url, "AWSGlue.GetPartitions", { DatabaseName: database, TableName: name });
  return (body.Partitions ?? [])
    .map((p) => `${(p.Values ?? []).join("/")} ${p.StorageDescriptor?.Location ?? ""}`)
    .sort();
}

const PROD_DATABASES = [
  "ecommerce_staging",
  "ecommerce_silver",
  "ecommerce_marts",
  "ecommerce_seeds",
];

/**
 * Production as it is, counted from outside sluice: every object of the lake bucket outside the
 * CI targets' folders and the raw zone with the sha256 of its bytes (read from the endpoint's bucket folder), and
 * every Glue entry of production's databases with its partitions.
 */
async function production(p: Project): Promise<Record<string, unknown>> {
  const objects: Record<string, string> = {};
  for (const key of await s3Keys(p.aws, "sluice-lake")) {
    // The CI targets' folders, and the raw zone (Firehose's, which the tests add hours to).
    if (/^(ci2?|raw)\//.test(key)) continue;
    const bytes = await readFile(path.join(p.aws, "sluice-lake", key));
    objects[key] = createHash("sha256").update(bytes).digest("hex");
  }
  const glue: Record<string, unknown> = {};
  for (const database of PROD_DATABASES) {
    const { body } = await awsCall<{ TableList?: (Table & { Name: string })[] }>(
      p.endpoint.url,
      "AWSGlue.GetTables",
      { DatabaseName: database },
    );
    for (const table of body.TableList ?? [])
      glue[`${database}.${table.Name}`] = {
        table,
        partitions: await partitionLocations(p.endpoint.url, database, table.Name),
      };
  }
  expect(Object.keys(objects).length).toBeGreaterThan(0);
  expect(Object.keys(glue).length).toBeGreaterThan(0);
  return { objects, glue };
}

/**
 * `sluice clone` on Athena (`sluice athena-local`): a CI target with its own databases gets Glue
 * table entries pointing at production's S3 locations (no object copied) that read production's
 * rows; a build of a cloned model replaces the clone by a table of its own, and no write path
 * (publishes, INSERT/MERGE/DROP/ALTER, cleanup of old versions and leftovers) writes through a
 * clone: production's objects (byte for byte) and Glue entries stay as they were.
 */
describe("sluice clone on Athena: CI databases point at production's tables", () => {
  let p: Project;
  let state = "";

  beforeAll(async () => {
    Object.assign(process.env, awsEnv);
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

  it("creates Glue tables at the state's locations (zero objects copied) reading its rows, and keeps them on a second clone", async () => {
    const prod = await production(p);
    await callLog(p.endpoint.url, true);
    const cloned = await p.sluice("clone", "--target", "ci", "--state", state, "-s", "+funnel");
    expect(cloned.code, cloned.stdout + cloned.stderr).toBe(0);
    // Every table of +funnel (stg_events, events, funnel: insert_overwrite, partitioned).
    expect(cloned.stdout).toMatch(
      /created ci_silver\.events → ecommerce_silver\.events \(Glue table, same location, [1-9]\d* partition\(s\)\)/,
    );
    expect(cloned.stdout).toMatch(
      /created ci_marts\.funnel → ecommerce_marts\.funnel \(Glue table/,
    );
    expect(cloned.stderr).not.toContain("warning");
    // Zero-copy: no S3 object written, copied or deleted (only Glue and Athena calls).
    const writes = (await callLog(p.endpoint.url)).filter(
      (c) => c.api.startsWith("S3.") && !/^S3\.(Get|Head|List)/.test(c.api),
    );
    expect(writes).toEqual([]);
    for (const [database, name] of [
      ["ci_staging", "stg_events"],
      ["ci_silver", "events"],
      ["ci_marts", "funnel"],
    ] as const) {
      const origin = database.replace("ci_", "ecommerce_");
      const clone = await glueTable(p.endpoint.url, database, name);
      const source = await glueTable(p.endpoint.url, origin, name);
      expect(clone.TableType).toBe("EXTERNAL_TABLE");
      expect(clone.StorageDescriptor?.Location).toBe(source.StorageDescriptor?.Location);
      expect(clone.StorageDescriptor?.SerdeInfo).toEqual(source.StorageDescriptor?.SerdeInfo);
      expect(clone.PartitionKeys).toEqual(source.PartitionKeys);
      expect(clone.Parameters?.["sluice_clone_of"]).toBe(`${origin}.${name}`);
      expect(clone.Parameters?.["sluice_clone_location"]).toBe(source.StorageDescriptor?.Location);
      // sluice's records of production's version (its retired locations above all) stay behind.
      expect(
        Object.keys(clone.Parameters ?? {}).filter((k) => /^sluice_(?!clone)/.test(k)),
      ).toEqual([]);
      const partitions = await partitionLocations(p.endpoint.url, database, name);
      expect(partitions.length).toBeGreaterThan(0);
      expect(partitions).toEqual(await partitionLocations(p.endpoint.url, origin, name));
      const rows = (db: string) =>
        athenaRows(p.endpoint.url, `select * from ${db}.${name}`).then((r) => r.map(String).sort());
      const cloneRows = await rows(database);
      expect(cloneRows.length).toBeGreaterThan(0);
      expect(cloneRows).toEqual(await rows(origin));
    }
    expect(await production(p)).toEqual(prod);
    const again = await p.sluice("clone", "--target", "ci", "--state", state, "-s", "+funnel");
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/: 0 created, \d+ skipped, 0 error/);
  }, 600_000);

  it("a build of a cloned model replaces the clone by a table of its own; production is unchanged", async () => {
    const prod = await production(p);
    const built = await p.sluice("run", "--target", "ci", "-s", "funnel");
    expect(built.code, built.stdout + built.stderr).toBe(0);
    const funnel = await glueTable(p.endpoint.url, "ci_marts", "funnel");
    expect(funnel.Parameters?.["sluice_clone_of"]).toBeUndefined();
    expect(funnel.StorageDescriptor?.Location).toMatch(/^s3:\/\/sluice-lake\/ci\//);
    for (const part of await partitionLocations(p.endpoint.url, "ci_marts", "funnel"))
      expect(part).toMatch(/ s3:\/\/sluice-lake\/ci\//);
    // Built from ci_silver.events, still a clone of production's events: the same rows.
    expect(
      (await glueTable(p.endpoint.url, "ci_silver", "events")).Parameters?.["sluice_clone_of"],
    ).toBe("ecommerce_silver.events");
    const rows = (db: string) =>
      athenaRows(p.endpoint.url, `select * from ${db}.funnel`).then((r) => r.map(String).sort());
    expect(await rows("ci_marts")).toEqual(await rows("ecommerce_marts"));
    expect(await production(p)).toEqual(prod);
  }, 600_000);

  it("--full-refresh of a clone and cleanup after several builds leave production untouched", async () => {
    const prod = await production(p);
    const refreshed = await p.sluice("run", "--target", "ci", "-s", "events", "--full-refresh");
    expect(refreshed.code, refreshed.stdout + refreshed.stderr).toBe(0);
    const events = await glueTable(p.endpoint.url, "ci_silver", "events");
    expect(events.Parameters?.["sluice_clone_of"]).toBeUndefined();
    expect(events.StorageDescriptor?.Location).toMatch(/^s3:\/\/sluice-lake\/ci\//);
    expect(await production(p)).toEqual(prod);
    // Clone both again, then build them several times: each build retires and deletes old versions.
    const cloned = await p.sluice(
      ...["clone", "--target", "ci", "--state", state, "-s", "events", "funnel", "--full-refresh"],
    );
    expect(cloned.code, cloned.stdout + cloned.stderr).toBe(0);
    expect(
      (await glueTable(p.endpoint.url, "ci_marts", "funnel")).Parameters?.["sluice_clone_of"],
    ).toBe("ecommerce_marts.funnel");
    // New raw hours before each build. The first build replaces the clones by tables of their own
    // and --full-refresh publishes a new version: each retires what it replaced, and with
    // versions_to_keep 1 the second publish after a clone's would delete what the clone's
    // partitions read (production's folders) without the guard. The other two builds find events'
    // input, the cloned stg_events (not selected: no new hour reaches it), as it was, and publish
    // nothing (`unchanged`).
    for (const [hour, args, publishes] of [
      [4, [], true],
      [5, [], false],
      [6, ["--full-refresh"], true],
      [7, [], false],
    ] as const) {
      const more = await fillRawZone(p, {
        events: 100,
        start: `2026-11-27T0${hour}:00:00Z`,
        hours: 1,
        seed: hour,
      });
      expect(more.code, more.stderr).toBe(0);
      const run = await p.sluice("run", "--target", "ci", "-s", "events", "funnel", ...args);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        publishes
          ? /2 models and 0 seeds built \([1-9][\d,]* rows\), 0 errors/
          : /2 models unchanged, 0 errors/,
      );
    }
    for (const [database, name] of [
      ["ci_silver", "events"],
      ["ci_marts", "funnel"],
    ] as const) {
      const table = await glueTable(p.endpoint.url, database, name);
      expect(table.Parameters?.["sluice_clone_of"]).toBeUndefined();
      expect(table.StorageDescriptor?.Location).toMatch(/^s3:\/\/sluice-lake\/ci\//);
    }
    expect(await production(p)).toEqual(prod);
  }, 600_000);

  it("every Athena write path refuses a clone, and dropping one deletes its Glue entry only", async () => {
    const cloned = await p.sluice(
      ...["clone", "--target", "ci", "--state", state, "-s", "funnel", "--full-refresh"],
    );
    expect(cloned.code, cloned.stdout + cloned.stderr).toBe(0);
    const prod = await production(p);
    const project = await loadProject(p.dir);
    const target = project.config.targets["ci"] as AthenaTarget;
    const clone = { schema: "ci_marts", name: "funnel" };
    const staging = { schema: "ci_marts", name: "funnel__sluice_injected" };
    const prodLocation = (await glueTable(p.endpoint.url, "ecommerce_marts", "funnel"))
      .StorageDescriptor!.Location!;
    // Each write aimed at the clone, on an engine that read the clone first (as every build does)
    // and on a fresh one (the publishes read the entry themselves).
    const refused = async (
      what: string,
      write: (e: CatalogEngine) => Promise<unknown>,
      read = true,
    ) => {
      const engine = await openEngine(target, p.dir);
      try {
        if (!isCatalogEngine(engine)) throw new Error("not a catalog engine");
        if (read)
          expect((await engine.describeRelation(clone)).parameters?.["sluice_clone_of"]).toBe(
            "ecommerce_marts.funnel",
          );
        await expect(write(engine), what).rejects.toThrow(
          /refusing to .* ci_marts\.funnel: it is a clone of ecommerce_marts\.funnel/,
        );
      } finally {
        await engine.close();
      }
    };
    const insert = "insert into ci_marts.funnel select * from ecommerce_marts.funnel";
    await refused("incremental append (INSERT)", (e) => e.execute(insert));
    await refused("merge", (e) =>
      e.execute(
        `merge into "ci_marts"."funnel" t using ecommerce_marts.funnel s on false when not matched then insert values (s.event_date)`,
      ),
    );
    await refused("DROP TABLE", (e) => e.execute("DROP TABLE IF EXISTS `ci_marts`.`funnel`"));
    await refused("ALTER TABLE", (e) =>
      e.execute("ALTER TABLE `ci_marts`.`funnel` DROP PARTITION (event_date='2026-11-27')"),
    );
    await refused("CTAS swap", (e) => e.publishTable(staging, clone), false);
    await refused("insert_overwrite publish", (e) => e.publishPartitions(staging, clone), false);
    await refused("old versions cleanup", (e) => e.removeStaleLocations(clone, prodLocation));
    await refused("leftovers cleanup", async (e) =>
      e.removeLeftovers(clone, await e.describeRelation(clone), {
        partitioned: true,
        versionsToKeep: 0,
      }),
    );
    await refused("parameters", (e) =>
      e.setTableParameters(clone, { sluice_watermark: "2026/11/27/03" }),
    );
    expect(await production(p)).toEqual(prod);
    expect(
      (await glueTable(p.endpoint.url, "ci_marts", "funnel")).Parameters?.["sluice_clone_of"],
    ).toBe("ecommerce_marts.funnel");
    // DROP (a model that became a view, a staging sweep): the clone's entry goes, its objects stay.
    const engine = await openEngine(target, p.dir);
    try {
      if (!isCatalogEngine(engine)) throw new Error("not a catalog engine");
      await engine.dropTableWithData(clone);
    } finally {
      await engine.close();
    }
    expect(
      (
        await awsCall(p.endpoint.url, "AWSGlue.GetTable", {
          DatabaseName: "ci_marts",
          Name: "funnel",
        })
      ).status,
    ).not.toBe(200);
    expect(await production(p)).toEqual(prod);
  }, 600_000);

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
