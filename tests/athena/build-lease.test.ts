import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  athenaLocalProject,
  athenaRows,
  awsCall,
  callCounts,
  glueTables,
  s3Keys,
  fillRawZone,
  forgetAllBuildInputs,
  LEASE_TABLE,
  setFaults,
} from "../support/athena-local.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

const DATABASES = ["ecommerce_staging", "ecommerce_silver", "ecommerce_marts", "ecommerce_seeds"];
/** A mart's CTAS that stays RUNNING until stopped: a build in progress, holding the lease. */
const STALL_FUNNEL = { queries: [{ match: "funnel__sluice_", stall: true }] };

async function lease(url: string): Promise<Record<string, string> | undefined> {
  const { status, body } = await awsCall<{ Table?: { Parameters?: Record<string, string> } }>(
    url,
    "AWSGlue.GetTable",
    LEASE_TABLE,
  );
  return status === 200 ? (body.Table?.Parameters ?? {}) : undefined;
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Until the stall rule has fired: the build is waiting on its stalled query. */
async function untilStalled(url: string): Promise<void> {
  await until("the build to stall", async () => {
    const plan = (await (await fetch(`${url}/_aws-local/faults`)).json()) as {
      queries: { left: number }[];
    };
    return plan.queries[0]?.left === 0;
  });
}

/** Every table sluice publishes, as sorted rows, by `db.table`; staging leftovers listed apart. */
async function published(
  url: string,
): Promise<{ rows: Record<string, string[]>; staging: string[] }> {
  const rows: Record<string, string[]> = {};
  const staging: string[] = [];
  for (const db of DATABASES) {
    for (const table of await glueTables(url, db)) {
      if (table.Name.includes("__sluice_")) staging.push(`${db}.${table.Name}`);
      else
        rows[`${db}.${table.Name}`] = (await athenaRows(url, `select * from ${db}.${table.Name}`))
          .map((r) => JSON.stringify(r))
          .sort();
    }
  }
  return { rows, staging };
}

/**
 * Two builds on one Athena target (`sluice athena-local`, real SDK clients): the build lease is a
 * Glue table created with CreateTable (AlreadyExistsException when held) and renewed/taken over
 * with UpdateTable under VersionId (ConcurrentModificationException when another build wrote it).
 */
describe("the build lease on an Athena target", () => {
  let p: Project;

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0, extra: "build_lease_seconds: 2" });
    const generated = await fillRawZone(p, {
      events: 400,
      start: "2026-11-27T00:00:00Z",
      hours: 2,
      seed: 3,
    });
    expect(generated.code).toBe(0);
    expect((await p.sluice("sources", "register", "--target", "prod")).code).toBe(0);
  }, 60_000);

  const children: ReturnType<Project["start"]>[] = [];
  /** A build with one thread: once its stalled query runs, nothing else of it does. */
  const startBuild = () => {
    const child = p.start("build", "--target", "prod", "--threads", "1");
    children.push(child);
    return child;
  };

  afterEach(async () => {
    await setFaults(p.endpoint.url, {});
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await child.done;
    }
  });

  afterAll(async () => {
    await p?.cleanup();
  });

  it("fails a second build fast (exit 2, naming the first) before it writes anything; Ctrl-C releases the lease", async () => {
    await setFaults(p.endpoint.url, STALL_FUNNEL);
    const first = startBuild();
    await until("the first build's lease", async () => (await lease(p.endpoint.url)) !== undefined);
    await untilStalled(p.endpoint.url);
    const holder = (await lease(p.endpoint.url))!;

    const before = await callCounts(p.endpoint.url);
    const second = await p.sluice("build", "--target", "prod");
    const after = await callCounts(p.endpoint.url);
    expect(second.code).toBe(2);
    expect(second.stderr.trim()).toMatch(
      new RegExp(
        `^error: build in progress \\(run ${holder.sluice_lease_run_id}, started \\S+Z, by \\S+@\\S+ pid ${first.pid}\\) on Athena database ecommerce_raw: wait for it to finish`,
      ),
    );
    expect(second.stderr.trim().split("\n")).toHaveLength(1);
    // The second build wrote nothing: no query, no catalog or storage write (the first build's
    // heartbeat, Glue.UpdateTable of the lease, runs meanwhile).
    const made = Object.keys(after).filter((api) => after[api] !== before[api]);
    expect(
      made.filter((api) => /^S3\.|^Athena\.Start|^Glue\.(Create|Batch|Delete)/.test(api)),
    ).toEqual([]);

    // Read-only commands need no lease.
    const query = await p.sluice("query", "--target", "prod", "select 1 as x");
    expect(query.code).toBe(0);

    first.kill("SIGINT");
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(await lease(p.endpoint.url)).toBeUndefined();
  }, 120_000);

  it("Ctrl-C at start-up, between two nodes and during a query exits 130 (SIGTERM: 143), releases the lease, leaves no staging table", async () => {
    // A press once `ready` matches the output (undefined: right after spawn); the during-query
    // press waits for the stalled CTAS instead. SIGTERM (a cancelled CI job) stops it the same way.
    const points: [string, RegExp | undefined, NodeJS.Signals?][] = [
      ["at start-up", undefined],
      ["after the first node", /^\s*1 of \d+ OK/m],
      ["between two statements", /OK +incremental ecommerce_staging\.stg_events/],
      ["during a query", undefined],
      ["during a query", undefined, "SIGTERM"],
    ];
    for (const [label, ready, signal = "SIGINT"] of points) {
      await forgetAllBuildInputs(p.endpoint.url, DATABASES);
      const during = label === "during a query";
      if (during) await setFaults(p.endpoint.url, STALL_FUNNEL);
      const build = startBuild();
      let output = "";
      let sent = 0;
      const press = () => {
        if (sent === 0 && (ready === undefined || ready.test(output))) {
          sent = Date.now();
          build.kill(signal);
        }
      };
      for (const stream of [build.stdout!, build.stderr!])
        stream.on("data", (d: Buffer) => {
          output += d.toString();
          if (ready !== undefined) press();
        });
      if (during) await untilStalled(p.endpoint.url);
      if (ready === undefined) press();
      const stopped = await build.done;
      const at = `${signal} ${label}: ${stopped.stdout}${stopped.stderr}`;
      const [code, said] =
        signal === "SIGINT" ? [130, "interrupted (Ctrl-C)"] : [143, "terminated (SIGTERM)"];
      // Before node ran any of sluice's code a press kills it (a shell shows 130 for both).
      if (label === "at start-up") expect([130, -1], at).toContain(stopped.code);
      else expect(stopped.code, at).toBe(code);
      // The stalled query is stopped, not waited for; nothing hangs (2 s, plus slack for load).
      expect(Date.now() - sent, at).toBeLessThan(10_000);
      if (during) expect(stopped.stdout + stopped.stderr, at).toContain(said);
      expect(await lease(p.endpoint.url), at).toBeUndefined();
      expect((await published(p.endpoint.url)).staging, at).toEqual([]);
      await setFaults(p.endpoint.url, {});
    }
    const next = await p.sluice("build", "--target", "prod");
    expect(next.code, next.stdout + next.stderr).toBe(0);
    // The tests below stall a build on the funnel's CTAS: it must be written again.
    await forgetAllBuildInputs(p.endpoint.url, DATABASES);
  }, 300_000);

  it("Ctrl-C while Athena finishes a CTAS whose start has not answered yet: the staging table it made is dropped", async () => {
    // The race of a press as a node's CTAS is submitted: Athena runs the statement, but the client
    // learns its id only after the press, stops a query that already SUCCEEDED and reports it
    // cancelled. The staging table the CTAS created must go with the interrupted node.
    await forgetAllBuildInputs(p.endpoint.url, DATABASES);
    await setFaults(p.endpoint.url, {
      calls: [
        {
          api: "Athena.StartQueryExecution",
          kind: "hang-after",
          match: "CREATE TABLE[^]*__sluice_",
        },
      ],
    });
    const build = startBuild();
    const staging = async () =>
      (await Promise.all(DATABASES.map((db) => glueTables(p.endpoint.url, db))))
        .flat()
        .filter((t) => t.Name.includes("__sluice_"))
        .map((t) => t.Name);
    await until("the first staging table", async () => (await staging()).length > 0);
    const made = await staging();
    build.kill("SIGINT");
    // The held StartQueryExecution answers (an internal error; the SDK retries it with the same
    // ClientRequestToken and gets the same query).
    await setFaults(p.endpoint.url, {});
    const stopped = await build.done;
    const at = `${made.join(", ")}: ${stopped.stdout}${stopped.stderr}`;
    expect(stopped.code, at).toBe(130);
    expect(await lease(p.endpoint.url), at).toBeUndefined();
    expect((await published(p.endpoint.url)).staging, at).toEqual([]);
    await forgetAllBuildInputs(p.endpoint.url, DATABASES);
  }, 120_000);

  it("takes over the lease of a SIGKILLed build at once on the same host, with a warning naming it", async () => {
    await setFaults(p.endpoint.url, STALL_FUNNEL);
    const killed = startBuild();
    await until("the build's lease", async () => (await lease(p.endpoint.url)) !== undefined);
    await untilStalled(p.endpoint.url);
    const dead = (await lease(p.endpoint.url))!.sluice_lease_run_id;
    killed.kill("SIGKILL");
    await killed.done;
    expect(await lease(p.endpoint.url)).toBeDefined();

    const next = await p.sluice("build", "--target", "prod");
    expect(next.stderr).toContain(`warning: took over the build lease of run ${dead}`);
    expect(next.stderr).toMatch(/its process \(pid \d+ on .+\) is gone/);
    expect(next.code).toBe(0);
    expect(await lease(p.endpoint.url)).toBeUndefined();
    expect((await published(p.endpoint.url)).staging).toEqual([]);
  }, 120_000);

  it("a stalled build whose lease expired and was taken over stops, and deletes nothing of the new build's", async () => {
    // No new raw data since the builds above: forget what every table was built from, so run A
    // writes them again (and reaches the funnel's CTAS) instead of leaving them unchanged.
    await forgetAllBuildInputs(p.endpoint.url, DATABASES);
    await setFaults(p.endpoint.url, STALL_FUNNEL);
    const stalled = startBuild();
    await until(
      "the stalled build's lease",
      async () => (await lease(p.endpoint.url)) !== undefined,
    );
    const runA = (await lease(p.endpoint.url))!.sluice_lease_run_id;
    // Run A has published silver (a new version of each table, old data queued for deletion).
    await untilStalled(p.endpoint.url);
    stalled.kill("SIGSTOP");
    // Past A's expiry (2 s without a heartbeat), run B takes over and publishes every table.
    await new Promise((r) => setTimeout(r, 2500));
    const runB = await p.sluice("build", "--target", "prod");
    expect(runB.stderr).toContain(`warning: took over the build lease of run ${runA}`);
    expect(runB.stderr).toContain("its lease expired at");
    expect(runB.code).toBe(0);
    const afterB = await published(p.endpoint.url);
    const filesB = (await s3Keys(p.aws, "sluice-lake")).filter((k) => !k.startsWith("raw/"));

    stalled.kill("SIGCONT");
    const endA = await stalled.done;
    expect(endA.stderr).toMatch(/build lease of run \S+ lost/);
    expect(endA.stderr).not.toMatch(/^\s+at /m);
    expect(endA.code).toBe(1);

    // Every file B published is still there, and every table reads as B left it.
    const files = await s3Keys(p.aws, "sluice-lake");
    expect(filesB.filter((k) => !files.includes(k))).toEqual([]);
    expect(await published(p.endpoint.url)).toEqual(afterB);
    expect(await lease(p.endpoint.url)).toBeUndefined();
  }, 120_000);
});
