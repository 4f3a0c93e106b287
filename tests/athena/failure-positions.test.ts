import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  athenaLocalProject,
  athenaRows,
  callLog,
  fillRawZone,
  forgetBuildInputs,
  glueTables,
  leaseHeld,
  locationsHeldBy,
  s3Keys,
  setFaults,
} from "../support/athena-local.js";
import type { CliRun } from "../support/cli.js";
import { expectFailureLeftNoTrace } from "./failure-check.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

/** The node under test: insert_overwrite on a partitioned Hive table (staging CTAS, repoint). */
const NODE = "events";
const DATABASE = "ecommerce_silver";
const LAKE = "s3://sluice-lake/";
/** Polls of a running query: how many there are depends on timing. */
const POLLS = new Set(["Athena.GetQueryExecution", "Athena.GetQueryResults"]);

interface NodeState {
  /** Sorted rows of the published table, read through the Athena API. */
  rows: string[];
  /** Staging (`__sluice_`) tables left in the node's database. */
  staging: string[];
  /** Objects under the table's folder that no Glue location (table, partition, retired) holds. */
  orphans: string[];
  lease: boolean;
}

/** What readers of the node's table see, read through the APIs, and what its folder holds. */
async function nodeState(p: Project): Promise<NodeState> {
  const url = p.endpoint.url;
  const tables = await glueTables(url, DATABASE);
  const staging = tables.filter((t) => t.Name.includes("__sluice_")).map((t) => t.Name);
  const held: string[] = [];
  for (const table of tables.filter((t) => t.Name.startsWith(NODE)))
    held.push(...(await locationsHeldBy(url, DATABASE, table)));
  const prefixes = held
    .filter((l) => l.startsWith(LAKE))
    .map((l) => l.slice(LAKE.length).replace(/\/?$/, "/"));
  const folder = `silver/${NODE}/`;
  const keys = await s3Keys(p.aws, "sluice-lake", folder).catch(() => [] as string[]);
  const orphans = keys.filter((k) => !prefixes.some((h) => k.startsWith(h)));
  const rows = (await athenaRows(url, `select * from ${DATABASE}.${NODE}`))
    .map((r) => JSON.stringify(r))
    .sort();
  return { rows, staging, orphans, lease: await leaseHeld(url) };
}

/**
 * Every AWS call of one insert_overwrite node's incremental run, one at a time (but the polls of
 * running queries): the call fails (access denied, which nothing retries), or, for each call that
 * changes something, the CLI is SIGKILLed after the call took effect (the endpoint hangs its
 * answer). Each time, readers must see the table exactly as before, and
 * a clean rerun must leave the state of a clean run: same rows, no staging table, no object
 * that no Glue location holds, no lease. The whole-build matrix (failure-matrix.test.ts)
 * samples each API of every node; this one covers every position of the riskiest node.
 */
describe("every AWS call of an insert_overwrite run, failing or killed", () => {
  let p: Project;
  let clean: NodeState;
  let calls: { api: string; nth: number; label: string }[];
  // No new raw data between runs: each run rewrites the node only because its recorded inputs
  // are forgotten first (before any fault is set, so the Nth call of an API stays the same call).
  const forget = () => forgetBuildInputs(p.endpoint.url, DATABASE, NODE);
  const cli = () => p.sluice("run", "--target", "prod", "-s", NODE);
  const run = async () => (await forget(), cli());

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0 });
    const generated = await fillRawZone(p, {
      events: 200,
      start: "2026-11-27T00:00:00Z",
      hours: 2,
      seed: 9,
    });
    expect(generated.code).toBe(0);
    expect((await p.sluice("sources", "register", "--target", "prod")).code).toBe(0);
    expect((await p.sluice("run", "--target", "prod", "-s", `+${NODE}`)).code).toBe(0);
    // A second generation, so that the recorded run (the third) expires the first: its deletes
    // by key (the end of the run's DeleteObjects) are positions too.
    expect((await run()).code).toBe(0);
    await forget();
    await callLog(p.endpoint.url, true);
    expect((await cli()).code).toBe(0);
    // Each call as "the Nth call of its API", which names the same call in every run (the number
    // of polls of a query varies with timing, so polls are left to the whole-build matrix).
    const seen: Record<string, number> = {};
    calls = (await callLog(p.endpoint.url, true)).map((c) => ({
      api: c.api,
      nth: (seen[c.api] = (seen[c.api] ?? 0) + 1),
      label: `${c.api} ${c.resource.replace(/\s+/g, " ")}`.slice(0, 100),
    }));
    clean = await nodeState(p);
    expect(clean.staging).toEqual([]);
    expect(clean.orphans).toEqual([]);
    expect(clean.rows.length).toBeGreaterThan(0);
  }, 120_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  const check = (label: string, failed: CliRun, codes: number[]) =>
    expectFailureLeftNoTrace({
      url: p.endpoint.url,
      label,
      failed,
      codes,
      clean,
      readers: (s) => s.rows,
      state: () => nodeState(p),
      rerun: run,
    });

  it("fails cleanly at each call and a rerun leaves no trace", async () => {
    const listed = calls.map((c, i) => `${String(i + 1).padStart(4)} ${c.label}`).join("\n");
    console.log(`one ${NODE} run makes ${calls.length} calls:\n${listed}`);
    for (const { api, nth, label } of calls.filter((c) => !POLLS.has(c.api))) {
      await forget();
      await setFaults(p.endpoint.url, { calls: [{ api, nth, kind: "deny" }] });
      await check(`${label} (call ${nth} of ${api}) denied`, await cli(), [0, 1, 2]);
    }
  }, 600_000);

  it("a SIGKILL after each call took effect leaves the table readable; a rerun cleans up", async () => {
    // After a read, a kill is the same as after the call before it: the calls that change things.
    for (const { api, nth, label } of calls.filter((c) => !/\.(Get|List|Head)/.test(c.api))) {
      await forget();
      await setFaults(p.endpoint.url, { calls: [{ api, nth, kind: "hang-after" }] });
      const child = p.start("run", "--target", "prod", "-s", NODE);
      for (;;) {
        const rules = (await (await fetch(`${p.endpoint.url}/_aws-local/faults`)).json()) as {
          calls: { left: number }[];
        };
        if (rules.calls[0]!.left === 0) break;
        if (child.exitCode !== null) break;
        // The endpoint holds the answer of the call that fired: nothing moves while this waits.
        await new Promise((r) => setTimeout(r, 25));
      }
      child.kill("SIGKILL");
      await check(`SIGKILL after ${label} (call ${nth} of ${api})`, await child.done, [137]);
    }
  }, 600_000);
});
