import { existsSync } from "node:fs";
import { cp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSluiceRunResults } from "@sluice/runner";
import { copyModelsProject, readRunResults, runSluice } from "../support/cli.js";
import { runSluiceInProcess } from "../support/in-process-cli.js";
import { onLakeCatalog, queryLake } from "../support/lake-reader.js";

/**
 * `--state` (issue #17): state:/result: selectors, --defer and retry, on a copy of the models
 * project built once on the local lake, its artifacts copied to `prod-artifacts/` as CI would
 * restore production's. Expected selections are worked out from the model files themselves
 * (which file refs which, calls which macro, reads which var), not from sluice's graph.
 */
describe("state: slim CI on the local lake", () => {
  let dir = "";
  let state = "";
  let cleanup = async (): Promise<void> => {};
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  /** Node ids `ls --format name` selects, sorted: in this process (~40 of them), or spawned. */
  const listed = async (args: string[], spawned = false): Promise<string[]> => {
    const argv = ["--project-dir", dir, "ls", "--format", "name", ...args];
    const r = await (spawned ? runSluice(argv) : runSluiceInProcess(argv));
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.split("\n").filter(Boolean).sort();
  };
  /** Model ids `ls` selects, sorted. */
  const models = (...args: string[]): Promise<string[]> =>
    listed(["--resource-type", "model", ...args]);
  const modified = (selector = "state:modified") => models("-s", selector, "--state", state);

  /** Every model file: its id and text. */
  const modelFiles = async (): Promise<Map<string, string>> => {
    const files = new Map<string, string>();
    for (const folder of ["staging", "silver", "marts"])
      for (const f of await readdir(path.join(dir, folder)))
        if (f.endsWith(".sql"))
          files.set(`model.${f.slice(0, -4)}`, await readFile(path.join(dir, folder, f), "utf8"));
    return files;
  };
  /** The models whose files match `re`, and every model that refs one of them, transitively. */
  const withDescendants = async (re: RegExp): Promise<string[]> => {
    const files = await modelFiles();
    const out = new Set([...files].filter(([, t]) => re.test(t)).map(([id]) => id));
    for (let grew = true; grew;) {
      grew = false;
      for (const [id, text] of files) {
        const refs = [...text.matchAll(/ref\(\s*'(\w+)'\s*\)/g)].map((m) => `model.${m[1]}`);
        if (!out.has(id) && refs.some((r) => out.has(r))) grew = Boolean(out.add(id));
      }
    }
    return [...out].sort();
  };
  /** Change a file for one test, and put it back after. */
  const edit = async (
    file: string,
    change: (text: string) => string,
    body: () => Promise<void>,
  ) => {
    const full = path.join(dir, file);
    const original = await readFile(full, "utf8");
    await writeFile(full, change(original));
    try {
      await body();
    } finally {
      await writeFile(full, original);
    }
  };

  /** Run SQL on the lake's catalog directly (to set up what a test starts from). */
  const onCatalog = (sql: string) => onLakeCatalog(dir, sql);

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    // A CI target on the same lake, its relations in ci_<schema> (dbt's generate_schema_name).
    const yml = path.join(dir, "sluice.yml");
    const ci = "  ci:\n    engine: duckdb\n    lake: .lake\n    schema: ci\n    threads: 1\n\n";
    await writeFile(
      yml,
      (await readFile(yml, "utf8")).replace("default-target:", `${ci}default-target:`),
    );
    const gen = await sluice(
      ...["generate", "--events", "1500", "--start", "2026-11-27T00:00:00Z", "--hours", "2"],
      ...["--seed", "7", "--sink", "local"],
    );
    expect(gen.code, gen.stderr).toBe(0);
    const build = await sluice("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    state = path.join(path.dirname(dir), "prod-artifacts");
    for (const f of ["manifest.json", "run_results.json"])
      await cp(path.join(dir, "target", f), path.join(state, f));
  }, 180_000);
  afterAll(() => cleanup());

  it("nothing changed: state:modified selects nothing, state:unmodified everything", async () => {
    expect(await modified()).toEqual([]);
    expect(await modified("state:unmodified")).toEqual(await models());
  });

  it("one model's SQL changed: exactly it and its children", async () => {
    await edit(
      "silver/order_items.sql",
      (t) => t.replace(/\bselect\b/i, "select /* edited */"),
      async () => {
        const children = await withDescendants(/ref\(\s*'order_items'\s*\)/);
        expect(children.length).toBeGreaterThan(0);
        expect(await modified("state:modified+")).toEqual(
          [...children, "model.order_items"].sort(),
        );
        expect(await modified("state:modified")).toEqual(["model.order_items"]);
        expect(await modified("state:modified.body")).toEqual(["model.order_items"]);
        expect(await modified("state:modified.configs")).toEqual([]);
      },
    );
  });

  it("a macro changed: the models calling it; a comment-only macro change is modified.macros only", async () => {
    const callers = (await modelFiles()).entries();
    const calling = [...callers].filter(([, t]) => /money_avg\(/.test(t)).map(([id]) => id);
    expect(calling.length).toBeGreaterThan(1);
    await edit(
      "macros/money.sql",
      (t) => t.replace("* 0.01 as decimal(18, 2)", "* 0.010 as decimal(18, 2)"),
      async () => expect(await modified()).toEqual(calling.sort()),
    );
    await edit(
      "macros/money.sql",
      (t) =>
        t.replace(
          "{% macro money_avg(total, n) -%}",
          "{% macro money_avg(total, n) -%}\n    {#- reviewed: rounds half away from zero #}",
        ),
      async () => {
        expect(await modified()).toEqual([]);
        expect(await modified("state:modified.macros")).toEqual(calling.sort());
      },
    );
  });

  it("a var's value changed: the models reading it", async () => {
    const readers = [...(await modelFiles())]
      .filter(([, t]) => /var\(\s*'lookback_hours'/.test(t))
      .map(([id]) => id)
      .sort();
    expect(readers.length).toBeGreaterThan(1);
    expect(
      await models("-s", "state:modified", "--state", state, "--vars", "{lookback_hours: 5}"),
    ).toEqual(readers);
    // The same value given explicitly changes nothing.
    expect(
      await models("-s", "state:modified", "--state", state, "--vars", "{lookback_hours: 3}"),
    ).toEqual([]);
  });

  it("state:modified.relation: a model published under another name, and nothing else", async () => {
    await edit(
      "marts/funnel.sql",
      (t) => t.replace("{{ config(", "{{ config(alias='funnel_v2', "),
      async () => {
        expect(await modified("state:modified.relation")).toEqual(["model.funnel"]);
        expect(await modified("state:modified")).toContain("model.funnel");
        expect(await modified("state:modified.contract")).toEqual([]);
      },
    );
    // A change to a model's SQL alone does not change where it publishes.
    await edit(
      "silver/order_items.sql",
      (t) => t.replace(/\bselect\b/i, "select /* edited */"),
      async () => {
        expect(await modified("state:modified.relation")).toEqual([]);
        expect(await modified("state:modified")).toEqual(["model.order_items"]);
      },
    );
  });

  it("state:modified.contract: a model's declared columns changed, and nothing else", async () => {
    const declared = "      - name: stage\n        description: Funnel stage (event type).\n";
    await edit(
      "marts/marts.yml",
      (t) => {
        expect(t).toContain(declared);
        return t.replace(declared, "");
      },
      async () => {
        expect(await modified("state:modified.contract")).toEqual(["model.funnel"]);
        expect(await modified("state:modified")).toContain("model.funnel");
        expect(await modified("state:modified.relation")).toEqual([]);
      },
    );
  });

  it("a seed's rows changed: the seed and what reads it; an env_var's value: the models reading it", async () => {
    const all = async (selector: string, env: Record<string, string> = {}) => {
      const r = await runSluice(
        ["--project-dir", dir, "ls", "--format", "name", "-s", selector, "--state", state],
        { env },
      );
      expect(r.code, r.stderr).toBe(0);
      return r.stdout
        .split("\n")
        .filter((l) => /^(model|seed)\./.test(l))
        .sort();
    };
    await edit(
      "seeds/country_codes.csv",
      (t) => t.replace("United States of America,US,USA", "United States of America,US,US_"),
      async () => {
        expect(await all("state:modified")).toEqual(["seed.country_codes"]);
        const readers = [...(await modelFiles())]
          .filter(([, t]) => /ref\(\s*'country_codes'\s*\)/.test(t))
          .map(([id]) => id);
        expect(readers.length).toBeGreaterThan(0);
        expect(await all("state:modified+")).toEqual(
          [...(await withDescendants(/ref\(\s*'country_codes'\s*\)/)), "seed.country_codes"].sort(),
        );
      },
    );
    // A model reading an env_var, in a state compiled with the variable unset.
    const envState = path.join(path.dirname(dir), "env-artifacts");
    const extra = path.join(dir, "marts/env_mart.sql");
    await writeFile(
      extra,
      "select '{{ env_var('SLUICE_STATE_E2E_REGION', 'eu') }}' as region, count(*) as n from {{ ref('funnel') }}\n",
    );
    try {
      const compiled = await sluice("compile");
      expect(compiled.code, compiled.stderr).toBe(0);
      await cp(path.join(dir, "target/manifest.json"), path.join(envState, "manifest.json"));
      const ls = async (env: Record<string, string>) => {
        const args = ["ls", "--format", "name", "--resource-type", "model"];
        const r = await runSluice(
          ["--project-dir", dir, ...args, "-s", "state:modified", "--state", envState],
          { env },
        );
        expect(r.code, r.stderr).toBe(0);
        return r.stdout.split("\n").filter(Boolean);
      };
      expect(await ls({})).toEqual([]);
      expect(await ls({ SLUICE_STATE_E2E_REGION: "eu" })).toEqual([]);
      expect(await ls({ SLUICE_STATE_E2E_REGION: "us" })).toEqual(["model.env_mart"]);
    } finally {
      await rm(extra);
    }
  });

  it("whitespace in a template comment outside the SQL: nothing", async () => {
    await edit(
      "marts/funnel.sql",
      (t) => t.replace("counts on both. -#}", "counts   on both.\n\n   -#}"),
      async () => expect(await modified()).toEqual([]),
    );
  });

  it("a new model is state:new (and modified); a state selector without --state is exit 2", async () => {
    const extra = path.join(dir, "marts/extra_mart.sql");
    await writeFile(extra, "select count(*) as n from {{ ref('funnel') }}\n");
    try {
      expect(await models("-s", "state:new", "--state", state)).toEqual(["model.extra_mart"]);
      expect(await modified()).toEqual(["model.extra_mart"]);
    } finally {
      await rm(extra);
    }
    const bad = await sluice("ls", "-s", "state:modified");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/state:modified.*no --state was given/);
    const missing = await sluice("ls", "-s", "state:modified", "--state", path.join(dir, "nope"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--state: cannot read .*manifest\.json/);
  });

  it("--defer builds one mart of another target against the state's relations", async () => {
    // The dry run's plan reads what the build will read.
    const plan = async (...more: string[]) => {
      const r = await sluice("build", "--target", "ci", "-s", "funnel", "--dry-run", ...more);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    expect(await plan()).toMatch(/"ci_silver"\."events"/);
    const deferredPlan = await plan("--defer", "--state", state);
    expect(deferredPlan).toMatch(/"silver"\."events"/);
    expect(deferredPlan).not.toMatch(/ci_silver/);
    const alone = await sluice("build", "--target", "ci", "-s", "funnel");
    expect(alone.code).toBe(1); // ci_silver.events was never built
    const deferred = await sluice(
      ...["build", "--target", "ci", "-s", "funnel", "--defer", "--state", state],
    );
    expect(deferred.code, deferred.stdout + deferred.stderr).toBe(0);
    const count = async (relation: string) =>
      (await queryLake<{ n: unknown }>(dir, `select count(*) as n from ${relation}`))[0]!.n;
    expect(await count("ci_marts.funnel")).toEqual(await count("marts.funnel"));
    const ran = (await readRunResults(dir)).results.map((r) => r.id);
    expect(ran).toContain("model.funnel");
    expect(ran).not.toContain("model.events");
  });

  it("--defer with a state whose relations this lake lacks stops before any work, exit 2", async () => {
    // Another checkout, its own (empty) lake: the state's silver.events is not there.
    const other = await copyModelsProject();
    try {
      const run = (...args: string[]) => runSluice(["--project-dir", other.dir, ...args]);
      const message =
        /--defer: the state's relations of events \("silver"\."events"\) do not exist where this target reads, and the selection reads them; was the state built on another lake or account\? Build them here first/;
      const plan = await run("build", "-s", "funnel", "--defer", "--state", state, "--dry-run");
      expect(plan.code, plan.stderr).toBe(0);
      // No lake yet: nothing exists, a plan is all there is to show.
      expect(plan.stderr).not.toMatch(message);
      const stopped = await run("build", "-s", "funnel", "--defer", "--state", state);
      expect(stopped.code, stopped.stdout + stopped.stderr).toBe(2);
      expect(stopped.stderr).toMatch(new RegExp(`^error: ${message.source}`, "m"));
      expect(stopped.stdout).not.toContain("START");
      expect(existsSync(path.join(other.dir, "target", "run_results.json"))).toBe(false);
      // The lake exists now (opened): the dry run says the build would stop.
      const warned = await run("build", "-s", "funnel", "--defer", "--state", state, "--dry-run");
      expect(warned.code, warned.stderr).toBe(0);
      expect(warned.stderr).toMatch(new RegExp(`warning: the build would stop: ${message.source}`));
    } finally {
      await other.cleanup();
    }
  });

  it("--defer reads a model this target has from the target; --favor-state from the state, also in tests' shared scans and DQDL ruleset passes", async () => {
    // A stale relation in this target: ci_silver.events exists, every event_id null. A test
    // query naming it fails not_null / IsComplete on event_id. dbt's --defer reads it (it
    // exists here); --favor-state reads the state's.
    await onCatalog(
      "create schema if not exists ci_silver; create view ci_silver.events as " +
        "select * replace (cast(null as varchar) as event_id) from silver.events",
    );
    try {
      // event_id's generic tests share one scan; the rules of events.dqdl share one pass.
      const testsOfEvents = [
        ...["-s", "not_null_events_event_id", "not_null_events_event_type"],
        ...["accepted_values_events_event_type", "unique_events_event_id", "dq_events_rule_*"],
        ...["--scope", "full"],
      ];
      const stale = await sluice("test", "--target", "ci", ...testsOfEvents);
      expect(stale.code, stale.stdout + stale.stderr).toBe(1);
      const staleResults = (await readRunResults(dir)).results;
      const failed = staleResults.filter((r) => r.status === "fail").map((r) => r.id);
      expect(failed).toContain("test.not_null_events_event_id");
      expect(failed).toContain("test.dq_events_rule_2"); // IsComplete "event_id"

      const outcomes = async () =>
        (await readRunResults(dir)).results.map((r) => [r.id, r.status]).sort();
      const staleOutcomes = await outcomes();
      const inTarget = await sluice(
        ...["test", "--target", "ci", ...testsOfEvents, "--defer", "--state", state],
      );
      expect(inTarget.code, inTarget.stdout + inTarget.stderr).toBe(1);
      expect(inTarget.stderr).toMatch(
        /note: --defer reads [^\n]*\bevents\b[^\n]* from this target, where they exist \(--favor-state reads the state's\)/,
      );
      expect(await outcomes()).toEqual(staleOutcomes);
      const favor = await sluice("test", "--target", "ci", "-s", "funnel", "--favor-state");
      expect(favor.code).toBe(2);
      expect(favor.stderr).toMatch(/--favor-state changes what --defer reads: pass --defer too/);

      const deferred = await sluice(
        ...["test", "--target", "ci", ...testsOfEvents, "--defer", "--favor-state"],
        ...["--state", state],
      );
      expect(deferred.code, deferred.stdout + deferred.stderr).toBe(0);
      expect(deferred.stderr).not.toContain("note: --defer reads");
      const results = (await readRunResults(dir)).results;
      // The same tests and rules as the stale run, each with the outcome it had in the state's build.
      expect(results.map((r) => r.id).sort()).toEqual(staleResults.map((r) => r.id).sort());
      const stateResults = readSluiceRunResults(
        JSON.parse(await readFile(path.join(state, "run_results.json"), "utf8")),
      ).results;
      const inState = new Map(stateResults.map((r) => [r.id, r]));
      for (const r of results) {
        const before = inState.get(r.id);
        expect(before, r.id).toBeDefined();
        expect([r.id, r.status, r.failures ?? 0]).toEqual([
          r.id,
          before!.status,
          before!.failures ?? 0,
        ]);
      }
      expect(results.some((r) => r.id === "test.not_null_events_event_id")).toBe(true);
    } finally {
      await onCatalog("drop view if exists ci_silver.events; drop schema if exists ci_silver");
    }
  });

  it("clone makes another target's relations views of the state's, keeping ones that exist", async () => {
    const query = (sql: string, target = "ci") => queryLake(dir, sql, target);
    const count = async (relation: string) =>
      (await query(`select count(*) as n from ${relation}`))[0]!.n;
    // Its own starting point, whatever ran before: ci_marts.funnel a table of this target
    // (built with --defer), ci_silver.events absent.
    await onCatalog("create schema if not exists ci_silver; drop view if exists ci_silver.events");
    const built = await sluice(
      ...["build", "--target", "ci", "-s", "funnel", "--defer", "--state", state],
    );
    expect(built.code, built.stdout + built.stderr).toBe(0);
    const funnelBefore = await count("ci_marts.funnel");
    const cloned = await sluice("clone", "--target", "ci", "--state", state, "-s", "+funnel");
    expect(cloned.code, cloned.stdout + cloned.stderr).toBe(0);
    expect(cloned.stdout).toContain("created ci_silver.events → silver.events (view)");
    expect(cloned.stderr).not.toContain("warning: on Athena");
    expect(cloned.stdout).toMatch(/skipped model\.funnel: "ci_marts"\."funnel" exists/);
    // Zero-copy: views over the state's relations, no data of their own in the lake.
    const views = await query(
      "select schema_name || '.' || view_name as v, sql from duckdb_views() " +
        "where schema_name like 'ci_%' order by 1",
    );
    const events = views.find((v) => v.v === "ci_silver.events");
    expect(String(events?.sql)).toMatch(/(?<!\w)"?silver"?\."?events\b/);
    expect(existsSync(path.join(dir, ".lake", "ci_silver"))).toBe(false);
    expect(await count("ci_silver.events")).toEqual(await count("silver.events"));
    expect(await count("ci_marts.funnel")).toEqual(funnelBefore);
    // Again: everything exists, nothing is created.
    const again = await sluice("clone", "--target", "ci", "--state", state, "-s", "+funnel");
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/: 0 created, \d+ skipped, 0 error/);
    // The same as data: every node skipped, each with its relation and why.
    const asJson = await sluice(
      ...["clone", "--target", "ci", "--state", state, "-s", "+funnel", "--format", "json"],
    );
    expect(asJson.code).toBe(0);
    const report = JSON.parse(asJson.stdout) as {
      created: number;
      skipped: number;
      errors: number;
      nodes: { id: string; status: string; relation: { schema: string; name: string } }[];
    };
    expect([report.created, report.errors, report.skipped]).toEqual([0, 0, report.nodes.length]);
    expect(report.nodes.find((n) => n.id === "model.funnel")).toMatchObject({
      status: "skipped",
      relation: { schema: "ci_marts", name: "funnel" },
    });
    // --full-refresh replaces the table ci_marts.funnel by a view of marts.funnel.
    const refresh = await sluice(
      ...["clone", "--target", "ci", "--state", state, "-s", "funnel", "--full-refresh"],
    );
    expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
    expect(refresh.stdout).toContain("created ci_marts.funnel → marts.funnel (view)");
    expect(
      String(
        (
          await query(
            "select sql from duckdb_views() where schema_name = 'ci_marts' and view_name = 'funnel'",
          )
        )[0]?.sql,
      ),
    ).toMatch(/(?<!\w)"?marts"?\."?funnel\b/);
    expect(await count("ci_marts.funnel")).toEqual(await count("marts.funnel"));
  }, 300_000);

  it("clone refuses without --state and fails on a state relation that does not exist", async () => {
    const bare = await sluice("clone", "--target", "ci");
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/pass --state DIR/);
    const broken = path.join(path.dirname(dir), "broken-artifacts");
    const manifest = JSON.parse(await readFile(path.join(state, "manifest.json"), "utf8"));
    manifest.nodes["model.ecommerce.channel_performance"].schema = "nowhere";
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, "manifest.json"), JSON.stringify(manifest));
    const r = await sluice(
      "clone",
      "--target",
      "ci",
      "--state",
      broken,
      "-s",
      "channel_performance",
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /"nowhere"\."channel_performance" does not exist: build it in the state's target first/,
    );
  });

  it("clone writes run_results.json as dbt's does, and retry clones again what errored", async () => {
    const broken = path.join(path.dirname(dir), "retry-artifacts");
    await mkdir(broken, { recursive: true });
    const manifestFile = path.join(broken, "manifest.json");
    const good = await readFile(path.join(state, "manifest.json"), "utf8");
    const manifest = JSON.parse(good);
    manifest.nodes["model.ecommerce.customer_lifetime_value"].schema = "nowhere";
    await writeFile(manifestFile, JSON.stringify(manifest));
    const selected = ["customer_lifetime_value", "sales_by_country"];
    const first = await sluice(
      ...["clone", "--target", "ci", "--state", broken, "-s", ...selected, "--full-refresh"],
    );
    expect(first.code, first.stdout + first.stderr).toBe(1);
    const results = JSON.parse(await readFile(path.join(dir, "target/run_results.json"), "utf8"));
    expect(results.args.which).toBe("clone");
    expect(results.args.full_refresh).toBe(true);
    const byId = new Map(
      (results.results as { unique_id: string; status: string; message: string }[]).map((r) => [
        r.unique_id,
        r,
      ]),
    );
    expect([...byId.keys()].sort()).toEqual([
      "model.ecommerce.customer_lifetime_value",
      "model.ecommerce.sales_by_country",
    ]);
    expect(byId.get("model.ecommerce.customer_lifetime_value")).toMatchObject({ status: "error" });
    expect(byId.get("model.ecommerce.customer_lifetime_value")!.message).toMatch(
      /"nowhere"\."customer_lifetime_value" does not exist/,
    );
    expect(byId.get("model.ecommerce.sales_by_country")).toMatchObject({
      status: "success",
      message: "created view ci_marts.sales_by_country → marts.sales_by_country",
    });
    // The state fixed, retry clones only what errored, with the same flags (--target ci,
    // --state, --full-refresh).
    await writeFile(manifestFile, good);
    const retry = await sluice("retry");
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    expect(retry.stdout).toContain(
      "created ci_marts.customer_lifetime_value → marts.customer_lifetime_value (view)",
    );
    expect(retry.stdout).toMatch(/: 1 created, 0 skipped, 0 error/);
    const second = await readRunResults(dir);
    expect(second.command).toBe("clone");
    expect(second.results.map((r) => [r.id, r.status])).toEqual([
      ["model.customer_lifetime_value", "success"],
    ]);
    const rows = await queryLake(
      dir,
      "select count(*) as n from ci_marts.customer_lifetime_value",
      "ci",
    );
    const prod = await queryLake(dir, "select count(*) as n from marts.customer_lifetime_value");
    expect(rows).toEqual(prod);
    expect((await sluice("retry")).stdout).toMatch(/Nothing to retry: the last clone/);
  });

  it("retry after an injected failure runs only the failed and skipped nodes", async () => {
    const file = path.join(dir, "silver/order_items.sql");
    const original = await readFile(file, "utf8");
    await writeFile(file, original.replace(/\bselect\b/i, "select no_such_column,"));
    const failed = await sluice("build");
    expect(failed.code).toBe(1);
    const first = await readRunResults(dir);
    const expected = first.results
      .filter((r) => ["error", "fail"].includes(r.status) || r.skipped_because !== undefined)
      .map((r) => r.id)
      .sort();
    expect(expected).toContain("model.order_items");
    expect(expected.length).toBeGreaterThan(1);
    await writeFile(file, original);
    const retry = await sluice("retry");
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    const second = await readRunResults(dir);
    const nodes = second.results.filter(
      (r) => !r.id.startsWith("reconcile.") && !r.id.startsWith("quarantine."),
    );
    expect(nodes.map((r) => r.id).sort()).toEqual(expected);
    // Passed, or (an incremental test with no new partition to read) skipped with nothing to check.
    const bad = nodes.filter((r) => ["error", "fail"].includes(r.status) || r.skipped_because);
    expect(bad).toEqual([]);
    expect(nodes.find((r) => r.id === "model.order_items")?.status).toBe("success");
    const again = await sluice("retry");
    expect(again.stdout).toMatch(/Nothing to retry/);
  });

  it("a state manifest changed in place is read again (no replayed or cached selection)", async () => {
    const changing = path.join(path.dirname(dir), "changing-artifacts");
    await cp(path.join(state, "manifest.json"), path.join(changing, "manifest.json"));
    // Spawned: what bin/sluice.js's replay gate may print is part of what this checks.
    const select = () =>
      listed(["--resource-type", "model", "-s", "state:modified", "--state", changing], true);
    expect(await select()).toEqual([]);
    expect(await select()).toEqual([]); // replayed: same arguments, same files
    const manifest = JSON.parse(await readFile(path.join(changing, "manifest.json"), "utf8"));
    manifest.nodes["model.ecommerce.funnel"].meta.sluice.checksums.body = "0".repeat(16);
    await writeFile(path.join(changing, "manifest.json"), JSON.stringify(manifest));
    expect(await select()).toEqual(["model.funnel"]);
  });

  it("a manifest without its sidecar is read from its state index; one edited by hand warns and is scanned", async () => {
    const alone = path.join(path.dirname(dir), "manifest-alone");
    await cp(path.join(state, "manifest.json"), path.join(alone, "manifest.json"));
    const select = () =>
      sluice(
        "ls",
        "--resource-type",
        "model",
        "--format",
        "name",
        "-s",
        "state:modified+",
        "--state",
        alone,
      );
    const clean = await select();
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout.trim()).toBe("");
    expect(clean.stderr).not.toMatch(/state index/);
    // One digest changed in the entry only (same length, so the index's offset still holds).
    const file = path.join(alone, "manifest.json");
    const text = await readFile(file, "utf8");
    const body = JSON.parse(text).nodes["model.ecommerce.funnel"].meta.sluice.checksums.body;
    await writeFile(file, text.replace(`"body":"${body}"`, `"body":"${"0".repeat(16)}"`));
    const edited = await select();
    expect(edited.code, edited.stderr).toBe(0);
    // funnel is a mart no model refs: it alone.
    expect(edited.stdout.split("\n").filter(Boolean)).toEqual(["model.funnel"]);
    expect(edited.stderr).toContain(
      `warning: --state: ${file}: its state index (selectors.sluice_state_index) does not match the file`,
    );
  });

  /**
   * A copy of the state whose run_results.json gives the nodes in `statuses` (sluice ids)
   * those statuses, as a run that ended so would have written them.
   */
  const stateWithResults = async (name: string, statuses: Record<string, string>) => {
    const dirOf = path.join(path.dirname(dir), name);
    for (const f of ["manifest.json", "run_results.json"])
      await cp(path.join(state, f), path.join(dirOf, f));
    const file = path.join(dirOf, "run_results.json");
    const json = JSON.parse(await readFile(file, "utf8"));
    const sluiceIds = readSluiceRunResults(json).results.map((r) => r.id);
    for (const [id, status] of Object.entries(statuses)) {
      const i = sluiceIds.indexOf(id);
      expect(i, `${id} in the state's run_results.json`).toBeGreaterThanOrEqual(0);
      json.results[i].status = status;
    }
    await writeFile(file, JSON.stringify(json));
    return dirOf;
  };
  /** Every node id `ls` selects (any resource type), sorted. */
  const nodes = (...args: string[]): Promise<string[]> => listed(args);

  /** A run where one test of funnel failed and another warned. */
  const failedAndWarned = {
    "test.not_null_funnel_event_date": "fail",
    "test.not_null_funnel_stage_order": "warn",
  };

  it("result:fail selects the tests that failed in the state's run, not those that warned", async () => {
    const failed = await stateWithResults("fail-artifacts", failedAndWarned);
    expect(await nodes("-s", "result:fail", "--state", failed)).toEqual([
      "test.not_null_funnel_event_date",
    ]);
    // The state's own run failed nothing.
    expect(await nodes("-s", "result:fail", "--state", state)).toEqual([]);
  });

  it("result:warn selects the tests that warned in the state's run", async () => {
    const warned = await stateWithResults("warn-artifacts", failedAndWarned);
    // What warned in the state's own build (a DQDL rule of the generated data), read from its file.
    const stateResults = readSluiceRunResults(
      JSON.parse(await readFile(path.join(state, "run_results.json"), "utf8")),
    ).results;
    const warnedBefore = stateResults.filter((r) => r.status === "warn").map((r) => r.id);
    expect(await nodes("-s", "result:warn", "--state", state)).toEqual(warnedBefore.sort());
    expect(await nodes("-s", "result:warn", "--state", warned)).toEqual(
      [...warnedBefore, "test.not_null_funnel_stage_order"].sort(),
    );
  });

  it("result:skipped+ selects what the state's run skipped and its children", async () => {
    const skipped = await stateWithResults("skipped-artifacts", { "model.funnel": "skipped" });
    expect(await models("-s", "result:skipped+", "--state", skipped)).toEqual(
      await withDescendants(/ref\(\s*'funnel'\s*\)/).then((d) => [...d, "model.funnel"].sort()),
    );
    expect(await models("-s", "result:skipped", "--state", skipped)).toEqual(["model.funnel"]);
    expect(await nodes("-s", "result:skipped", "--state", state)).toEqual([]);
  });

  it("result:error selects what failed in the state's run", async () => {
    const failedState = path.join(path.dirname(dir), "failed-artifacts");
    for (const f of ["manifest.json", "run_results.json"])
      await cp(path.join(state, f), path.join(failedState, f));
    const results = JSON.parse(await readFile(path.join(failedState, "run_results.json"), "utf8"));
    results.results.find(
      (r: { unique_id: string }) => r.unique_id === "model.ecommerce.funnel",
    ).status = "error";
    await writeFile(path.join(failedState, "run_results.json"), JSON.stringify(results));
    expect(await models("-s", "result:error+", "--state", failedState)).toEqual(
      await withDescendants(/ref\(\s*'funnel'\s*\)/).then((d) => [...d, "model.funnel"].sort()),
    );
  });
});
