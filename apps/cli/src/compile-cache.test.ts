import { cpSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { compileProject, dialectFor } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { GlobalArgs } from "./command.js";
import { appendDqNodes } from "./commands/dq-nodes.js";
import type { Listings } from "./compile-cache.js";
import { cachedContextBytes, validCacheHeader, writeCachedContext } from "./compile-cache.js";
import { memoFile } from "./compile-memo-file.js";
import { contextPieces, parseContext } from "./context-text.js";
import { resolveMemoRefs } from "./memo-refs.js";
import { cacheRequest, loadProjectContext } from "./project-context.js";
import { age, agedModelsCopy, removeAll } from "../test/aged-models.js";

const dirs: string[] = [];
afterEach(() => removeAll(dirs));
const project = (): string => agedModelsCopy(dirs);

const io = { out: () => undefined, err: () => undefined, isTty: false };

const cacheFile = (dir: string) => path.join(dir, "target", "partial_parse.json");

/**
 * partial_parse.json with every node the compile memo holds written in it (as format 3 writes
 * a node the memo does not hold), to edit nodes' texts in it.
 */
function inlined(dir: string): string {
  const text = readFileSync(cacheFile(dir), "utf8");
  const newline = text.indexOf("\n");
  const parsed = parseContext<{
    project: { models: unknown[]; modelProperties: unknown[] };
    compiled: { nodes: unknown[] };
  }>(text.slice(newline + 1))!;
  const memo = memoFile(path.join(dir, "target"));
  expect(resolveMemoRefs(parsed.compiled.nodes, memo, (t) => JSON.parse(t))).toBe(true);
  return `${text.slice(0, newline)}\n${[...contextPieces(parsed)].join("")}`;
}

/** The compile a run with this run id gets without any cache. */
async function direct(dir: string, runId: string, targetName = "local") {
  const p = await loadProject(dir);
  const target = p.config.targets[targetName]!;
  const dialect = dialectFor(target);
  const compiled = compileProject(p, { targetName, vars: {}, env: process.env, runId, dialect });
  await appendDqNodes({ project: p, compiled, dialect, target, runId, storeFailures: false });
  return JSON.parse(JSON.stringify(compiled)) as unknown;
}

describe("partial parsing (target/partial_parse.json)", () => {
  it.each(["local", "prod"])(
    "a cached compile equals a fresh one with the run's own id (%s target)",
    async (target) => {
      const dir = project();
      const first = await loadProjectContext({ projectDir: dir, target }, io);
      expect(statSync(cacheFile(dir)).isFile()).toBe(true);
      const second = await loadProjectContext({ projectDir: dir, target }, io);
      expect(second!.runId).not.toBe(first!.runId);
      expect(JSON.parse(JSON.stringify(second!.compiled))).toEqual(
        await direct(dir, second!.runId, target),
      );
      expect(JSON.stringify(second!.compiled)).not.toContain("19700101T000000Z_cafe");
    },
  );

  it("is what a run uses while nothing changed", async () => {
    const dir = project();
    await loadProjectContext({ projectDir: dir }, io);
    // Mark the cached compile: a hit returns the mark.
    const entry = inlined(dir);
    writeFileSync(
      cacheFile(dir),
      entry.replaceAll(
        "reject_reason is not null",
        "reject_reason is not null /* from the cache */",
      ),
    );
    const hit = await loadProjectContext({ projectDir: dir }, io);
    expect(hit!.compiled.nodes.find((n) => n.id === "model.rejected_events")!.sql).toContain(
      "/* from the cache */",
    );
  });

  it("recompiles after a model is edited, a model is added, --vars or --target change, or with --no-partial-parse", async () => {
    const dir = project();
    const sqlOf = async (args: Record<string, unknown> = {}) =>
      (await loadProjectContext({ projectDir: dir, ...args }, io))!.compiled.nodes.find(
        (n) => n.id === "model.funnel",
      )?.sql ?? "";
    await sqlOf();
    const funnel = path.join(dir, "marts", "funnel.sql");
    writeFileSync(
      funnel,
      readFileSync(funnel, "utf8").replace("stage_order, stage", "stage_order, stage /* edited */"),
    );
    expect(await sqlOf()).toContain("/* edited */");

    writeFileSync(path.join(dir, "marts", "extra_mart.sql"), "select 1 as one");
    const nodes = (await loadProjectContext({ projectDir: dir }, io))!.compiled.nodes.map(
      (n) => n.id,
    );
    expect(nodes).toContain("model.extra_mart");

    age(dir);
    await sqlOf();
    const entry = inlined(dir);
    writeFileSync(
      cacheFile(dir),
      entry.replaceAll("stage_order, stage /* edited */", "stage_order, stage /* stale */"),
    );
    expect(await sqlOf()).toContain("/* stale */");
    expect(await sqlOf({ vars: "{lookback_hours: 5}" })).not.toContain("/* stale */");
    expect(await sqlOf({ target: "prod" })).not.toContain("/* stale */");
    expect(await sqlOf({ partialParse: false })).not.toContain("/* stale */");
  });

  it("names each node the compile memo holds by its place there; a place gone is compiled afresh", async () => {
    const dir = project();
    const first = await loadProjectContext({ projectDir: dir }, io);
    const context = readFileSync(cacheFile(dir), "utf8").split("\n")[1]!;
    const funnel = first!.compiled.nodes.find((n) => n.id === "model.funnel")!;
    // Its text is in the memo, not here: the cache holds where.
    expect(context).not.toContain(JSON.stringify(funnel.sql));
    const place = /"memo:([^":]+):\d+:\d+"/.exec(context);
    expect(place).not.toBeNull();
    const hit = await loadProjectContext({ projectDir: dir }, io);
    expect(JSON.parse(JSON.stringify(hit!.compiled))).toEqual(await direct(dir, hit!.runId));
    // The segment replaced (as a later compile's memo write replaces it): not read, compiled
    // again, the same project.
    rmSync(path.join(dir, "target", "compile_memo", place![1]!));
    const again = await loadProjectContext({ projectDir: dir }, io);
    expect(JSON.parse(JSON.stringify(again!.compiled))).toEqual(await direct(dir, again!.runId));
    // A cache of format 3 (no racy files' hashes in its header) is not read: compiled again.
    age(dir);
    await loadProjectContext({ projectDir: dir }, io);
    const text = inlined(dir);
    const [now, whole] = [text.slice(0, text.indexOf("\n")), text.slice(text.indexOf("\n") + 1)];
    const { racy: _, ...format3 } = { ...JSON.parse(now), format: 3 } as Record<string, unknown>;
    const marked = whole.replaceAll("stage_order, stage", "stage_order, stage /* format 3 */");
    writeFileSync(cacheFile(dir), `${JSON.stringify(format3)}\n${marked}`);
    const older = await loadProjectContext({ projectDir: dir }, io);
    expect(older!.compiled.nodes.find((n) => n.id === "model.funnel")!.sql).not.toContain(
      "format 3",
    );
    // Nor one of format 4 (the context on one line, its model properties in place).
    const format4 = JSON.stringify({ ...JSON.parse(now), format: 4 });
    writeFileSync(cacheFile(dir), `${format4}\n${JSON.stringify(parseContext(marked))}`);
    const four = await loadProjectContext({ projectDir: dir }, io);
    expect(four!.compiled.nodes.find((n) => n.id === "model.funnel")!.sql).not.toContain(
      "format 3",
    );
    writeFileSync(cacheFile(dir), `${now}\n${marked}`);
    const same = await loadProjectContext({ projectDir: dir }, io);
    expect(same!.compiled.nodes.find((n) => n.id === "model.funnel")!.sql).toContain("format 3");
  });

  it("saves a compile right after an edit, and trusts it while the edited file's content is the same", async () => {
    const dir = project();
    await loadProjectContext({ projectDir: dir }, io);
    // Edited now (racy: within 2 s of the next listing); each edit leaves the same time.
    const funnel = path.join(dir, "marts", "funnel.sql");
    const second = Math.floor(Date.now()) / 1000;
    const edit = (from: string, to: string): void => {
      expect(to.length).toBe(from.length);
      writeFileSync(funnel, readFileSync(funnel, "utf8").replace(from, to));
      utimesSync(funnel, second, second);
    };
    edit("stage_order, stage", "stage_order, stagE");
    const edited = await loadProjectContext({ projectDir: dir }, io);
    expect(edited!.compiled.nodes.find((n) => n.id === "model.funnel")!.sql).toContain("stagE");
    const header = JSON.parse(readFileSync(cacheFile(dir), "utf8").split("\n")[0]!) as {
      racy: Record<string, string>;
    };
    expect(Object.keys(header.racy)).toEqual(["marts/funnel.sql"]);
    // Saved: the next command reads it (a mark put in the cache comes back).
    const mark = (): void =>
      writeFileSync(cacheFile(dir), inlined(dir).replaceAll("stagE", "stagE /* cached */"));
    mark();
    const sqlOf = async () =>
      (await loadProjectContext({ projectDir: dir }, io))!.compiled.nodes.find(
        (n) => n.id === "model.funnel",
      )!.sql;
    expect(await sqlOf()).toContain("/* cached */");
    // Rewritten with the same size and the same time: the listing cannot tell, the content does.
    const before = statSync(funnel);
    edit("stage_order, stagE", "stage_order, staGE");
    expect([statSync(funnel).size, statSync(funnel).mtimeMs]).toEqual([
      before.size,
      before.mtimeMs,
    ]);
    expect(await sqlOf()).toContain("staGE");
  });

  it("saves after an edit only with a listing taken before the load, whatever the clock says", () => {
    const dir = project();
    const target = path.join(dir, "target");
    const request = cacheRequest({ projectDir: dir } as GlobalArgs);
    const save = (started: number, listings: Listings) =>
      writeCachedContext(target, request, ["marts"], [], () => "{}", started, listings);
    expect(save(Date.now(), new Map())).toBeDefined(); // nothing racy: saved
    writeFileSync(path.join(dir, "marts", "funnel.sql"), "select 1 as x\n");
    // The listing and the load's start in one millisecond (a frozen clock): only where the
    // listing came from tells whether it proves what the load read.
    vi.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    try {
      const started = Date.now();
      expect(save(started, new Map())).toBeUndefined(); // listed after the load: skipped
      const checked: Listings = new Map();
      expect(validCacheHeader(target, request, checked)).toBeUndefined(); // the edit is seen
      const line = save(started, checked); // listed by the check, before the load
      expect(Object.keys((JSON.parse(line!) as { racy: object }).racy)).toEqual([
        "marts/funnel.sql",
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("hands the fast path the context's bytes only under the header it asks for", () => {
    // Any folder holding a partial_parse.json will do.
    const target = project();
    const header = '{"format":6,"é":"😀"}';
    const body = 'head é\n["ü"]\n[["a"],[6]]';
    writeFileSync(path.join(target, "partial_parse.json"), `${header}\n${body}`);
    expect(cachedContextBytes(target, header)).toEqual({
      head: "head é",
      rest: Buffer.from('\n["ü"]\n[["a"],[6]]'),
    });
    expect(cachedContextBytes(target, '{"format":6,"é":"😁"}')).toBeUndefined();
    expect(cachedContextBytes(target, '{"format":6}')).toBeUndefined();
    rmSync(path.join(target, "partial_parse.json"));
    expect(cachedContextBytes(target, header)).toBeUndefined();
  });

  it("recompiles when the project folder moved (compiled SQL holds absolute lake paths)", async () => {
    const dir = project();
    await loadProjectContext({ projectDir: dir }, io);
    const moved = path.join(path.dirname(dir), "moved");
    cpSync(dir, moved, { recursive: true, preserveTimestamps: true });
    const ctx = await loadProjectContext({ projectDir: moved }, io);
    expect(ctx!.project.dir).toBe(moved);
    expect(ctx!.compiled.nodes.find((n) => n.id === "model.events")!.location).toContain(moved);
  });

  it("recompiles when an environment variable the templates read changes", async () => {
    const dir = project();
    const marts = path.join(dir, "marts", "env_mart.sql");
    writeFileSync(marts, 'select \'{{ env_var("SLUICE_PP_TEST", "none") }}\' as v');
    age(dir);
    const sqlOf = async () =>
      (await loadProjectContext({ projectDir: dir }, io))!.compiled.nodes.find(
        (n) => n.id === "model.env_mart",
      )!.sql;
    delete process.env["SLUICE_PP_TEST"];
    expect(await sqlOf()).toContain("'none'");
    process.env["SLUICE_PP_TEST"] = "blue";
    try {
      expect(await sqlOf()).toContain("'blue'");
    } finally {
      delete process.env["SLUICE_PP_TEST"];
    }
  });
});
