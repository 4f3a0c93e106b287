import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaLocalProject } from "../support/athena-local.js";
import { copyModelsProject, jsonLog, runSluice, type CliRun } from "../support/cli.js";

/** The failing nodes: the status the summary prints and how the message starts (both targets). */
const FAILURES = {
  "model.bad_model": ["ERROR", ""],
  "model.inc_x": ["ERROR", "the incremental model's columns differ from"],
  "test.assert_fails": ["FAIL", "1 failing row"],
  "test.assert_errors": ["ERROR", ""],
  "test.dq_dq_target_rule_1": ["FAIL", "FAIL RowCount > 5"],
} as const;
type Id = keyof typeof FAILURES;
const IDS = Object.keys(FAILURES) as Id[];
/** `model.inc_x` and its dbt unique id `model.ecommerce.inc_x`, wherever they appear. */
const idPattern = (id: string) => {
  const [kind, name] = id.split(".") as [string, string];
  return new RegExp(`\\b${kind}\\.(ecommerce\\.)?${name}\\b`, "g");
};
const mentions = (text: string, id: string) => (text.match(idPattern(id)) ?? []).length;

const FILES: Record<string, string> = {
  "marts/dq_target.sql": "{{ config(materialized='table') }}\nselect 1 as a\n",
  // An engine error: the column does not exist (a binder error on DuckDB and on Athena). It reads
  // no model: the failing DQDL rule of dq_target would skip it.
  "marts/bad_model.sql":
    "{{ config(materialized='table') }}\nselect no_such_column from (select 1 as a) t\n",
  "rules/dq_target.dqdl":
    'DataSources = { "Primary": "dq_target" }\nRules = [\n    RowCount > 5\n]\n',
  "tests/assert_fails.sql": "select a from {{ ref('dq_target') }} where a = 1\n",
  "tests/assert_errors.sql": "select no_such_column from {{ ref('dq_target') }}\n",
};
const incremental = (columns: string) =>
  `{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}\nselect ${columns}\n`;
const SELECT = ["--select", "inc_x", "bad_model", "dq_target", "assert_fails", "assert_errors"];

/**
 * Every output of a failed run names each failing node once: a model whose engine query fails,
 * an incremental model whose plan fails (on_schema_change='fail': the compiler's message starts
 * with the node id), a singular test that fails, one that errors, and a failing DQDL rule. The
 * summary prints `ERROR <id>: <message>` and the other outputs carry the id in their own field,
 * so no message may repeat it (it did: `ERROR model.inc_x: model.inc_x: the incremental ...`).
 */
describe.each([
  { target: "local (DuckDB lake)", athena: false },
  { target: "prod on athena-local", athena: true },
])("failure messages name the node once: $target", ({ athena }) => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let sluice: (...args: string[]) => Promise<CliRun>;
  let text: CliRun;
  let json: CliRun;

  beforeAll(async () => {
    if (athena) {
      const p = await athenaLocalProject({ latencyMs: 0 });
      ({ dir, cleanup } = p);
      sluice = (...args) => p.sluice(...args, "--target", "prod");
    } else {
      ({ dir, cleanup } = await copyModelsProject());
      sluice = (...args) => runSluice(["--project-dir", dir, ...args]);
    }
    for (const [file, body] of Object.entries(FILES)) await writeFile(path.join(dir, file), body);
    const inc = path.join(dir, "marts/inc_x.sql");
    await writeFile(inc, incremental("1 as a"));
    const first = await sluice("build", "--select", "inc_x");
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await writeFile(inc, incremental("1 as a, 2 as b"));
    process.env["GITHUB_ACTIONS"] = "true"; // the spawned CLI also prints ::error annotations
    try {
      text = await sluice("build", ...SELECT, "--junit-xml", path.join(dir, "junit.xml"));
    } finally {
      delete process.env["GITHUB_ACTIONS"];
    }
    json = await sluice("build", ...SELECT, "--log-format", "json");
  }, 300_000);
  afterAll(async () => cleanup?.());

  it("exits 1 and the summary says `<STATUS> <id>: <message>` with the id once", () => {
    expect(text.code, text.stdout + text.stderr).toBe(1);
    for (const id of IDS) {
      const [status, starts] = FAILURES[id];
      const line = text.stdout.split("\n").find((l) => l.startsWith(`${status} ${id}: `));
      expect(line, `${id} in\n${text.stdout}`).toBeDefined();
      expect(line!.startsWith(`${status} ${id}: ${starts}`), line).toBe(true);
      expect(mentions(line!, id), line).toBe(1);
    }
  });

  it("GitHub annotations: each failure's ::error message does not repeat its id", () => {
    for (const id of IDS) {
      const name = id.split(".")[1]!;
      const line = text.stdout
        .split("\n")
        .find(
          (l) =>
            l.startsWith("::error ") &&
            l.includes(`title=${FAILURES[id][0]} `) &&
            l.includes(` ${name}::`),
        );
      expect(line, `${id} in\n${text.stdout}`).toBeDefined();
      const message = line!.slice(line!.indexOf("::", 2) + 2);
      expect(message.startsWith(FAILURES[id][1]), message).toBe(true);
      expect(mentions(message, id), message).toBe(0);
    }
  });

  it("run_results.json: each failure's message does not repeat its unique_id", async () => {
    const saved = JSON.parse(await readFile(path.join(dir, "target/run_results.json"), "utf8")) as {
      results: { unique_id: string; status: string; message: string | null }[];
    };
    for (const id of IDS) {
      const r = saved.results.find((x) => idPattern(id).test(x.unique_id));
      expect(r, id).toBeDefined();
      expect(["error", "fail"]).toContain(r!.status);
      expect(r!.message!.startsWith(FAILURES[id][1]), r!.message!).toBe(true);
      expect(mentions(r!.message!, id), r!.message!).toBe(0);
    }
  });

  it("--log-format json: each failure's event message does not repeat its node_id", () => {
    expect(json.code, json.stderr).toBe(1);
    const ends = jsonLog(json.stdout).filter(
      (e) => e.event === "node_finish" || e.event === "test_result",
    );
    for (const id of IDS) {
      const e = ends.find((x) => idPattern(id).test(x.node_id ?? ""));
      expect(e, `${id} in\n${json.stdout}`).toBeDefined();
      expect(e!.message!.startsWith(FAILURES[id][1]), e!.message!).toBe(true);
      expect(mentions(e!.message!, id), e!.message!).toBe(0);
    }
  });

  it("JUnit: each failing test's <failure>/<error> message does not repeat its name", async () => {
    const xml = await readFile(path.join(dir, "junit.xml"), "utf8");
    for (const id of IDS.filter((i) => i.startsWith("test."))) {
      const name = id.slice("test.".length);
      const testcase = new RegExp(
        `<testcase name="${name}"[^>]*>\\s*<(failure|error) message="([^"]*)"`,
      ).exec(xml);
      expect(testcase, `${name} in\n${xml}`).not.toBeNull();
      expect(mentions(testcase![2]!, id), testcase![0]).toBe(0);
      // It names the file of its statements in target/run (the artifact writer's run path).
      expect(xml).toMatch(new RegExp(`compiled SQL: [^\n<]*target/run/tests/${name}\\.sql`));
    }
  });
});
