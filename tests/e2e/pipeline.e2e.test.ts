import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice, readRunResults } from "../support/cli.js";
import { queryLake } from "../support/lake-reader.js";

/** The main job on the embedded DuckDB lake: generate -> build -> query the marts. */
describe("pipeline on the local DuckDB lake", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    const gen = await sluice(
      "generate",
      "--events",
      // The average rate: the night hours generated here get ~70% of it (and ~3% of sessions order).
      "4000",
      "--start",
      "2026-11-27T00:00:00Z",
      "--hours",
      "6",
      "--seed",
      "7",
      "--sink",
      "local",
    );
    expect(gen.stderr + gen.stdout).not.toMatch(/error/i);
    expect(gen.code).toBe(0);
  });
  afterAll(() => cleanup());

  it("writes raw files in Firehose's layout and naming", async () => {
    const hours = await readdir(path.join(dir, ".lake/raw/events/2026/11/27"));
    expect(hours.length).toBeGreaterThanOrEqual(6);
    const files = await readdir(path.join(dir, ".lake/raw/events/2026/11/27", hours[0]!));
    for (const f of files)
      expect(f).toMatch(/^[\w-]+-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}(\.gz)?$/);
  });

  it("builds seeds, models and tests, then the marts answer queries", async () => {
    const build = await sluice("build");
    expect(build.stderr).not.toMatch(/ ERROR /);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).toMatch(/Done in [\d.]+ m?s\. \d+ models and 1 seed built/);

    const results = (await readRunResults(dir)) as {
      results: { id: string; status: string; rows?: number }[];
    };
    const byId = new Map(results.results.map((r) => [r.id, r]));
    expect(byId.get("model.events")?.status).toBe("success");
    expect(byId.get("model.events")?.rows).toBeGreaterThan(2500);
    expect(results.results.filter((r) => r.status === "fail" || r.status === "error")).toEqual([]);

    const funnel = await sluice(
      "query",
      "select stage, sessions from marts.funnel order by stage_order",
      "--format",
      "json",
    );
    expect(funnel.code).toBe(0);
    const stages = JSON.parse(funnel.stdout) as { stage: string; sessions: number }[];
    expect(stages.map((s) => s.stage)).toEqual([
      "product_view",
      "add_to_cart",
      "checkout_started",
      "order_paid",
    ]);
    for (let i = 1; i < stages.length; i++)
      expect(stages[i]!.sessions).toBeLessThanOrEqual(stages[i - 1]!.sessions);

    const countries = await sluice(
      "query",
      "select count(*) as n, count(country_iso2) as with_iso from marts.sales_by_country",
      "--format",
      "json",
    );
    const [c] = JSON.parse(countries.stdout) as { n: number; with_iso: number }[];
    expect(c!.n).toBeGreaterThan(5);
    expect(c!.with_iso).toBe(c!.n);

    const csv = await sluice(
      "query",
      "select channel, sessions from marts.channel_performance order by channel",
      "--format",
      "csv",
    );
    expect(csv.stdout.split("\n")[0]).toBe("channel,sessions");

    // A join's `select *` names stage_order twice: keyed by name, the second column replaced the
    // first in every row (`select 1 as a, 2 as a` printed 2 twice). Both are printed, and why.
    const twice = await sluice(
      "query",
      'select f.stage_order, g.stage_order, 3 as "stage_order:1" from marts.funnel f join marts.funnel g on g.stage_order = f.stage_order + 1 order by 1 limit 1',
      "--format",
      "json",
    );
    expect(twice.code, twice.stderr).toBe(0);
    expect(JSON.parse(twice.stdout)).toEqual([
      { stage_order: 1, "stage_order:2": 2, "stage_order:1": 3 },
    ]);
    expect(twice.stderr).toBe(
      "warning: the result names a column more than once; printed as stage_order:2 (a second stage_order): give each column its own name (AS ...)\n",
    );
    const table = await sluice("query", "select 1 as a, 2 as a");
    expect(table.stdout.split("\n").slice(0, 3)).toEqual(["a  a:1", "-  ---", "1    2"]);

    // Trino fails a division by zero where DuckDB answers NULL: the lake fails too, in Athena's
    // words (it said "Could not convert string 'Division by zero' to INT32").
    const zero = await sluice("query", "select count(*) / 0 as n from marts.funnel");
    expect(zero.code).toBe(1);
    expect(zero.stderr).toBe("query failed: DIVISION_BY_ZERO: Division by zero\n");
    // And a query's casts are the models' (Trino's): '1.5' is no bigint (DuckDB reads 2).
    const cast = await sluice("query", "select cast('1.5' as bigint) as n");
    expect(cast.code).toBe(1);
    expect(cast.stderr).toBe("query failed: INVALID_CAST_ARGUMENT: Cannot cast '1.5' to BIGINT\n");
  });

  it("show previews a model's SQL run from source, one node, and --inline SQL with refs, as dbt show", async () => {
    // The model's SQL, run again (not read from the table): the same rows as the table it built.
    const shown = await sluice(
      ...["show", "-s", "sales_by_country", "--limit", "-1", "--output", "json"],
    );
    expect(shown.code, shown.stderr).toBe(0);
    const preview = JSON.parse(shown.stdout) as { node: string; show: Record<string, unknown>[] };
    expect(preview.node).toBe("sales_by_country");
    const table = await sluice("query", "select * from marts.sales_by_country", "--format", "json");
    const key = (r: Record<string, unknown>) => JSON.stringify(r);
    expect(preview.show.map(key).sort()).toEqual(
      (JSON.parse(table.stdout) as Record<string, unknown>[]).map(key).sort(),
    );
    // Past the default limit of 5.
    expect(preview.show.length).toBeGreaterThan(5);

    // A staging model reads the raw zone through the lake's window call, which a run binds:
    // show reads the whole raw table (it said 'Table Function sluice_raw_window does not exist').
    const staging = await sluice("show", "-s", "stg_events", "--limit", "1", "--format", "json");
    expect(staging.code, staging.stderr).toBe(0);
    expect(JSON.parse(staging.stdout)).toMatchObject({
      node: "stg_events",
      show: [{ dt: expect.any(String) }],
    });
    // --limit goes into the SQL (5 by default); refs resolve as in a model.
    const inline = await sluice(
      "show",
      "--inline",
      "select event_id from {{ ref('events') }} order by event_id",
      "--format",
      "csv",
    );
    expect(inline.code, inline.stderr).toBe(0);
    const ids = inline.stdout.trim().split("\n");
    expect(ids[0]).toBe("event_id");
    expect(ids).toHaveLength(6);

    // A wrong ref is an error at its place in the SQL, before anything runs.
    const typo = await sluice("show", "--inline", "select * from {{ ref('fnnel') }}");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("--inline:1:18: error UNKNOWN_REF");
    expect(typo.stderr).toContain("did you mean 'funnel'?");
    // compile prints one selected node's SQL, and compiles --inline SQL, as dbt's compile.
    const one = await sluice("compile", "-s", "funnel");
    expect(one.stdout).toContain("\nCompiled node 'funnel' is:\nwith stages as (\n");
    const compiled = await sluice(
      ...[
        "compile",
        "--inline",
        "select * from {{ ref('funnel') }} where stage_order = {{ 1 + 1 }}",
      ],
    );
    expect(compiled.stdout).toBe(
      'Compiled inline node is:\nselect * from "marts"."funnel" where stage_order = 2\n',
    );
    // show only reads, on every target: refused before the target is opened.
    const drop = await sluice("show", "--inline", "drop table marts.funnel", "--limit", "-1");
    expect(drop.code).toBe(2);
    expect(drop.stderr).toMatch(/^show refused: a query must start with SELECT, .*found 'drop'/);
    // One node: a folder selects five.
    const many = await sluice("show", "-s", "marts");
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/^error: show previews one node; --select marts selects 5: /);
  });

  it("a second build with no new raw data appends nothing to the incremental silver table", async () => {
    const before = await queryLake(dir, "select count(*) as n from silver.events");
    const again = await sluice("build");
    expect(again.code).toBe(0);
    // Both incremental silver models read only the lookback window of the raw zone (the
    // watermark is the newest raw hour, even for rejected_events with no rows).
    expect(again.stderr).toMatch(/reconciled \d+ raw partitions from 2026\/11\/27\/0[0-9]:/);
    const after = await queryLake(dir, "select count(*) as n from silver.events");
    expect(after).toEqual(before);
  });

  it("--timeout stops the running queries, fails the build, and leaves the published tables readable", async () => {
    const before = await queryLake(dir, "select count(*) as n from silver.events");
    const stopped = await sluice("build", "--full-refresh", "--timeout", "0.2");
    expect(stopped.code).toBe(1);
    expect(stopped.stdout + stopped.stderr).toMatch(/timed out after 0\.2s \(--timeout\)/);
    const after = await queryLake(dir, "select count(*) as n from silver.events");
    expect(after).toEqual(before);
  });
});
