import { mkdirSync, writeFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ageProject, syntheticProjectDir } from "../support/aged-project.js";
import { copyModelsProject, runSluice, type CliRun } from "../support/cli.js";
import { queryLake } from "../support/lake-reader.js";

/**
 * The run commands with --select read the nodes they do not run from the compile's facts (#14,
 * apps/cli/src/fact-nodes.ts): at 10,000 models a one-model build read all 30,000 nodes from the
 * compile memo. Checked from outside: two copies of the models project built alike, one with its
 * facts and one without (compile_facts.json removed before each command, so every node is read
 * from the memo), run the same commands and print, write and build the same (the
 * reconciliation, which reads every model's `reconcile` config, among them); on a synthetic
 * project a one-model build reads three nodes whole (--debug counts them), and it and `ls` read
 * no model file's text from partial_parse.json.
 */

/** A run id (`20261207T031500Z_3f9a`), in any case: each command gets its own. */
const RUN_ID = /\d{8}t\d{6}z_[0-9a-f]{4}/gi;

/**
 * What a run printed or wrote, without what differs from run to run or copy to copy: run ids,
 * times, the copy's folder, spacing.
 */
const steady = (text: string): string =>
  text
    .replace(RUN_ID, "<run>")
    .replace(/sluice-e2e-[A-Za-z0-9]+/g, "<copy>")
    .replace(/"(generated_at|created_at|started_at|completed_at)": ?("[^"]*"|[\d.]+)/g, '"$1":<t>')
    .replace(/\d+(\.\d+)?( ?)(ms|s)\b/g, "<t>")
    // The summary table's seconds column.
    .replace(/ \d+\.\d\d(?= |$)/gm, " <t>")
    .replace(/"(execution_time|timing)": [^,}\]]*/g, '"$1": <t>')
    .replace(/\s+/g, " ");

/**
 * Exit code and the lines of stdout and of stderr (without the --debug line and each progress
 * line's place), steadied and sorted: nodes running at the same time finish in either order.
 */
const printed = (r: CliRun): string => {
  const lines = (text: string) =>
    text
      .split("\n")
      .filter((line) => !line.startsWith("debug: "))
      // A line's place ("3 of 29") or "check" (a line printed after later ones) depends on timing.
      .map((line) => steady(line.replace(/^\s*(\d+ of \d+|check) /, "")))
      .sort();
  return [r.code, ...lines(r.stdout), "--", ...lines(r.stderr)].join("\n");
};

/** The counts in the --debug line of a run: nodes revived from their facts, and read whole. */
const factCounts = (r: CliRun): [number, number] => {
  const m = /debug: (\d+) nodes revived from their facts, (\d+) of them read whole/.exec(r.stderr);
  if (!m) throw new Error(`no fact-node line in:\n${r.stderr}`);
  return [Number(m[1]), Number(m[2])];
};

describe("run commands read the nodes they do not run from the compile's facts", () => {
  const projects: { dir: string; cleanup: () => Promise<void> }[] = [];
  const [withFacts, withoutFacts] = [0, 1];
  const sluice = (at: number, ...args: string[]) =>
    runSluice(["--project-dir", projects[at]!.dir, ...args]);

  beforeAll(async () => {
    const generate = async (dir: string, start: string, seed: string) => {
      const generated = await runSluice([
        ...["--project-dir", dir, "generate", "--events", "800", "--start", start],
        ...["--hours", "2", "--seed", seed, "--malformed-rate", "0.05"],
      ]);
      expect(generated.code, generated.stderr).toBe(0);
    };
    for (const _ of [0, 1]) {
      const project = await copyModelsProject();
      projects.push(project);
      await generate(project.dir, "2026-11-27T00:00:00Z", "7");
      // Past the partial-parse racy window: the build caches its compile (and its facts).
      await ageProject(project.dir, 0);
      const built = await runSluice(["--project-dir", project.dir, "build"]);
      expect(built.code, built.stderr).toBe(0);
      // New data for the commands below.
      await generate(project.dir, "2026-11-27T02:00:00Z", "8");
    }
  }, 240_000);
  afterAll(() => Promise.all(projects.map((p) => p.cleanup())));

  /** Run `args` in both copies, the second without its facts; what each printed. */
  async function both(args: string[]): Promise<[CliRun, CliRun]> {
    const a = await sluice(withFacts, ...args, "--debug");
    await rm(path.join(projects[withoutFacts]!.dir, "target/compile_facts.json"), { force: true });
    const b = await sluice(withoutFacts, ...args, "--debug");
    return [a, b];
  }

  /**
   * What run_results.json of a copy says of each node, steadied (by id: nodes finish in either
   * order; without times).
   */
  const results = async (at: number): Promise<string> => {
    const text = await readFile(path.join(projects[at]!.dir, "target/run_results.json"), "utf8");
    const { results } = JSON.parse(text) as { results: Record<string, unknown>[] };
    const said = results
      .map((r) => {
        const { unique_id, status, message, failures, compiled_code, adapter_response } = r;
        const { scope } = (adapter_response as { sluice?: { scope?: unknown } }).sluice ?? {};
        return { unique_id, status, message, failures, compiled_code, scope };
      })
      .sort((a, b) => String(a.unique_id).localeCompare(String(b.unique_id)));
    return steady(JSON.stringify(said, null, 1));
  };

  /** The lake's record of each table: its watermark and the raw hours it has not reconciled. */
  const tableStates = (at: number) =>
    queryLake(
      projects[at]!.dir,
      "select schema_name, table_name, watermark, pending_from from main.sluice_table_state " +
        "order by schema_name, table_name",
    );

  /**
   * manifest.json of a copy, steadied, without its metadata (the invocation's id and time) and
   * the byte ranges of its state index (an entry's `created_at` is as long as its time prints).
   */
  const manifest = async (at: number): Promise<string> => {
    const text = await readFile(path.join(projects[at]!.dir, "target/manifest.json"), "utf8");
    const { metadata: _, ...rest } = JSON.parse(text) as Record<string, unknown>;
    const index = (rest["selectors"] as Record<string, Record<string, unknown>>)[
      "sluice_state_index"
    ]!;
    for (const key of ["ranges", "digest", "at"]) delete index[key];
    return steady(JSON.stringify(rest, null, 1));
  };

  it("prints, writes and builds what reading every node whole does", async () => {
    const commands = [
      // The staging model alone: what its run leaves for the reconciliation depends on the
      // reconciled model's `reconcile` config, a node not selected (read from its facts).
      ["build", "--select", "stg_events"],
      // The reconciled model and its rejected rows: the reconciliation runs.
      ["build", "--select", "events", "rejected_events"],
      // A mart: its parents not selected, read for its window.
      ["build", "--select", "sales_by_country"],
      ["test", "--select", "silver"],
    ];
    for (const [i, args] of commands.entries()) {
      const [a, b] = await both(args);
      // The second reconciles the new hours: its line is among what both printed.
      if (i === 1) expect(a.stderr).toMatch(/reconciled [1-9]\d* raw partitions/);
      const [made, whole] = factCounts(a);
      // Facts read: every node revived from them, not all of them read whole (the scale test
      // below counts them).
      expect(made, args.join(" ")).toBeGreaterThan(30);
      expect(whole, args.join(" ")).toBeLessThan(made);
      expect(factCounts(b), args.join(" ")).toEqual([0, 0]);
      expect(a.code, a.stderr).toBe(0);
      expect(printed(a), args.join(" ")).toBe(printed(b));
      expect(await results(withFacts), args.join(" ")).toBe(await results(withoutFacts));
      // What each table's state records, the hours not reconciled yet among it.
      expect(await tableStates(withFacts), args.join(" ")).toEqual(await tableStates(withoutFacts));
      expect(await manifest(withFacts), args.join(" ")).toBe(await manifest(withoutFacts));
    }
    // Without --select every node runs: none is revived from its facts to be read whole after.
    const [all] = await both(["test"]);
    expect(all.code, all.stderr).toBe(0);
    expect(factCounts(all)).toEqual([0, 0]);
    // The lakes hold the same rows.
    const tables = ["silver.events", "silver.rejected_events", "marts.sales_by_country"];
    for (const table of tables) {
      const sql = `select count(*) as n, sum(hash(t::varchar)) as h from ${table} t`;
      expect(await queryLake(projects[withFacts]!.dir, sql), table).toEqual(
        await queryLake(projects[withoutFacts]!.dir, sql),
      );
    }
  }, 240_000);

  it("a damaged cached compile is compiled afresh, not read", async () => {
    // A line of partial_parse.json's context made unreadable (by hand, or by the disk: the file
    // is written whole, then renamed into place): a run (which reads the file whole) and the fast
    // path of an edit compile afresh and write the file whole again. (The first line and the
    // index: context-text.test.ts.)
    const file = path.join(projects[withoutFacts]!.dir, "target/partial_parse.json");
    const model = path.join(projects[withoutFacts]!.dir, "staging/stg_events.sql");
    const commands = [
      ["test", "--select", "not_null_stg_events_dt"],
      ["compile", "--select", "stg_events"],
    ];
    for (const [at, args] of [[2, commands[0]!] as const, [3, commands[1]!] as const]) {
      const lines = (await readFile(file, "utf8")).split("\n");
      expect(lines).toHaveLength(5);
      lines[at] = `not JSON${lines[at]!.slice(8)}`;
      await writeFile(file, lines.join("\n"));
      // The fast path (model SQL edited) reads the properties' line first.
      if (at === 3) await writeFile(model, `${await readFile(model, "utf8")}-- an edit\n`);
      const r = await sluice(withoutFacts, ...args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/error|unexpected/i);
      const written = (await readFile(file, "utf8")).split("\n");
      for (const line of written.slice(1, 4))
        expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });
});

describe("a one-model build at scale reads only what it runs", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await syntheticProjectDir(100, "sluice-build-facts-");
    // One raw hour of one event, where the synthetic project's source reads it.
    const hour = path.join(dir, ".lake/raw/events/2026/12/01/00");
    mkdirSync(hour, { recursive: true });
    writeFileSync(
      path.join(hour, "sluice-events-1-2026-12-01-00-00-00-test.gz"),
      gzipSync('{"event_id":"e1"}\n'),
    );
    await ageProject(dir, 0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads m_0 and its two tests whole, the other 297 nodes from their facts", async () => {
    const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
    const first = await sluice("build", "--select", "+m_0");
    expect(first.code, first.stderr).toBe(0);
    const r = await sluice("build", "--select", "m_0", "--debug");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 model and 0 seeds built/);
    expect(factCounts(r)).toEqual([300, 3]);
    // Nor the model files' texts partial_parse.json holds (on a line of their own): that line
    // made unreadable, `ls` with a new selector and the same build still run (a read of it would
    // throw, or make the command compile again).
    const file = path.join(dir, "target/partial_parse.json");
    const lines = (await readFile(file, "utf8")).split("\n");
    expect(lines).toHaveLength(5);
    lines[2] = "not JSON";
    await writeFile(file, lines.join("\n"));
    const listed = await sluice("ls", "--select", "+m_7", "--format", "json");
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBeGreaterThan(2);
    const again = await sluice("build", "--select", "m_0", "--debug");
    expect(again.code, again.stderr).toBe(0);
    expect(factCounts(again)).toEqual([300, 3]);
    // Neither compiled again (which would have written the line back).
    expect((await readFile(file, "utf8")).split("\n")[2]).toBe("not JSON");
    // A command that does read it (the Athena check of a node it has no verdict for reads the
    // node's file): one line naming the file and what to do, the file removed; the next run
    // compiles afresh and writes it whole again.
    await rm(path.join(dir, "target/athena_check.json"));
    const damaged = await sluice("build", "--select", "m_0");
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain(
      `error: ${file} is damaged: its models do not parse (Unexpected token`,
    );
    expect(damaged.stderr).toMatch(
      /removed it; run the command again \(it compiles the project afresh\)\n$/,
    );
    expect(damaged.stderr).not.toMatch(/unexpected: --debug|\bat .*\.cjs/);
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
    const healed = await sluice("build", "--select", "m_0");
    expect(healed.code, healed.stderr).toBe(0);
    expect(JSON.parse((await readFile(file, "utf8")).split("\n")[2]!)).toHaveLength(100);
  });
});
