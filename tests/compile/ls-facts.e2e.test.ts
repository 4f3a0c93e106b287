import { existsSync } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ageProject, syntheticProjectDir } from "../support/aged-project.js";
import { copyModelsProject, runSluice } from "../support/cli.js";

/**
 * `ls` on an unchanged compile lists from the nodes' facts (#14, apps/cli/src/fact-nodes.ts):
 * compile_facts.json instead of the compile memo. Checked from outside: what it prints equals
 * what the full revive prints (compile_facts.json removed, so every node is read from the memo),
 * selector by selector, on the models project (unit tests, DQDL rules, shared scans, sources,
 * seeds); and on a synthetic project it lists with the memo moved away (nothing read from it: no
 * compile ran again).
 */
// JSON prints every member ls reads (kind, resource type, materialization, relation, path, tags,
// dependencies); the table and the names once each.
const listed: string[][] = [
  ["--format", "table"],
  ["--format", "name"],
  ...[
    [],
    ["--select", "+sales_by_country"],
    ["--select", "tag:marts", "--exclude", "test_type:unit"],
    ["--select", "test_type:data", "--select", "silver"],
    ["--select", "config.materialized:incremental+"],
    ["--resource-type", "unit_test"],
    ["--select", "source:raw+1"],
  ].map((selection) => [...selection, "--format", "json"]),
];

describe("ls lists from the compile's facts", () => {
  let project: Awaited<ReturnType<typeof copyModelsProject>>;
  const sluice = (args: string[]) => runSluice(["--project-dir", project.dir, ...args]);
  const target = () => path.join(project.dir, "target");

  beforeAll(async () => {
    project = await copyModelsProject();
    await ageProject(project.dir, 0);
    const compiled = await sluice(["compile"]);
    expect(compiled.code, compiled.stderr).toBe(0);
  });
  afterAll(() => project?.cleanup());

  /** Each listing: exit code, stdout and stderr, none replayed. */
  async function listings(): Promise<string[]> {
    const out: string[] = [];
    for (const args of listed) {
      await rm(path.join(target(), "replay"), { recursive: true, force: true });
      const r = await sluice(["ls", ...args]);
      out.push(`${args.join(" ")}\n${r.code}\n${r.stdout}\n${r.stderr}`);
    }
    return out;
  }

  it("prints what the full revive prints", async () => {
    const facts = path.join(target(), "compile_facts.json");
    expect(existsSync(facts)).toBe(true);
    const fromFacts = await listings();
    // The selections are not vacuous: each lists something, one of them unit tests.
    expect(fromFacts.filter((l) => l.includes("unit_test.")).length).toBeGreaterThan(0);
    expect(fromFacts.every((l) => l.split("\n")[1] === "0")).toBe(true);
    await rm(facts);
    const fromMemo = await listings();
    expect(fromFacts).toEqual(fromMemo);
  });
});

describe("ls at scale reads no compile memo", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await syntheticProjectDir(300, "sluice-ls-facts-");
    await ageProject(dir, 0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("lists with the memo moved away, as it listed with it", async () => {
    const sluice = (args: string[]) => runSluice(["--project-dir", dir, ...args]);
    expect((await sluice(["compile"])).code).toBe(0);
    const target = path.join(dir, "target");
    const parse = path.join(target, "partial_parse.json");
    const parsedAt = (await stat(parse)).mtimeMs;
    const args = (s: string) => ["ls", "--select", s, "--format", "json"];
    const before = await sluice(args("+m_299"));
    expect(before.code).toBe(0);
    expect((JSON.parse(before.stdout) as unknown[]).length).toBeGreaterThan(10);
    await rename(path.join(target, "compile_memo"), path.join(dir, "memo-away"));
    // Not replays of what ran before (target/replay).
    await rm(path.join(target, "replay"), { recursive: true, force: true });
    const tagged = await sluice(args("tag:t1"));
    await rm(path.join(target, "replay"), { recursive: true, force: true });
    const after = await sluice(args("+m_299"));
    await rename(path.join(dir, "memo-away"), path.join(target, "compile_memo"));
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe(before.stdout);
    // The models tagged t1 (and their tests, as dbt selects them).
    const listed = JSON.parse(tagged.stdout) as { kind: string; tags: string[] }[];
    const models = listed.filter((n) => n.kind === "model");
    expect(models.length).toBeGreaterThan(0);
    expect(models.every((n) => n.tags.includes("t1"))).toBe(true);
    // Listed from the facts, not compiled again (a compile would have written partial_parse.json).
    expect((await stat(parse)).mtimeMs).toBe(parsedAt);
  });
});
