import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, readRunResults, runSluice } from "../support/cli.js";

/**
 * dbt 1.8 unit tests of the models project, end to end: `sluice test -s test_type:unit` on a
 * temp copy, with no lake built, then the same with a wrong expectation, a failing unit test
 * in `build`, and test declarations the loader refuses.
 */
describe("unit tests (sluice test -s test_type:unit)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  /** Each result of the last run, by sluice id (run_results.json holds dbt's unique ids). */
  const results = async () =>
    (await readRunResults(dir)).results.map((r) => ({
      id: r.id,
      status: r.status,
      because: r["skipped_because"],
    }));
  const edit = async (file: string, from: string, to: string) => {
    const p = path.join(dir, file);
    const text = await readFile(p, "utf8");
    expect(text).toContain(from);
    await writeFile(p, text.replace(from, to));
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
  });
  afterAll(() => cleanup());

  const ids = [
    "unit_test.events.events_full_build_keeps_first_copy",
    "unit_test.events.events_incremental_merges_window_with_kept_rows",
    "unit_test.sales_by_country.sales_by_country_sums_per_day_and_country",
    "unit_test.stg_events.stg_events_parses_and_rejects",
  ];

  it("a staging model, an incremental model in both branches and a mart pass, with no lake built", async () => {
    // The Athena target's models (Trino SQL) run the same way, with no AWS reached and no lake.
    const prod = await sluice("--target", "prod", "test", "--select", "test_type:unit");
    expect(prod.code, prod.stdout + prod.stderr).toBe(0);
    expect(await results()).toEqual(ids.map((id) => ({ id, status: "pass", because: undefined })));
    expect(existsSync(path.join(dir, ".lake"))).toBe(false);
    const r = await sluice("test", "--select", "test_type:unit");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await results()).toEqual(ids.map((id) => ({ id, status: "pass", because: undefined })));
    expect(r.stderr).toContain("PASS  unit test events_incremental_merges_window_with_kept_rows");
    const ls = await sluice("ls", "--resource-type", "unit_test", "--format", "name");
    expect(ls.stdout.trim().split("\n")).toEqual(ids);
    // test_type:data is every other test: no unit test among them.
    const data = await sluice("ls", "--select", "test_type:data", "--format", "name");
    expect(data.code).toBe(0);
    expect(data.stdout).not.toContain("unit_test.");
    expect(data.stdout).toContain("test.not_null_stg_events_dt");
  });

  it("a wrong expectation fails (exit 1) with a diff naming the differing cell", async () => {
    await edit("marts/sales_by_country.unit.yml", "revenue: 49.97", "revenue: 49.98");
    const r = await sluice("test", "--select", "sales_by_country", "--exclude", "test_type:data");
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain("row 1: revenue expected 49.98, got 49.97");
    expect(r.stdout).toMatch(/-\s+2026-01-01\s+Germany\s+DE\s+2\s+1\s+3\s+49\.98\n/);
    expect(r.stdout).toMatch(/\+\s+2026-01-01\s+Germany\s+DE\s+2\s+1\s+3\s+>49\.97<\n/);
    await edit("marts/sales_by_country.unit.yml", "revenue: 49.98", "revenue: 49.97");
  });

  it("rows given as format: sql, and overrides of vars and env_vars, are what the model runs on", async () => {
    // A model of its own (removed after): a var sets the VIP threshold, an env_var the region.
    const model = path.join(dir, "marts/country_tiers.sql");
    const tests = path.join(dir, "marts/country_tiers.unit.yml");
    await writeFile(
      model,
      [
        "select country,",
        "  case when revenue >= {{ var('vip_revenue', 100) }} then 'vip' else 'regular' end as tier,",
        "  '{{ env_var('SLUICE_TEST_REGION', 'eu') }}' as region",
        "from {{ ref('sales_by_country') }}",
        "",
      ].join("\n"),
    );
    const given = [
      "    given:",
      "      - input: ref('sales_by_country')",
      "        format: sql",
      "        rows: |",
      "          select 'Germany' as country, 150.0 as revenue",
      "          union all select 'France', 50.0",
    ];
    const unitTests = (threshold: number) =>
      [
        "version: 2",
        "unit_tests:",
        "  - name: tiers_by_default",
        "    model: country_tiers",
        ...given,
        "    expect:",
        "      rows:",
        "        - {country: Germany, tier: vip, region: eu}",
        "        - {country: France, tier: regular, region: eu}",
        "  - name: tiers_overridden",
        "    model: country_tiers",
        "    overrides:",
        `      vars: {vip_revenue: ${threshold}}`,
        "      env_vars: {SLUICE_TEST_REGION: us}",
        ...given,
        "    expect:",
        "      rows:",
        "        - {country: Germany, tier: vip, region: us}",
        "        - {country: France, tier: vip, region: us}",
        "",
      ].join("\n");
    try {
      // 40: France's 50.0 is VIP only under the override; the region is the overridden one.
      await writeFile(tests, unitTests(40));
      const ok = await sluice("test", "--select", "country_tiers,test_type:unit");
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(await results()).toEqual([
        { id: "unit_test.country_tiers.tiers_by_default", status: "pass", because: undefined },
        { id: "unit_test.country_tiers.tiers_overridden", status: "pass", because: undefined },
      ]);
      // 60: France is no longer VIP under the override, and the diff says so.
      await writeFile(tests, unitTests(60));
      const off = await sluice("test", "--select", "country_tiers,test_type:unit");
      expect(off.code, off.stdout + off.stderr).toBe(1);
      expect(off.stdout).toMatch(/row \d+: tier expected vip, got regular/);
      expect(off.stdout).toMatch(/\+\s+France\s+>regular<\s+us\n/);
      expect((await results()).map((r) => [r.id, r.status])).toEqual([
        ["unit_test.country_tiers.tiers_by_default", "pass"],
        ["unit_test.country_tiers.tiers_overridden", "fail"],
      ]);
    } finally {
      await rm(model, { force: true });
      await rm(tests, { force: true });
    }
  });

  it("build: a failing unit test skips its model and the model's children", async () => {
    // One raw hour, so that the raw source itself builds.
    const hour = path.join(dir, ".lake/raw/events/2026/01/01/10");
    await mkdir(hour, { recursive: true });
    await writeFile(
      path.join(hour, "events-1"),
      '{"event_id":"e1","event_type":"product_view","session_id":"s1","event_timestamp":"2026-01-01T10:00:00Z","customer":{"customer_id":7,"country":"Germany"},"product":{"product_id":3,"price":19.99}}\n',
    );
    await edit(
      "silver/events.unit.yml",
      "e1,2026/01/01/10,2026-01-01",
      "e1,2026/01/01/11,2026-01-01",
    );
    const r = await sluice("build");
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const byId = new Map((await results()).map((x) => [x.id, x]));
    const failed = "unit_test.events.events_full_build_keeps_first_copy";
    expect(byId.get(failed)?.status).toBe("fail");
    expect(byId.get("model.stg_events")?.status).toBe("success");
    for (const id of ["model.events", "model.order_items", "model.sales_by_country"])
      expect(byId.get(id), id).toMatchObject({ status: "skipped", because: failed });
    // The other model's unit tests still ran, and passed.
    expect(byId.get("unit_test.stg_events.stg_events_parses_and_rejects")?.status).toBe("pass");
    // Production leaves unit tests out, as dbt's docs advise (and here the data tests, which
    // one raw event fails): the models the failing unit test held back then build.
    const prod = await sluice(
      ...["build", "-s", "+events", "--exclude-resource-type", "unit_test", "test"],
    );
    expect(prod.code, prod.stdout + prod.stderr).toBe(0);
    expect((await results()).map((x) => [x.id, x.status])).toEqual([
      ["source.raw.events", "success"],
      ["model.stg_events", "success"],
      ["model.events", "success"],
    ]);
    await edit(
      "silver/events.unit.yml",
      "e1,2026/01/01/11,2026-01-01",
      "e1,2026/01/01/10,2026-01-01",
    );
  });

  it("a pass is reused while nothing it depends on changed, and says so; a change runs it again", async () => {
    const unit = ["test", "--select", "test_type:unit"];
    /** Each unit test's status and, when reused, the run it reuses. */
    const outcomes = async () =>
      new Map(
        (await readRunResults(dir)).results.map((r) => [
          r.id,
          {
            status: r.status,
            reused: (r["reused"] as { run_id?: string } | undefined)?.run_id,
            message: r.message,
          },
        ]),
      );
    const fresh = await sluice(...unit, "--no-unit-test-cache");
    expect(fresh.code, fresh.stdout + fresh.stderr).toBe(0);
    const first = (await readRunResults(dir)).run_id;
    for (const [id, o] of await outcomes()) expect(o, id).toMatchObject({ reused: undefined });

    const again = await sluice(...unit);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const reused = await outcomes();
    expect([...reused.keys()]).toEqual(ids);
    for (const [id, o] of reused) {
      expect(o, id).toMatchObject({ status: "pass", reused: first });
      expect(o.message, id).toMatch(
        new RegExp(
          `^\\d rows as expected \\(reused: nothing it depends on changed since run ${first}\\)$`,
        ),
      );
    }
    expect(again.stderr).toContain("(reused: nothing it depends on changed since run");

    // The fixture a test reads changed: that test runs again (and fails); the others are reused.
    const fixture = "tests/fixtures/sales_by_country_items.csv";
    await edit(fixture, "2026-01-01,Atlantis,o3,8,1,5.00", "2026-01-01,Atlantis,o3,8,1,5.01");
    const changed = await sluice(...unit);
    expect(changed.code, changed.stdout + changed.stderr).toBe(1);
    const sales = "unit_test.sales_by_country.sales_by_country_sums_per_day_and_country";
    let now = await outcomes();
    expect(now.get(sales)).toMatchObject({ status: "fail", reused: undefined });
    for (const id of ids.filter((i) => i !== sales))
      expect(now.get(id), id).toMatchObject({ status: "pass", reused: first });
    await edit(fixture, "2026-01-01,Atlantis,o3,8,1,5.01", "2026-01-01,Atlantis,o3,8,1,5.00");

    // An upstream model's SQL changed (the mock's columns come from it): its dependants run.
    await edit(
      "silver/order_items.sql",
      "    event_date\nfrom {{ json_fields(",
      "    event_date\n\nfrom {{ json_fields(",
    );
    const upstream = await sluice(...unit);
    expect(upstream.code, upstream.stdout + upstream.stderr).toBe(0);
    now = await outcomes();
    expect(now.get(sales)).toMatchObject({ status: "pass", reused: undefined });
    expect(now.get("unit_test.stg_events.stg_events_parses_and_rejects")?.reused).toBe(first);

    // --full-refresh runs every unit test.
    const full = await sluice("build", "--select", "test_type:unit", "--full-refresh");
    expect(full.code, full.stdout + full.stderr).toBe(0);
    for (const [id, o] of await outcomes())
      expect(o, id).toMatchObject({ status: "pass", reused: undefined });
  });

  it("refuses a bad declaration before any work (exit 2), at file:line:column with the fix", async () => {
    const file = "marts/bad.unit.yml";
    const write = (text: string) => writeFile(path.join(dir, file), text);
    await write(
      [
        "version: 2",
        "unit_tests:",
        "  - name: t1",
        "    model: sales_by_contry",
        "    given: []",
        "    expect: {rows: []}",
        "  - name: t2",
        "    model: funnel",
        "    given:",
        "      - input: reff('events')",
        "    expect: {rows: []}",
        "  - name: t3",
        "    model: sales_by_country",
        "    given:",
        "      - input: ref('events')",
        "    expect: {rows: [], fixture: x, format: csv}",
        "",
      ].join("\n"),
    );
    const r = await sluice("test", "--select", "test_type:unit");
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `${file}:10:16: error PROPERTIES_INVALID: unit_tests[1].given[0].input: 'reff('events')' is not an input`,
    );
    expect(r.stderr).toContain("write ref('model'), source('source_name', 'table') or this");
    expect(r.stderr).toContain(`${file}:16:24: error PROPERTIES_INVALID`);
    expect(r.stderr).toContain("give rows or fixture, not both");
    await write(
      [
        "version: 2",
        "unit_tests:",
        "  - name: t1",
        "    model: sales_by_contry",
        "    expect: {rows: []}",
        "  - name: t3",
        "    model: sales_by_country",
        "    given:",
        "      - input: ref('events')",
        "    expect: {rows: []}",
        "",
      ].join("\n"),
    );
    const c = await sluice("test", "--select", "test_type:unit");
    expect(c.code, c.stdout + c.stderr).toBe(2);
    expect(c.stderr).toContain(
      `${file}:3:5: error UNIT_TEST_INVALID: unit test 't1': model 'sales_by_contry' is not a model of the project`,
    );
    expect(c.stderr).toContain("did you mean 'sales_by_country'?");
    expect(c.stderr).toContain(
      `${file}:9:9: error UNIT_TEST_INVALID: unit test 't3': model 'sales_by_country' does not read ref('events')`,
    );
    expect(c.stderr).toContain("it reads ref('order_items'), ref('country_codes')");
    expect(c.stderr).toContain("nothing was run");
  });
});
