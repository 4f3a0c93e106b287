import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice, readRunResults } from "../support/cli.js";

interface Result {
  id: string;
  status: string;
  failures?: number;
  stored_failures?: string;
  dq?: {
    outcome: string;
    metric?: number;
    rule_text: string;
    rule_name: string;
    rule_type: string;
    message: string;
  };
}

/** DQDL rules in the workflow: `dq parse`, rules as tests in build/test, severity, --store-failures. */
describe("sluice dq and DQDL rules in build/test", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const results = async (): Promise<Map<string, Result>> => {
    const json = (await readRunResults(dir)) as {
      results: Result[];
    };
    return new Map(json.results.map((r) => [r.id, r]));
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    // Recent hours, so that the freshness rule (DataFreshness <= 3 days) passes whenever this runs:
    // 08:00-12:00 UTC of yesterday, one date whatever the time of day (the funnel has a row per
    // date and stage, and RowCount = 4 below counts one date; hours near midnight spilled into two).
    const start = new Date(
      Math.floor(Date.now() / 86_400_000) * 86_400_000 - 16 * 3_600_000,
    ).toISOString();
    const gen = await sluice(
      "generate",
      "--events",
      "2000",
      "--start",
      start,
      "--hours",
      "4",
      "--seed",
      "11",
      "--sink",
      "local",
    );
    expect(gen.code, gen.stderr).toBe(0);
  });
  afterAll(() => cleanup());

  it("dq parse prints the AST as JSON and exits 0", async () => {
    const r = await sluice("dq", "parse", path.join(dir, "rules/events.dqdl"), "--format", "json");
    expect(r.code, r.stderr).toBe(0);
    const ast = JSON.parse(r.stdout) as {
      data_sources: { primary: string };
      rules: { type: string; text: string }[];
    };
    expect(ast.data_sources.primary).toBe("events");
    expect(ast.rules.map((x) => x.type)).toContain("IsUnique");
    expect(ast.rules[0]).toMatchObject({
      type: "RowCount",
      condition: { operator: ">", operands: [0] },
    });

    const text = await sluice("dq", "parse", path.join(dir, "rules/order_items.dqdl"));
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /Rule_7 {2}11:5 {2}ReferentialIntegrity "event_id" "events.event_id" = 1.0/,
    );
  });

  it("dq parse reports syntax errors at file:line:column and exits 2", async () => {
    const bad = path.join(dir, "bad.dqdl");
    await writeFile(bad, 'Rules = [\n  IsComplete "a",\n  Bogus "x" > 1\n]\n');
    const r = await sluice("dq", "parse", bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:3:3: error DQDL_SYNTAX: unknown rule type 'Bogus'`);
    expect(r.stdout).toBe("");

    await writeFile(bad, 'Rules = [\n  ColumnValues "a" between 1\n]');
    const between = await sluice("dq", "parse", bad, "--format", "json");
    expect(between.code).toBe(2);
    expect(between.stderr).toContain(`${bad}:3:1: error DQDL_SYNTAX: expected 'and'`);
  });

  it("build runs the project's rulesets right after their models; all PASS on generated data", async () => {
    const build = await sluice("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).toMatch(/DQDL rules: 20 PASS, 0 FAIL, 0 ERROR/);
    const byId = await results();
    const events = await countEvents();
    expect(byId.get("test.dq_events_rule_1")?.dq).toEqual({
      rule_name: "Rule_1",
      rule_type: "RowCount",
      rule_text: "RowCount > 0",
      outcome: "PASS",
      metric: events,
      message: "",
    });
    expect(byId.get("test.dq_order_items_rule_7")?.dq).toMatchObject({
      rule_type: "ReferentialIntegrity",
      outcome: "PASS",
      metric: 1,
    });
    expect(byId.get("test.dq_raw_events_rule_1")?.dq?.outcome).toBe("PASS");
    // The order of the log: silver.events, then its rules, before the marts that read it.
    const order = build.stderr
      .split("\n")
      .map((l) => / (table|incremental|test) (\S+)/.exec(l)?.[2])
      .filter(Boolean);
    expect(order.indexOf("dq_events_rule_3")).toBeGreaterThan(order.indexOf("silver.events"));
    expect(order.indexOf("dq_events_rule_3")).toBeLessThan(order.indexOf("marts.funnel"));
  });

  async function countEvents(): Promise<number> {
    const q = await sluice("query", "select count(*) as n from silver.events", "--format", "json");
    return (JSON.parse(q.stdout) as { n: number }[])[0]!.n;
  }

  it("a warn-labelled failing rule gives WARN and exit 0; a failing rule gives FAIL with its metric and exit 1", async () => {
    await writeFile(
      path.join(dir, "rules/funnel.dqdl"),
      'Rules = [\n  RowCount = 4,\n  ColumnValues "sessions" > 1000000 labels=["severity"="warn"]\n]\n',
    );
    // The mart is incremental: with no new data a plain build has no new rows to check, so the
    // rebuild reads the whole table.
    const warn = await sluice("build", "--select", "funnel", "--full-refresh");
    expect(warn.code, warn.stdout + warn.stderr).toBe(0);
    expect(warn.stdout).toContain(
      'WARN test.dq_funnel_rule_2: FAIL ColumnValues "sessions" > 1000000',
    );
    let byId = await results();
    expect(byId.get("test.dq_funnel_rule_1")).toMatchObject({
      status: "pass",
      dq: { outcome: "PASS", metric: 4 },
    });
    expect(byId.get("test.dq_funnel_rule_2")).toMatchObject({
      status: "warn",
      dq: { outcome: "FAIL", metric: 0 },
    });

    await writeFile(
      path.join(dir, "rules/channel_performance.dqdl"),
      'Rules = [ ColumnValues "sessions" < 0 with threshold > 0.5 ]\n',
    );
    // A failing singular test stores its failing rows too.
    await writeFile(
      path.join(dir, "tests/assert_no_channels.sql"),
      "select channel from {{ ref('channel_performance') }}\n",
    );
    const fail = await sluice("build", "--select", "channel_performance", "--store-failures");
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain(
      'FAIL test.dq_channel_performance_rule_1: FAIL ColumnValues "sessions" < 0 with threshold > 0.5 (metric 0)',
    );
    expect(fail.stdout).toContain(
      "failing rows stored in marts_audit.dq_channel_performance_rule_1",
    );
    byId = await results();
    const r = byId.get("test.dq_channel_performance_rule_1");
    expect(r).toMatchObject({
      status: "fail",
      stored_failures: "marts_audit.dq_channel_performance_rule_1",
      dq: { outcome: "FAIL", metric: 0 },
    });
    expect(r?.dq?.message).toBe("Value: 0 does not meet the constraint requirement!");

    // The audit table holds the failing rows (all 7 channels have sessions >= 0).
    const audit = await sluice(
      "query",
      "select count(*) as n, min(sessions) as s from marts_audit.dq_channel_performance_rule_1",
      "--format",
      "json",
    );
    const [row] = JSON.parse(audit.stdout) as { n: number; s: number }[];
    expect(row!.n).toBe(r!.failures);
    expect(row!.n).toBeGreaterThan(0);
    expect(row!.s).toBeGreaterThanOrEqual(0);
    expect(byId.get("test.assert_no_channels")).toMatchObject({
      status: "fail",
      failures: row!.n,
      stored_failures: "marts_audit.assert_no_channels",
    });
    const singular = await sluice(
      "query",
      "select count(*) as n from marts_audit.assert_no_channels",
      "--format",
      "json",
    );
    expect(JSON.parse(singular.stdout)).toEqual([{ n: row!.n }]);
    await rm(path.join(dir, "rules/channel_performance.dqdl"));
    await rm(path.join(dir, "tests/assert_no_channels.sql"));
  });

  it("a ruleset that names nothing, or an unsupported rule, stops the command with exit 2 at its position", async () => {
    await writeFile(
      path.join(dir, "rules/typo.dqdl"),
      'DataSources = { "Primary": "evnts" }\nRules = [ RowCount > 0 ]\n',
    );
    const target = await sluice("test");
    expect(target.code).toBe(2);
    expect(target.stderr).toContain(
      "rules/typo.dqdl:1:1: error DQDL_TARGET: DataSources Primary names 'evnts'",
    );
    expect(target.stderr).toContain("did you mean 'events'?");
    await rm(path.join(dir, "rules/typo.dqdl"));

    await writeFile(
      path.join(dir, "rules/funnel.dqdl"),
      'Rules = [\n  DetectAnomalies "RowCount"\n]\n',
    );
    const unsupported = await sluice("test", "--select", "funnel");
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toContain(
      "rules/funnel.dqdl:2:3: error DQDL_UNSUPPORTED: DetectAnomalies is not supported on this target",
    );

    await writeFile(
      path.join(dir, "rules/funnel.dqdl"),
      'Rules = [\n  DetectAnomalies "RowCount" labels=["severity"="warn"]\n]\n',
    );
    const warned = await sluice("test", "--select", "funnel");
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain("warn DQDL_UNSUPPORTED");
    expect((await results()).get("test.dq_funnel_rule_1")).toMatchObject({
      status: "warn",
      dq: { outcome: "ERROR" },
    });
    await rm(path.join(dir, "rules/funnel.dqdl"));
  });
});
