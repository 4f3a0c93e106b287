import { readFile, writeFile } from "node:fs/promises";
import { XMLParser } from "fast-xml-parser";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, readRunResults, repoRoot, runSluice } from "../support/cli.js";
import { manifestV12, runResultsV6 } from "../support/dbt-artifact-schemas.js";

/**
 * target/manifest.json and run_results.json in dbt's v12 / v6 shape (issue #16), checked against
 * the schemas' required fields and against what the project and the run say independently.
 */
describe("dbt artifacts", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  let json = "";
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const read = async (file: string): Promise<unknown> =>
    JSON.parse(await readFile(path.join(dir, "target", file), "utf8"));

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    const gen = await sluice(
      ...["generate", "--events", "1500", "--start", "2026-11-27T00:00:00Z", "--hours", "2"],
      ...["--seed", "7", "--sink", "local"],
    );
    expect(gen.code, gen.stderr).toBe(0);
    const build = await sluice("build", "--format", "json");
    expect(build.code, build.stderr).toBe(0);
    json = build.stdout;
  }, 120_000);
  afterAll(() => cleanup());

  it("manifest.json parses as a v12 manifest, with every node, macro and exposure", async () => {
    const manifest = manifestV12.parse(await read("manifest.json"));
    expect(manifest.metadata.project_name).toBe("ecommerce");
    const funnel = manifest.nodes["model.ecommerce.funnel"]!;
    expect(funnel).toMatchObject({
      resource_type: "model",
      fqn: ["ecommerce", "marts", "funnel"],
      original_file_path: "marts/funnel.sql",
      relation_name: '"marts"."funnel"',
      config: { materialized: "incremental", schema: "marts" },
      depends_on: { nodes: ["model.ecommerce.events"] },
    });
    expect(funnel.raw_code).toBe(await readFile(path.join(dir, "marts/funnel.sql"), "utf8"));
    expect(`${funnel.compiled_code!.trim()}\n`).toBe(
      await readFile(path.join(dir, "target/compiled/marts/funnel.sql"), "utf8"),
    );
    expect(funnel.checksum.name).toBe("sha256");
    // A model calling a project macro lists it (money.sql defines the money macros).
    const macros = Object.keys(manifest.macros);
    expect(macros.length).toBeGreaterThan(0);
    const callers = Object.values(manifest.nodes).filter((n) => n.depends_on.macros.length > 0);
    expect(callers.length).toBeGreaterThan(0);
    for (const c of callers) for (const m of c.depends_on.macros) expect(macros).toContain(m);
    expect(Object.keys(manifest.sources)).toContain("source.ecommerce.raw.events");
    expect(Object.keys(manifest.exposures).length).toBeGreaterThan(0);
    // parent_map and child_map are each other's inverse and agree with depends_on.
    for (const [id, parents] of Object.entries(manifest.parent_map!)) {
      const node = manifest.nodes[id] ?? manifest.exposures[id];
      if (node) expect(parents).toEqual([...(node.depends_on.nodes ?? [])].sort());
      for (const p of parents) expect(manifest.child_map![p]).toContain(id);
    }
    // sluice's own fields are under meta.sluice only, and repeat none of dbt's.
    const own = funnel.meta["sluice"] as Record<string, unknown>;
    expect(Object.keys(own).sort()).toEqual(["checksums", "location"]);
    expect(Object.keys(own["checksums"] as object).sort()).toEqual([
      "body",
      "configs",
      "contract",
      "macros",
      "relation",
    ]);
    expect(Object.values(own["checksums"] as object).every((d) => /^[0-9a-f]{16}$/.test(d))).toBe(
      true,
    );
    // Written compact, as dbt writes it.
    expect(
      (await readFile(path.join(dir, "target/manifest.json"), "utf8")).split("\n"),
    ).toHaveLength(2);
  });

  it("run_results.json parses as v6 results and reads back as the run printed them", async () => {
    const file = runResultsV6.parse(await read("run_results.json"));
    expect(file.args).toMatchObject({ which: "build" });
    const funnel = file.results.find((r) => r.unique_id === "model.ecommerce.funnel")!;
    expect(funnel.status).toBe("success");
    expect(funnel.relation_name).toBe('"marts"."funnel"');
    expect(funnel.adapter_response["rows_affected"]).toBeGreaterThan(0);
    expect(funnel.timing[0]).toMatchObject({ name: "execute" });
    const tests = file.results.filter((r) => r.unique_id.startsWith("test."));
    expect(tests.every((t) => typeof t.failures === "number" || t.failures === null)).toBe(true);
    // Round trip: what sluice reads back equals what `--format json` printed.
    const printed = JSON.parse(json) as { results: { id: string }[] };
    const back = await readRunResults(dir);
    expect(back.results).toEqual(printed.results);
    expect(back.command).toBe("build");
  });

  it("--junit-xml: one testcase per test and rule, failures with rule, metric, SQL and rows; GitHub annotations", async () => {
    // A rule that fails on every row, and a mart that fails to build (its tests are skipped).
    const rules = path.join(dir, "rules/order_items.dqdl");
    const rule = 'ColumnValues "order_item_qty" > 1000';
    await writeFile(
      rules,
      (await readFile(rules, "utf8")).replace('ColumnValues "order_item_qty" > 0', rule),
    );
    const funnel = path.join(dir, "marts/funnel.sql");
    await writeFile(
      funnel,
      (await readFile(funnel, "utf8")).replace(/\bselect\b/i, "select nope,"),
    );
    const report = path.join(dir, "target/junit.xml");
    const r = await runSluice(
      ["--project-dir", dir, "build", "--full-refresh", "--junit-xml", report],
      {
        env: { GITHUB_ACTIONS: "true" },
      },
    );
    expect(r.code).toBe(1);
    const xml = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "",
      isArray: (name) => name === "testsuite" || name === "testcase",
    }).parse(await readFile(report, "utf8")) as {
      testsuites: { tests: string; failures: string; skipped: string; testsuite: Suite[] };
    };
    const cases = xml.testsuites.testsuite.flatMap((s) => s.testcase);
    // One testcase per test node `ls` lists (generic, singular, DQDL rules and unit tests).
    const ls = await sluice(
      "ls",
      "--select",
      "resource_type:test resource_type:unit_test",
      "--format",
      "name",
    );
    const testIds = ls.stdout.split("\n").filter(Boolean);
    expect(cases).toHaveLength(testIds.length);
    expect(Number(xml.testsuites.tests)).toBe(testIds.length);
    const failing = cases.filter((c) => c.failure);
    const ruleCase = failing.find((c) => c.failure!["#text"].includes(rule))!;
    expect(ruleCase).toBeDefined();
    const lines = (await readFile(rules, "utf8")).split("\n");
    expect(ruleCase.file).toBe("rules/order_items.dqdl");
    expect(Number(ruleCase.line)).toBe(lines.findIndex((l) => l.includes(rule)) + 1);
    const text = ruleCase.failure!["#text"];
    expect(text).toMatch(/metric: 0\b/);
    const sqlPath = /compiled SQL: (.+)/.exec(text)![1]!;
    expect(await readFile(path.resolve(repoRoot, sqlPath), "utf8")).toContain("order_item_qty");
    expect(text).toMatch(/sample of failing rows \(up to 5\):\n {2}\{.*"order_item_qty"/);
    // The mart's tests were skipped because it failed.
    const skipped = cases.filter((c) => c.skipped !== undefined);
    expect(skipped.length).toBeGreaterThan(0);
    const funnelCases = cases.filter((c) => c.classname === "funnel");
    expect(funnelCases.length).toBeGreaterThan(0);
    expect(funnelCases.filter((c) => c.skipped === undefined)).toEqual([]);
    expect(Number(xml.testsuites.skipped)).toBe(skipped.length);
    // GitHub: the rule's annotation at its line, the mart's at its file.
    const rel = path.relative(repoRoot, dir);
    expect(r.stdout).toContain(`::error file=${rel}/rules/order_items.dqdl,line=${ruleCase.line},`);
    expect(r.stdout).toContain(
      `::error file=${rel}/marts/funnel.sql,line=1,title=ERROR model funnel::`,
    );
  });

  it("--junit-xml on a full disk: one line naming the file and what to do, exit 1", async () => {
    // /dev/full refuses every write with ENOSPC, as a full disk does at the end of a run.
    const r = await runSluice([
      "--project-dir",
      dir,
      "test",
      "--select",
      "unique_events_event_id",
      "--junit-xml",
      "/dev/full",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toBe(
      "error: --junit-xml: the report was not written: cannot write /dev/full: no space left " +
        "on the device (ENOSPC): free space on that disk and run the command again",
    );
  });
});

interface Suite {
  name: string;
  testcase: {
    name: string;
    classname: string;
    file: string;
    line: string;
    failure?: { "#text": string; message: string };
    skipped?: unknown;
  }[];
}
