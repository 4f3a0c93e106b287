import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice, readRunResults } from "../support/cli.js";
import { expose } from "./lake-fixture.js";

/** A test's result as run_results.json and `--format json` write it. */
interface TestResult {
  id: string;
  status: string;
  failures?: number;
  scope?: { kind: string; detail: string };
  dq?: { outcome: string; metric?: number };
}

let dir: string;
let cleanup: () => Promise<void>;
const sluice = (args: string[]) => runSluice(["--project-dir", dir, ...args]);
const results = (stdout: string): Map<string, TestResult> =>
  new Map(
    (JSON.parse(stdout) as { results: TestResult[] }).results
      .filter((r) => r.id.startsWith("test."))
      .map((r) => [r.id, r]),
  );

// Two days of events (2026-11-25 and -26, none late); the last hour of the second day arrives
// after a full build. Then a rule and a test are added that the OLD day breaks and the new data
// keeps: every event from 2026-11-26 on (a tightened rule, checked on what arrives).
const LAST_HOUR = "2026/11/26/23";
const RULE = "test.dq_events_rule_1_2";
const TEST = "test.accepted_values_events_event_date";
const SINGULAR = "test.assert_recent_events";

beforeAll(async () => {
  const project = await copyModelsProject();
  dir = project.dir;
  cleanup = project.cleanup;
  const gen = await sluice([
    ...["generate", "--events", "4000", "--start", "2026-11-25T00:00:00Z"],
    ...["--hours", "48", "--seed", "3", "--late-rate", "0"],
  ]);
  expect(gen.code, gen.stderr).toBe(0);
  const hidden = path.join(path.dirname(dir), "hidden-raw");
  await mkdir(path.join(hidden, "2026/11/26"), { recursive: true });
  await rename(path.join(dir, ".lake/raw/events", LAST_HOUR), path.join(hidden, LAST_HOUR));
  const full = await sluice(["build"]);
  expect(full.code, full.stderr).toBe(0);

  await writeFile(
    path.join(dir, "rules/events_recent.dqdl"),
    'DataSources = { "Primary": "events" }\nRules = [ ColumnValues "event_timestamp" >= "2026-11-26" ]\n',
  );
  const yml = path.join(dir, "silver/silver.yml");
  const text = await readFile(yml, "utf8");
  const declared = "        description: Partition column, the UTC date of event_timestamp.\n";
  expect(text).toContain(`${declared}        tests: [not_null]\n`);
  await writeFile(
    yml,
    text.replace(
      `${declared}        tests: [not_null]\n`,
      `${declared}        tests: [not_null, {accepted_values: {values: ['2026-11-26']}}]\n`,
    ),
  );
  // A singular test scoped to the partitions a run writes, that the old day breaks too.
  await writeFile(
    path.join(dir, "tests/assert_recent_events.sql"),
    "{{ config(new_data='partitions') }}\n" +
      "select e.event_id from {{ ref('events') }} as e where e.event_date < date '2026-11-26'\n",
  );
  await expose(hidden, dir, [LAST_HOUR]);
}, 240_000);

afterAll(async () => cleanup?.());

describe("assertion scopes on the local lake", () => {
  it("an incremental build checks the partitions it wrote: the old day's violation is not read, and every result says so", async () => {
    const r = await sluice(["build", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const byId = results(r.stdout);
    for (const id of [RULE, TEST]) expect(byId.get(id)?.status, id).toBe("pass");
    // A DQDL rule's metric is a share of the rows of the partitions written; a test counting
    // failing rows reads the rows this run wrote (not those carry_where kept from older raw
    // hours in the same partition, checked when they were written), and says so.
    expect(byId.get(RULE)?.scope).toEqual({
      kind: "incremental",
      detail: "1 partition of event_date written this run (2026-11-26)",
    });
    expect(byId.get(TEST)?.scope).toEqual({
      kind: "incremental",
      detail:
        "the rows written this run in 1 partition of event_date (2026-11-26; rows carried into them unchanged are not rechecked)",
    });
    // Uniqueness: the keys of the rows this run wrote (not those carry_where kept from older
    // raw hours in the same partition), against their partitions (events declares
    // copies_share_partition=['event_id']); the IsUnique rule reads the same rows.
    for (const id of ["test.unique_events_event_id", "test.dq_events_rule_3"])
      expect(byId.get(id)?.scope?.detail, id).toBe(
        "keys of the rows written this run in 1 partition of event_date (2026-11-26; rows carried into them unchanged are not rechecked), against their partitions (copies of a key share its partition: copies_share_partition; --scope full checks the whole table)",
      );
    // References: the new rows of order_items, each looked up in the partitions of events this
    // run wrote, and only the keys not found there in the whole events table.
    const orderItems = "1 partition of event_date written this run (2026-11-26)";
    for (const id of ["test.relationships_order_items_event_id", "test.dq_order_items_rule_7"])
      expect(byId.get(id), id).toMatchObject({
        status: "pass",
        scope: {
          kind: "incremental",
          detail: `${orderItems}, looked up in events: ${orderItems}; then in the whole events for the keys not found there`,
        },
      });
    // No event was rejected this run: rejected_events' new-data tests have nothing to check and
    // pass saying so (skipped is kept for a failure upstream); nothing is skipped.
    for (const id of [
      "test.not_null_rejected_events_reject_reason",
      "test.accepted_values_rejected_events_reject_reason",
    ])
      expect(byId.get(id), id).toMatchObject({
        status: "pass",
        failures: 0,
        scope: { kind: "incremental", detail: "no partition written this run" },
      });
    expect([...byId.values()].filter((t) => t.status === "skipped")).toEqual([]);
    // Singular tests declared config(new_data='partitions'): the partitions written of every
    // table they ref.
    expect(byId.get(SINGULAR)).toMatchObject({
      status: "pass",
      failures: 0,
      scope: { kind: "incremental", detail: `events: ${orderItems}` },
    });
    expect(byId.get("test.assert_order_totals_match_items")).toMatchObject({
      status: "pass",
      scope: { kind: "incremental", detail: `events: ${orderItems}; order_items: ${orderItems}` },
    });
    // A dataset-level rule reads the whole table and says so: every event (counted by a query of
    // its own; --events is a rate, so the generator's count is not exactly 4,000).
    const counted = await sluice([
      "query",
      "select count(*) as n from silver.events",
      "--format",
      "json",
    ]);
    const events = Number((JSON.parse(counted.stdout) as { n: number | string }[])[0]!.n);
    expect(events).toBeGreaterThan(3000);
    expect(byId.get("test.dq_events_rule_1")).toMatchObject({
      dq: { outcome: "PASS", metric: events },
      scope: { kind: "full", detail: "the whole table (the check needs all of it)" },
    });
    // The raw rules read the raw hours this run read (the new hour and its lookback window).
    expect(byId.get("test.dq_raw_events_rule_2")?.scope).toEqual({
      kind: "incremental",
      detail: expect.stringMatching(/^raw hours from 2026\/11\/26\/\d\d read this run$/),
    });
    // Every assertion states its scope, in run_results.json too.
    const written = results(JSON.stringify(await readRunResults(dir)));
    expect([...written.values()].filter((t) => !t.scope)).toEqual([]);
    expect(written.get(RULE)?.scope?.kind).toBe("incremental");
  });

  it("sluice test --scope full reads the whole tables and fails on the old day, with the metric counted independently", async () => {
    const r = await sluice(["test", "--scope", "full", "--format", "json"]);
    expect(r.code).toBe(1);
    const byId = results(r.stdout);
    const full = {
      kind: "full",
      detail: "every table read whole (--scope full or --full-refresh)",
    };
    expect(byId.get(TEST)).toMatchObject({ status: "fail", failures: 1, scope: full });
    const oldDay = await sluice([
      ...["query", "--format", "json"],
      "select count(*) as n from silver.events where event_date < date '2026-11-26'",
    ]);
    const oldEvents = Number((JSON.parse(oldDay.stdout) as { n: number }[])[0]!.n);
    expect(oldEvents).toBeGreaterThan(1000);
    expect(byId.get(SINGULAR)).toMatchObject({ status: "fail", failures: oldEvents, scope: full });
    const share = await sluice([
      ...["query", "--format", "json"],
      "select avg(case when event_timestamp >= timestamp '2026-11-26' then 1.0 else 0.0 end) as s from silver.events",
    ]);
    const expected = (JSON.parse(share.stdout) as { s: number }[])[0]!.s;
    expect(expected).toBeGreaterThan(0.2);
    expect(expected).toBeLessThan(0.8);
    expect(byId.get(RULE)).toMatchObject({ status: "fail", dq: { outcome: "FAIL" }, scope: full });
    expect(byId.get(RULE)?.dq?.metric).toBeCloseTo(expected, 4);
    // The console says it too.
    const table = await sluice(["test", "--scope", "full", "--select", "events"]);
    expect(table.stdout).toContain("checked: full scope, every table read whole");
    expect(table.stdout).toMatch(/Assertion scope: 0 checked .* \d+ whole tables \(full\)/);
  });

  it("--scope takes incremental or full, else a usage error naming the choices", async () => {
    const r = await sluice(["test", "--scope", "partial"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "invalid value 'partial' for --scope (choose from incremental, full)",
    );
  });
});
