import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

// dbt's node selection on a temp copy of the models project (model-paths: sources, staging,
// silver, marts under the project dir).
describe("sluice --select / --exclude", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
  });
  afterAll(async () => cleanup());

  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const ls = async (...args: string[]): Promise<string[]> => {
    const r = await sluice("ls", "--format", "name", ...args);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim().split("\n").filter(Boolean);
  };
  // Tests and unit tests come along with their models (indirect selection); these are the rest.
  const models = (ids: string[]) => ids.filter((id) => !/^(unit_)?test\./.test(id)).sort();
  const marts = [
    "model.channel_performance",
    "model.customer_lifetime_value",
    "model.funnel",
    "model.hourly_sales_by_category",
    "model.sales_by_country",
  ];

  it("-s marts: a folder, with the tests of its models", async () => {
    const ids = await ls("-s", "marts");
    expect(models(ids)).toEqual(marts);
    expect(ids).toContain("test.not_null_funnel_stage_order");
    expect(ids).toContain("unit_test.sales_by_country.sales_by_country_sums_per_day_and_country");
  });

  it("--output as dbt ls spells it: name, json, path (each file once)", async () => {
    const names = await sluice("ls", "-s", "funnel", "--output", "name");
    expect(names.stdout.trim().split("\n")).toEqual(await ls("-s", "funnel"));
    const json = await sluice("ls", "-s", "funnel", "--output", "json");
    expect((JSON.parse(json.stdout) as { id: string }[])[0]!.id).toBe("model.funnel");
    const paths = await sluice("ls", "-s", "funnel", "--output", "path");
    expect(paths.stdout).toBe("marts/funnel.sql\nmarts/marts.yml\n");
  });

  it("-s marts --exclude funnel: funnel and its tests are out", async () => {
    const ids = await ls("-s", "marts", "--exclude", "funnel");
    expect(models(ids)).toEqual(marts.filter((m) => m !== "model.funnel"));
    expect(ids.filter((id) => id.includes("funnel"))).toEqual([]);
  });

  it("-s +exposure:name: what a dashboard reads and everything upstream, with their tests", async () => {
    const ids = await ls("-s", "+exposure:ecommerce_funnel");
    expect(models(ids)).toEqual([
      "model.events",
      "model.funnel",
      "model.stg_events",
      "source.raw.events",
    ]);
    expect(ids).toContain("test.not_null_funnel_stage_order");
    const all = models(await ls("-s", "+exposure:sales_dashboard"));
    expect(all.filter((id) => marts.includes(id))).toEqual(marts);
    expect(all).toContain("seed.country_codes");
    const typo = await sluice("ls", "-s", "+exposure:sales_dashbord");
    expect(typo.stderr).toMatch(/matched no node\n\s*hint: did you mean 'sales_dashboard'\?/);
  });

  it("-s funnel.sql and -s marts/funnel.sql: a file", async () => {
    expect(models(await ls("-s", "funnel.sql"))).toEqual(["model.funnel"]);
    expect(models(await ls("-s", "marts/funnel.sql"))).toEqual(["model.funnel"]);
  });

  it('-s "tag:silver,config.materialized:incremental": an intersection', async () => {
    const ids = await ls("-s", "tag:silver,config.materialized:incremental");
    expect(models(ids)).toEqual(["model.events", "model.order_items", "model.rejected_events"]);
    expect(ids).toContain("test.dq_events_rule_1");
  });

  it("test_type:<type>,<node>: an intersection of a test method with a model or source picks its tests", async () => {
    // The rules of rules/events.dqdl, counted from the file: one per line inside Rules = [ ].
    const rulesOf = async (file: string) => {
      const text = await readFile(path.join(dir, "rules", file), "utf8");
      const body = text.slice(text.indexOf("Rules = ["), text.lastIndexOf("]"));
      return body.split("\n").filter((l) => /^\s+[A-Z]\w+ /.test(l)).length;
    };
    const dq = await ls("-s", "test_type:dq,events");
    expect(dq).toHaveLength(await rulesOf("events.dqdl"));
    expect(dq.every((id) => /^test\.dq_events_rule_\d+$/.test(id))).toBe(true);
    const raw = await ls("-s", "test_type:dq,raw.events");
    expect(raw).toHaveLength(await rulesOf("raw.events.dqdl"));
    expect(raw.every((id) => /^test\.dq_raw_events_rule_\d+$/.test(id))).toBe(true);
    // The generic tests declared under events in silver.yml (a relationships test of another
    // model that reads events is that model's).
    const yml = await readFile(path.join(dir, "silver/silver.yml"), "utf8");
    const block = yml.split(/\n {2}- name: /).find((b) => b.startsWith("events\n"))!;
    const declared = block
      .split("\n")
      .map(
        (l) =>
          /^\s+tests: \[(.*)\]/.exec(l)?.[1]?.split(",").length ??
          (/^\s+- (not_null|unique|accepted_values|relationships)\b/.test(l) ? 1 : 0),
      )
      .reduce((a, b) => a + b, 0);
    const generic = await ls("-s", "test_type:generic,events");
    expect(generic).toHaveLength(declared);
    expect(generic).toContain("test.not_null_events_event_id");
    expect(generic).toContain("test.unique_events_event_id");
    expect(generic.every((id) => id.startsWith("test.") && !id.startsWith("test.dq_"))).toBe(true);
    expect(await ls("-s", "test_type:unit,events")).toEqual([
      "unit_test.events.events_full_build_keeps_first_copy",
      "unit_test.events.events_incremental_merges_window_with_kept_rows",
    ]);
    // With a graph operator: the DQDL rules of funnel's parents and funnel (funnel has none).
    const upstream = await ls("-s", "test_type:dq,+funnel");
    expect(upstream.sort()).toEqual([...dq, ...raw].sort());
    // Order does not matter; an intersection of models alone is unchanged (tests come along
    // only when every node they test is selected).
    expect(await ls("-s", "events,test_type:dq")).toEqual(dq);
  });

  it('-s "funnel sales_by_country": spaces unite', async () => {
    expect(models(await ls("-s", "funnel sales_by_country"))).toEqual([
      "model.funnel",
      "model.sales_by_country",
    ]);
  });

  it("-s @order_items: its descendants and all their ancestors (the seed the marts join)", async () => {
    const ids = await ls("-s", "@order_items");
    expect(models(ids)).toEqual([
      "model.customer_lifetime_value",
      "model.events",
      "model.hourly_sales_by_category",
      "model.order_items",
      "model.sales_by_country",
      "model.stg_events",
      "seed.country_codes",
      "source.raw.events",
    ]);
    expect(ids).not.toContain("model.funnel");
  });

  it("build -s nomatch: warns nothing to do, exit 0, run_results.json untouched", async () => {
    const seeded = await sluice("seed");
    expect(seeded.code, seeded.stderr).toBe(0);
    const file = path.join(dir, "target/run_results.json");
    const before = await readFile(file);
    const r = await sluice("build", "-s", "nomatch");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("nothing to do: --select nomatch matched no node");
    expect(await readFile(file)).toEqual(before);

    const typo = await sluice("build", "-s", "funel");
    expect(typo.code).toBe(0);
    expect(typo.stderr).toMatch(
      /nothing to do: --select funel matched no node\n\s*hint: did you mean 'funnel'\?/,
    );
    expect(await readFile(file)).toEqual(before);
  });

  it("ls -s colour:red: an unknown method is a usage error listing the methods", async () => {
    const r = await sluice("ls", "-s", "colour:red");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown selector method 'colour:'");
    expect(r.stderr).toContain(
      "tag, path, file, fqn, source, resource_type, test_type, config.<key>, exposure",
    );
  });
});
