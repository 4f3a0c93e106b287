import { appendFile, cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { toSnakeJson } from "@sluice/runner/snake-json";
import { afterAll, describe, expect, it } from "vitest";
import { copyModelsProject, readRunResults, runSluice, type CliRun } from "../support/cli.js";

interface Step {
  kind: string;
  op?: string;
  purpose: string;
  role?: string;
  condition?: { if: string };
  statement?: { kind: string; sql: string };
  state?: { watermark?: string; pending_from?: string; uniform_schema?: boolean };
}

interface Plan {
  node: string;
  kind: string;
  materialization: string;
  action: string;
  steps: Step[];
}

/** A project on the default (lake) target, and how to give it more data for the next run. */
interface Scenario {
  dir: string;
  sluice(...args: string[]): Promise<CliRun>;
  more(): Promise<void>;
  /** The newest raw hour (or `dt`) once `more` ran: every incremental table's watermark then. */
  newest(): Promise<string>;
  cleanup(): Promise<void>;
}

/** The models project with 3 raw hours; the next run gets one more hour. */
async function modelsProject(): Promise<Scenario> {
  const { dir, cleanup } = await copyModelsProject();
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const generate = (start: string, hours: string, seed: string) =>
    sluice(...["generate", "--events", "400", "--start", start, "--hours", hours, "--seed", seed]);
  expect((await generate("2026-11-27T00:00:00Z", "3", "1")).code).toBe(0);
  return {
    dir,
    sluice,
    more: async () => {
      expect((await generate("2026-11-27T03:00:00Z", "1", "2")).code).toBe(0);
    },
    // The newest hour folder the generator wrote (a late event may land in the next one).
    newest: async () => {
      const raw = path.join(dir, ".lake/raw/events");
      const hours = (await readdir(raw, { recursive: true })).filter((f) =>
        /^\d{4}\/\d\d\/\d\d\/\d\d$/.test(f.split(path.sep).join("/")),
      );
      return hours
        .map((h) => h.split(path.sep).join("/"))
        .sort()
        .at(-1)!;
    },
    cleanup,
  };
}

/** The plan goldens' project (view, table, seed; append, merge, insert_overwrite); more seed rows next. */
async function goldensProject(): Promise<Scenario> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = await mkdtemp(path.join(os.tmpdir(), "sluice-lake-plan-"));
  const dir = path.join(root, "project");
  await cp(path.join(here, "../plans/project"), dir, { recursive: true });
  return {
    dir,
    sluice: (...args: string[]) => runSluice(["--project-dir", dir, ...args]),
    // A changed order (merge), a new one in a new day (append, overwrite).
    more: () =>
      appendFile(
        path.join(dir, "seeds/orders.csv"),
        "2,25.0,2026/11/28/03\n3,7.25,2026/11/29/00\n",
      ),
    newest: () => Promise.resolve("2026/11/29/00"),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** The plans the last run wrote to target/run (`<file>.plan.json`), by node id, keys as the dry run's JSON. */
async function ranPlans(dir: string): Promise<Map<string, Plan>> {
  const runDir = path.join(dir, "target/run");
  const files = (await readdir(runDir, { recursive: true })).filter((f) =>
    f.endsWith(".plan.json"),
  );
  const plans = await Promise.all(
    files.map(
      async (f) =>
        JSON.parse(toSnakeJson(JSON.parse(await readFile(path.join(runDir, f), "utf8")))) as Plan,
    ),
  );
  return new Map(plans.map((p) => [p.node, p]));
}

/**
 * A plan's statements keep `sluice_raw_window(...)`: the build binds it to the run's table of the
 * raw lines it read (quarantining what it cannot), never to the raw source's view of the files.
 */
async function rawReadsBound(dir: string, plans: readonly Plan[]): Promise<void> {
  const stg = plans.find((p) => p.node === "model.stg_events");
  if (!stg || stg.action === "unchanged") return;
  expect(stg.steps.some((s) => s.statement?.sql.includes("sluice_raw_window("))).toBe(true);
  const sent = await readFile(path.join(dir, "target/run/staging/stg_events.sql"), "utf8");
  expect(sent).not.toContain("sluice_raw_window(");
  expect(sent).toMatch(/from\s+temp\.main\.sluice_raw_lines_\d+/i);
}

/**
 * Run ids (and the write ids numbered from them) differ between the dry run and the build, and so
 * does a recorded `select` fingerprint over a schema id this run writes.
 */
const normal = (steps: readonly object[]): unknown =>
  JSON.parse(
    JSON.stringify(steps)
      .replace(/\d{8}t\d{6}z_[0-9a-f]{4}(_\d+)?/gi, "<run>")
      .replace(/"select":"sha256:[0-9a-f]{64}"/g, '"select":"<fingerprint>"'),
  );

/**
 * `build --dry-run` on the lake, then `build`: for every node, the steps the build ran (written
 * to target/run) are the steps the dry run printed, in order — SQL statements, the catalog
 * publish and the storage operations — the conditional ones included exactly when their
 * condition held (the schema file of a partitioned write that wrote no rows). Checked on the
 * first build and on the incremental rebuild after more data, on the models project and on one
 * model per materialization × strategy.
 */
describe.each([
  ["the models project", modelsProject, ["source", "seed", "incremental"]],
  [
    "one model per materialization × strategy",
    goldensProject,
    ["view", "table", "seed", "incremental"],
  ],
] as const)(
  "lake: the plan build --dry-run prints is what build runs (%s)",
  (_, open, materializations) => {
    let scenario: Scenario | undefined;
    afterAll(async () => scenario?.cleanup());

    /** Dry run, build, and the two compared node by node; returns the plans. */
    async function plannedThenBuilt(): Promise<Plan[]> {
      const s = scenario!;
      const planned = await s.sluice("build", "--dry-run", "--format", "json");
      expect(planned.code, planned.stderr).toBe(0);
      await rm(path.join(s.dir, "target/run"), { recursive: true, force: true });
      const built = await s.sluice("build");
      expect(built.code, built.stdout + built.stderr).toBe(0);
      const rows = new Map(
        (await readRunResults(s.dir)).results.map((r) => [r.id, r.rows] as const),
      );
      const plans = (JSON.parse(planned.stdout) as Plan[]).filter((p) => p.kind !== "test");
      const ran = await ranPlans(s.dir);
      for (const plan of plans) {
        const executed = ran.get(plan.node);
        expect(executed, `${plan.node}: no plan in target/run`).toBeDefined();
        expect(executed!.action, plan.node).toBe(plan.action);
        const expected = plan.steps.filter((step) => {
          if (step.condition === undefined) return true;
          // The only condition a lake plan has: the write before it wrote no rows.
          expect(step.condition, `${plan.node}: ${step.purpose}`).toEqual({
            if: "no_rows_written",
          });
          return rows.get(plan.node) === 0;
        });
        expect(normal(executed!.steps), plan.node).toEqual(normal(expected));
      }
      expect(new Set(plans.map((p) => p.materialization))).toEqual(new Set(materializations));
      await rawReadsBound(s.dir, plans);
      return plans;
    }

    it("first build: every step as planned", async () => {
      scenario = await open();
      const plans = await plannedThenBuilt();
      const actions = new Set(plans.map((p) => p.action));
      expect(actions.has("new version")).toBe(true);
      for (const p of plans.filter((p) => p.action === "new version"))
        expect(p.steps.map((s) => s.op ?? s.kind)).toContain("publish_version");
    }, 240_000);

    it("incremental rebuild after more data: every step as planned", async () => {
      expect(scenario, "the first build ran").toBeDefined();
      await scenario!.more();
      const plans = await plannedThenBuilt();
      const incremental = plans.filter((p) => p.materialization === "incremental");
      expect(incremental.length).toBeGreaterThan(0);
      for (const p of incremental) expect(p.action).not.toBe("new version");
      const ops = new Set(incremental.flatMap((p) => p.steps.map((s) => s.op ?? s.role ?? s.kind)));
      for (const op of [
        "probe_columns",
        "carry_version_files",
        "publish_version",
        "delete_stale_locations",
      ])
        expect(ops).toContain(op);
      // The models did not change: the probe finds the table's columns and types (sum() of
      // integers, HUGEINT in DuckDB, is the DOUBLE the version's Parquet files hold), so no
      // schema change is planned: the SELECT is not reordered and the version keeps one schema.
      for (const p of incremental) {
        const sql = p.steps.map((s) => s.statement?.sql ?? "").join("\n");
        expect(sql, p.node).not.toContain("sluice_incoming");
        const publish = p.steps.find((s) => s.op === "publish_version");
        expect(publish?.state?.uniform_schema, p.node).toBe(true);
      }
      // What the publish recorded, read back from the lake: the newest hour of the data given.
      const state = await scenario!.sluice(
        ...["query", "select schema_name, table_name, watermark from main.sluice_table_state"],
        ...["--format", "json"],
      );
      expect(state.code, state.stderr).toBe(0);
      const recorded = JSON.parse(state.stdout) as { table_name: string; watermark: string }[];
      const newest = await scenario!.newest();
      expect(newest >= "2026/11/27/03").toBe(true);
      for (const p of incremental) {
        const name = p.node.replace(/^model\./, "");
        expect(recorded.find((r) => r.table_name === name)?.watermark, p.node).toBe(newest);
      }
    }, 240_000);

    it("rebuild with what the last build compared: no column probe, every step as planned", async () => {
      expect(scenario, "the rebuild ran").toBeDefined();
      const plans = await plannedThenBuilt();
      const incremental = plans.filter((p) => p.materialization === "incremental");
      expect(incremental.length).toBeGreaterThan(0);
      for (const p of incremental)
        expect(
          p.steps.map((s) => s.role),
          p.node,
        ).not.toContain("probe_columns");
    }, 240_000);
  },
);
