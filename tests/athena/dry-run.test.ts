import { readdir, readFile, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaLocalProject, callLog } from "../support/athena-local.js";
import { fileDigests } from "../support/file-digests.js";
import { grammarErrors } from "../support/sql-grammar.js";
import { addTableModels } from "../support/table-models.js";

/** {@link fileDigests} once the endpoint has saved its Glue catalog (every 250 ms). */
async function fingerprint(dir: string): Promise<string[]> {
  await sleep(600);
  return fileDigests(dir);
}

/** APIs that only read (the endpoint logs every call it answers). */
const READS =
  /^(Glue\.(GetTable|GetTables|GetPartitions|GetDatabase|GetDatabases)|Athena\.GetWorkGroup|S3\.(GetObject|HeadObject|ListObjectsV2|HeadBucket))$/;

/**
 * `build --dry-run` on the prod target against `sluice athena-local`, after a first build: it
 * prints each node's plan from the Glue state (the next run's window from the recorded
 * watermark, an insert_overwrite's partition publish) and the endpoint sees only reads — no
 * Glue or S3 write, no query started, the lease untouched — and no file changes in its buckets
 * or in the project.
 */
describe("build --dry-run on Athena (athena-local)", () => {
  let env: Awaited<ReturnType<typeof athenaLocalProject>>;

  beforeAll(async () => {
    env = await athenaLocalProject({ latencyMs: 0 });
    // The project's marts are incremental: a table model, for the table plan (CTAS, Glue swap).
    await addTableModels(env.dir, ["daily_revenue"]);
    expect((await env.sluice("sources", "register", "--target", "prod")).code).toBe(0);
    const generated = await env.sluice(
      ...["generate", "--events", "600", "--start", "2026-11-27T00:00:00Z", "--hours", "4"],
      ...["--seed", "1", "--lake", path.join(env.aws, "sluice-lake")],
    );
    expect(generated.code).toBe(0);
    const built = await env.sluice("build", "--target", "prod");
    expect(built.code, built.stdout + built.stderr).toBe(0);
    // One more raw hour: the next run writes the incremental models and the marts again (the
    // seed, whose inputs did not change, not).
    const more = await env.sluice(
      ...["generate", "--events", "100", "--start", "2026-11-27T04:00:00Z", "--hours", "1"],
      ...["--seed", "2", "--lake", path.join(env.aws, "sluice-lake")],
    );
    expect(more.code).toBe(0);
  }, 240_000);

  afterAll(async () => env?.cleanup());

  it("prints the next run's plans from Glue and writes nothing anywhere", async () => {
    const before = [await fingerprint(env.aws), await fingerprint(env.dir)];
    await callLog(env.endpoint.url, true);
    const r = await env.sluice("build", "--target", "prod", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/nothing was changed/);

    const calls = await callLog(env.endpoint.url);
    // The state of each table a node writes: one listing per database (staging, silver, marts, seeds).
    expect(calls.filter((c) => c.api.startsWith("Glue.GetTable")).length).toBeGreaterThanOrEqual(4);
    expect(calls.filter((c) => !READS.test(c.api))).toEqual([]);
    expect([await fingerprint(env.aws), await fingerprint(env.dir)]).toEqual(before);

    // The window comes from the watermark the first build recorded in Glue.
    const events = r.stdout
      .split(/\n\n(?=\S)/)
      .find((b) => b.startsWith("ecommerce_silver.events "));
    expect(events).toMatch(/on catalog: insert_overwrite/);
    expect(events).toMatch(/window: from 2026\/11\/27\/00 \(watermark 2026\/11\/27\/03\)/);
    expect(events).toMatch(
      /catalog publish_partitions ecommerce_silver\.events__sluice_\w+ -> ecommerce_silver\.events/,
    );
    expect(events).toContain(`dt >= '2026/11/27/00'`);
    // A table: CTAS to staging, Glue swap, stale data deleted.
    const seed = r.stdout
      .split(/\n\n(?=\S)/)
      .find((b) => b.startsWith("ecommerce_seeds.country_codes "));
    expect(seed).toMatch(/on catalog: unchanged/);
    // A mart: its partitions (the dates new data touched) staged, then published.
    const mart = r.stdout.split(/\n\n(?=\S)/).find((b) => b.startsWith("ecommerce_marts.funnel "));
    expect(mart).toMatch(
      /catalog publish_partitions ecommerce_marts\.funnel__sluice_\w+ -> ecommerce_marts\.funnel /,
    );
    const table = r.stdout
      .split(/\n\n(?=\S)/)
      .find((b) => b.startsWith("ecommerce_marts.daily_revenue "));
    expect(table).toMatch(
      /sql create_table_as[\s\S]*catalog publish_table [\s\S]*storage delete_stale_locations/,
    );
  }, 120_000);

  it("--format json gives the plans as data; every statement parses as Athena routes it", async () => {
    await callLog(env.endpoint.url, true);
    const r = await env.sluice("run", "--target", "prod", "--dry-run", "--format", "json");
    expect(r.code, r.stderr).toBe(0);
    expect((await callLog(env.endpoint.url)).filter((c) => !READS.test(c.api))).toEqual([]);
    const plans = JSON.parse(r.stdout) as {
      node: string;
      action: string;
      steps: {
        kind: string;
        op?: string;
        statement?: { sql: string; grammar: "trino" | "hive" };
      }[];
    }[];
    // `run`: models and sources, no tests.
    expect(plans.map((p) => p.node)).toContain("model.events");
    expect(plans.some((p) => p.node.startsWith("test."))).toBe(false);
    const statements = plans.flatMap((p) =>
      p.steps.flatMap((s) => (s.statement ? [s.statement] : [])),
    );
    expect(statements.length).toBeGreaterThan(10);
    for (const s of statements) expect(grammarErrors(s)).toEqual([]);
    const ops = new Set(plans.flatMap((p) => p.steps.map((s) => s.op ?? s.kind)));
    for (const op of [
      "drop_staging_tables",
      "publish_table",
      // (set_parameters: append and merge only; every incremental model here overwrites)
      "publish_partitions",
      "delete_stale_locations",
    ])
      expect(ops).toContain(op);
  }, 120_000);

  it.each([
    ["the next run", []],
    ["--full-refresh", ["--full-refresh"]],
  ])(
    "%s: the plan printed is what the build runs, step by step (SQL, Glue and S3 operations, in order)",
    async (_, flags) => {
      const planned = await env.sluice(
        ...["build", "--target", "prod", ...flags, "--dry-run", "--format", "json"],
      );
      expect(planned.code, planned.stderr).toBe(0);
      // Only this run's plans in target/run.
      await rm(path.join(env.dir, "target/run"), { recursive: true, force: true });
      const built = await env.sluice("build", "--target", "prod", ...flags);
      expect(built.code, built.stdout + built.stderr).toBe(0);
      const plans = JSON.parse(planned.stdout) as Plan[];
      const nodes = plans.filter((p) => p.kind !== "test");
      // Every materialization: the raw source, the seed, the incremental models and marts, the
      // table model (tests are checked by the runner's assertions, not by a plan).
      expect(new Set(nodes.map((p) => `${p.kind} ${p.materialization}`))).toEqual(
        new Set(["source source", "seed seed", "model incremental", "model table"]),
      );
      const actions = new Set<string>();
      const ran = await ranPlans(env.dir);
      for (const plan of nodes) {
        // On success no compensation runs; every other step runs, as planned, in order.
        for (const step of plan.steps.filter((s) => s.condition !== undefined))
          expect(step.condition, `${plan.node}: ${step.purpose}`).toEqual({ if: "failed" });
        const unconditional = plan.steps.filter((s) => s.condition === undefined);
        const executed = ran.get(plan.node);
        expect(executed, `${plan.node}: no plan in target/run`).toBeDefined();
        expect(normal(executed!.steps), plan.node).toEqual(normal(unconditional));
        expect(executed!.action, plan.node).toBe(plan.action);
        actions.add(plan.action);
      }
      expect([...actions].sort()).toEqual(
        flags.length > 0
          ? ["new version", "register source"]
          : ["insert_overwrite", "new version", "register source", "unchanged"],
      );
    },
    300_000,
  );
});

interface Plan {
  node: string;
  kind: string;
  materialization: string;
  action: string;
  steps: { kind: string; purpose: string; condition?: { if: string } }[];
}

/** The plans the last run wrote to target/run (`<file>.plan.json`), by node id. */
async function ranPlans(dir: string): Promise<Map<string, Plan>> {
  const files = (await readdir(path.join(dir, "target/run"), { recursive: true })).filter((f) =>
    f.endsWith(".plan.json"),
  );
  const plans = await Promise.all(
    files.map(
      async (f) => JSON.parse(await readFile(path.join(dir, "target/run", f), "utf8")) as Plan,
    ),
  );
  return new Map(plans.map((p) => [p.node, p]));
}

/**
 * Steps as JSON with what two invocations cannot share replaced: run ids (and write ids, numbered
 * by start order with 4 threads), and the inputs fingerprint, which holds the version ids of the
 * tables a node reads (written by the run, so known to the dry run only as "planned"); likewise
 * the SELECT's record (`sluice_select`: a fingerprint holding the run's write ids as schema ids).
 */
const normal = (steps: readonly object[]): unknown =>
  JSON.parse(
    JSON.stringify(steps)
      .replace(/\d{8}t\d{6}z_[0-9a-f]{4}(_\d+)?/gi, "<run>")
      .replace(/"sluice_inputs":"[^"]*"/g, '"sluice_inputs":"<inputs>"')
      .replace(/"sluice_select":"sha256:[0-9a-f]{64}"/g, '"sluice_select":"<select>"'),
  );
