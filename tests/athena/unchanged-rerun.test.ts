import { appendFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaLocalProject, callLog, fillRawZone, s3Keys } from "../support/athena-local.js";
import { HOURLY_TABLES } from "../support/prod-tables.js";
import { addTableModels } from "../support/table-models.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

/** Every table the models project builds (seed, incremental models, marts), and a table model. */
const TABLES = ["ecommerce_seeds.country_codes", ...HOURLY_TABLES, "ecommerce_marts.daily_revenue"];

/** The tables a build's progress lines say it left unchanged. */
function unchangedIn(stderr: string): string[] {
  return [...stderr.matchAll(/OK\s+\w+ (\S+) \.* unchanged: /g)].map((m) => m[1]!).sort();
}

/** Calls that write: queries other than SELECTs and DDL set-up, catalog and storage writes. */
function writesIn(log: Awaited<ReturnType<typeof callLog>>): string[] {
  return log
    .filter(
      (c) =>
        (c.api === "Athena.StartQueryExecution" &&
          !/^\s*(SELECT|WITH|CREATE (DATABASE|EXTERNAL TABLE) IF NOT EXISTS)\b/i.test(
            c.resource,
          )) ||
        (/^(Glue|S3)\.(Create|Update|Delete|Batch|Put)/.test(c.api) &&
          !c.resource.includes("sluice_build_lease") &&
          !c.api.includes("BatchGet")),
    )
    .map((c) => `${c.api} ${c.resource.slice(0, 80)}`);
}

/**
 * On Athena, a table's version records a fingerprint of what it was built from (its compiled
 * SQL and config, the versions of the tables it reads, the raw hours its window reads). A build
 * whose inputs have the same fingerprint writes nothing to that table; any changed input
 * rebuilds it and what is built from it, and nothing else.
 */
describe("a build with no new input leaves every table as it is", () => {
  let p: Project;
  const lakeObjects = () => s3Keys(p.aws, "sluice-lake");

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0 });
    // The project's marts are incremental; a table model's unchanged check is its own path.
    await addTableModels(p.dir, ["daily_revenue"]);
    const generated = await fillRawZone(p, {
      events: 300,
      start: "2026-11-27T00:00:00Z",
      hours: 6,
      seed: 21,
    });
    expect(generated.code).toBe(0);
    const first = await p.sluice("build", "--target", "prod");
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(unchangedIn(first.stderr)).toEqual([]);
  }, 180_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  it("no new data: no table is written, no object or catalog entry changes, the balance holds", async () => {
    const before = await lakeObjects();
    await callLog(p.endpoint.url, true);
    const rerun = await p.sluice("build", "--target", "prod");
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(unchangedIn(rerun.stderr)).toEqual([...TABLES].sort());
    expect(writesIn(await callLog(p.endpoint.url))).toEqual([]);
    expect(await lakeObjects()).toEqual(before);
    // The reconciliation reads the hours this build read: none.
    expect(rerun.stdout + rerun.stderr).toMatch(
      /reconciled 0 raw partitions from \S+: raw 0 = silver 0 \+ rejected 0 \+ duplicates 0/,
    );
  }, 180_000);

  it("one new raw hour: the tables built from raw data are rebuilt, the seed is not", async () => {
    const more = await fillRawZone(p, {
      events: 50,
      start: "2026-11-27T06:00:00Z",
      hours: 1,
      seed: 22,
    });
    expect(more.code).toBe(0);
    const next = await p.sluice("build", "--target", "prod");
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(unchangedIn(next.stderr)).toEqual(["ecommerce_seeds.country_codes"]);
    expect(next.stdout + next.stderr).toMatch(/reconciled [1-9]\d* raw partitions from /);
  }, 180_000);

  it("a changed mart: only that mart is rebuilt", async () => {
    const model = path.join(p.dir, "marts/funnel.sql");
    await appendFile(model, "\n-- reworded\n");
    const next = await p.sluice("build", "--target", "prod");
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(unchangedIn(next.stderr)).toEqual(
      TABLES.filter((t) => t !== "ecommerce_marts.funnel").sort(),
    );
  }, 180_000);
});
