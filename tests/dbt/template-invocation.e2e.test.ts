import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { replaceInFile } from "../support/edit-file.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * What a dbt project's templates take from the invocation, and give back to it.
 *
 * dbt's `run_started_at` and `modules.datetime`'s now()/today() read the invocation's clock.
 * Before, run_started_at was undefined, and now()/today() were rendered once and replayed from
 * the compile cache by every later build: an hourly model filtering on today() kept the first
 * day's date, without a word. `log(msg, info=True)` and `print()`, which dbt prints on the
 * console, were dropped. dbt's `invocation_id` is the run's id, the one run_results.json names,
 * though the compile is cached with a placeholder between runs; `project_name` is
 * dbt_project.yml's `name`; and `ref('<project>', '<model>')` reads the project's own model.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await writeFile(
    path.join(dir, "models/marts/clock.sql"),
    "{{ config(materialized='table') }}\n" +
      "select '{{ run_started_at }}' as started, '{{ modules.datetime.date.today() }}' as today,\n" +
      "  '{{ (run_started_at - modules.datetime.timedelta(hours=1)).strftime('%Y-%m-%d %H:00') }}' as hour_before,\n" +
      "  '{{ invocation_id }}' as run_id\n",
  );
  await writeFile(
    path.join(dir, "models/audit_runs.sql"),
    "{{ config(materialized='incremental') }}\n" +
      "select '{{ invocation_id }}' as invocation_id, '{{ project_name }}' as project,\n" +
      "  (select count(*) from {{ ref('jaffle_shop', 'stg_orders') }}) as orders\n",
  );
}, 60_000);
afterAll(async () => cleanup());

/** The UTC time a run id names (`20261207T141500Z_1900`), as Python prints it to the second. */
const timeOfRunId = (id: string) =>
  id.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z_.*$/, "$1-$2-$3 $4:$5:$6");

describe("run_started_at", () => {
  it("is each build's own start, the time its run id names; the compile cache does not replay it", async () => {
    const rows: Record<string, string>[] = [];
    for (let i = 0; i < 2; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1100));
      const r = await sluice("build", "--select", "clock");
      expect(r.code, r.stderr).toBe(0);
      rows.push(...(await query<Record<string, string>>("select * from main.clock")));
    }
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row["started"]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
      expect(row["started"]!.slice(0, 19)).toBe(timeOfRunId(row["run_id"]!));
      expect(row["today"]).toBe(row["started"]!.slice(0, 10));
      // Computed by hand from the row's own start.
      const before = new Date(Date.parse(row["started"]!.replace(" ", "T")) - 3_600_000);
      expect(row["hour_before"]).toBe(`${before.toISOString().slice(0, 13).replace("T", " ")}:00`);
    }
    expect(rows[1]!["started"]).not.toBe(rows[0]!["started"]);
  }, 240_000);

  it("compile shows its own start", async () => {
    const compiled: string[] = [];
    for (let i = 0; i < 2; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1100));
      const r = await sluice("compile", "--select", "clock");
      expect(r.code, r.stderr).toBe(0);
      compiled.push(
        await readFile(path.join(dir, "target/compiled/models/marts/clock.sql"), "utf8"),
      );
    }
    expect(compiled[1]).not.toBe(compiled[0]);
  }, 240_000);

  it("log(info=True) and print() are shown at their call by every command that uses the compile", async () => {
    await writeFile(
      path.join(dir, "models/marts/talky.sql"),
      "{% do log('counted ' ~ (3 * 7), info=True) %}{% do log('debug only') %}\n" +
        "select 1 as x{{ print('done rendering') }}\n",
    );
    for (const command of [["compile"], ["compile"], ["build", "--select", "talky"]]) {
      const r = await sluice(...command);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr, command.join(" ")).toMatch(
        /models\/marts\/talky\.sql:1:7: warn TEMPLATE_LOG: counted 21\n/,
      );
      expect(r.stderr).toMatch(
        /models\/marts\/talky\.sql:2:17: warn TEMPLATE_LOG: done rendering\n/,
      );
      expect(r.stderr).not.toContain("TEMPLATE_LOG: debug only");
    }
  }, 240_000);

  it("dbt_project.yml's var() reads the project's vars and --vars; another --vars compiles afresh", async () => {
    const file = path.join(dir, "dbt_project.yml");
    const before = await replaceInFile(
      file,
      "    marts:\n",
      "    marts:\n      +schema: \"{{ var('mart_schema', 'marts') }}\"\n",
    );
    try {
      const schemaOf = async (...vars: string[]) => {
        const r = await sluice("ls", "--select", "customers", "--format", "json", ...vars);
        expect(r.code, r.stderr).toBe(0);
        return (JSON.parse(r.stdout) as { relation: { schema: string } }[])[0]!.relation.schema;
      };
      // dbt's generate_schema_name: <target schema>_<custom schema>.
      expect(await schemaOf()).toBe("main_marts");
      expect(await schemaOf("--vars", "{mart_schema: gold}")).toBe("main_gold");
      expect(await schemaOf()).toBe("main_marts");
    } finally {
      await writeFile(file, before);
    }
  }, 240_000);
});

describe("invocation_id, project_name and ref('project', 'model')", () => {
  it("each run writes its own id, the one run_results.json names", async () => {
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      const built = await sluice("build", "--select", "+audit_runs");
      expect(built.code, built.stderr).toBe(0);
      const results = JSON.parse(
        await readFile(path.join(dir, "target/run_results.json"), "utf8"),
      ) as { metadata: { invocation_id: string } };
      ids.push(results.metadata.invocation_id);
    }
    expect(ids[0]).not.toBe(ids[1]);
    const rows = await query<{ invocation_id: string; project: string; orders: number }>(
      "select * from main.audit_runs order by invocation_id",
    );
    // The seed's orders, counted from its CSV (header line aside).
    const csv = await readFile(path.join(dir, "seeds/raw_orders.csv"), "utf8");
    const orders = csv.trim().split("\n").length - 1;
    expect(rows).toEqual(ids.map((id) => ({ invocation_id: id, project: "jaffle_shop", orders })));
  }, 240_000);
});
