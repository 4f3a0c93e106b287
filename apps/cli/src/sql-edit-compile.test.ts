import { execFileSync } from "node:child_process";
import { hash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { compileCommand } from "./commands/compile.js";
import { cacheRequest, loadProjectContext } from "./project-context.js";
import { parseContext } from "./context-text.js";
import { compileSqlEdits } from "./sql-edit-compile.js";
import { RUN_ID_PLACEHOLDER } from "./compile-cache.js";
import { factNodeCounts, isFactNode } from "./fact-nodes.js";
import { age, agedModelsCopy, removeAll } from "../test/aged-models.js";

/**
 * The fast path after an edit of model SQL literals (#14) against the full path, on a copy of
 * the models project: `sluice compile` after the same edit, from the same target/, through the
 * fast path and through a full compile, leaves every file of target/ equal byte for byte (the
 * clock frozen); and what the fast path refuses, it leaves as it was.
 */
const io = { out: () => undefined, err: () => undefined, isTty: false };
const dirs: string[] = [];
let dir: string;
let saved: string;
const target = (): string => path.join(dir, "target");

async function fullCompile(): Promise<void> {
  process.env["SLUICE_SQL_EDITS"] = "1";
  try {
    expect(await loadProjectContext({ projectDir: dir }, io)).toBeDefined();
  } finally {
    delete process.env["SLUICE_SQL_EDITS"];
  }
}

/** The files of target/ both paths write (all of target/ with `all`), by name: their sha1. */
function written(all = false): Map<string, string> {
  const files = new Map<string, string>();
  // The manifest index records manifest.json's modification time, from the file system's clock.
  const masked = (name: string, bytes: Buffer) =>
    name === ".manifest-index.json"
      ? bytes.toString("latin1").replace(/"mtimeMs":[\d.]+/, '"mtimeMs":0')
      : bytes;
  const add = (name: string) =>
    files.set(name, hash("sha1", masked(name, readFileSync(path.join(target(), name)))));
  if (all) {
    for (const e of readdirSync(target(), { recursive: true, withFileTypes: true }))
      if (e.isFile()) add(path.relative(target(), path.join(e.parentPath, e.name)));
    return files;
  }
  ["partial_parse.json", "partial_parse.edits.json", "compile_memo.json"].forEach(add);
  for (const f of readdirSync(path.join(target(), "compile_memo"))) add(`compile_memo/${f}`);
  return files;
}

/**
 * A copy of a target/ folder with its files' times to the nanosecond (`cp -a`): the manifest
 * index trusts manifest.json by its size and time, so the copy's entries are copied, not built.
 */
function copyDir(from: string, to: string): void {
  execFileSync("cp", ["-a", from, to]);
}

function restore(): void {
  rmSync(target(), { recursive: true, force: true });
  copyDir(saved, target());
}

function edit(rel: string, change: (text: string) => string, when: Date): void {
  const file = path.join(dir, rel);
  writeFileSync(file, change(readFileSync(file, "utf8")));
  utimesSync(file, when, when);
}

beforeAll(async () => {
  dir = agedModelsCopy(dirs, "sluice-fast-");
  // Model properties beyond ASCII: the fast path reads and writes them back as UTF-8 bytes.
  const yml = path.join(dir, "marts/marts.yml");
  writeFileSync(
    yml,
    readFileSync(yml, "utf8").replace("(English name).", "(English name, e.g. Österreich 😀)."),
  );
  expect(readFileSync(yml, "utf8")).toContain("Österreich");
  age(dir, new Date(Date.now() - 60_000));
  await fullCompile();
  saved = path.join(path.dirname(dir), "target-saved");
  copyDir(target(), saved);
});
afterAll(() => removeAll(dirs));

describe("compileSqlEdits", () => {
  it("refuses a model with unit tests, writing nothing", async () => {
    restore();
    edit(
      "marts/sales_by_country.sql",
      (t) => `${t}-- fast edit 2\n`,
      new Date(Date.now() - 20_000),
    );
    const before = written();
    const fast = await compileSqlEdits(target(), cacheRequest({ projectDir: dir }), new Map());
    expect(fast).toEqual({ refused: "model.sales_by_country: it has unit tests" });
    expect(written()).toEqual(before);
  });
});

describe("the switch", () => {
  it("is on by default; SLUICE_SQL_EDITS=0 compiles through the full path", async () => {
    const load = async (value?: string) => {
      if (value === undefined) delete process.env["SLUICE_SQL_EDITS"];
      else process.env["SLUICE_SQL_EDITS"] = value;
      try {
        const ctx = await loadProjectContext({ projectDir: dir }, io);
        expect(ctx).toBeDefined();
        return ctx?.sqlEdits?.nodes;
      } finally {
        delete process.env["SLUICE_SQL_EDITS"];
      }
    };
    // A target/ that has compiled the edits of the tests before (a full compile), kept aside.
    restore();
    rmSync(path.join(target(), "partial_parse.edits.json"));
    await load();
    const before = path.join(path.dirname(dir), "target-switch");
    copyDir(target(), before);
    edit("marts/funnel.sql", (t) => `${t}-- switch\n`, new Date(Date.now() - 15_000));
    expect(await load("0")).toBeUndefined();
    rmSync(target(), { recursive: true, force: true });
    copyDir(before, target());
    expect(await load()).toEqual(["model.funnel"]);
  });
});

describe("sluice compile with SLUICE_SQL_EDITS=1", () => {
  /** `sluice compile` in-process, the switch on. */
  async function compile(artifacts: "auto" | "packed"): Promise<void> {
    process.env["SLUICE_SQL_EDITS"] = "1";
    const args = { projectDir: dir, _: ["compile"], format: "text", artifacts } as const;
    try {
      expect(await compileCommand.handler(args as never, io)).toBe(0);
    } finally {
      delete process.env["SLUICE_SQL_EDITS"];
    }
  }

  /** Replace target/ with a copy of `from`; without the edits base: the full path compiles. */
  function reset(from: string, full = false): void {
    rmSync(target(), { recursive: true, force: true });
    copyDir(from, target());
    if (full) rmSync(path.join(target(), "partial_parse.edits.json"));
  }

  /**
   * From the target/ a full compile of `dir` leaves (its manifest entries copied afterwards: see
   * copyDir), `edits` made, then `sluice compile` through the fast path and through the full
   * path: every file of target/ equal, and the fast path taken for the models `edited`. The
   * clock is frozen (the manifest's times are the invocation's).
   */
  async function fastEqualsFull(
    artifacts: "auto" | "packed",
    edits: () => void,
    edited: string[],
  ): Promise<Map<string, string>> {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date());
    try {
      const base = path.join(path.dirname(dir), `target-base-${artifacts}`);
      reset(saved);
      await compile(artifacts);
      copyDir(target(), base);
      edits();
      // The fast path hands revive the context it wrote as parsed: what the text parses to.
      const direct = await compileSqlEdits(target(), cacheRequest({ projectDir: dir }), new Map());
      if ("refused" in direct) throw new Error(direct.refused);
      expect(direct.parsed).toBeDefined();
      // The model properties are not parsed on the way (only the edited models' entries are).
      const project = (direct.parsed as { project: object }).project;
      expect(Object.getOwnPropertyDescriptor(project, "modelProperties")?.get).toBeDefined();
      expect(JSON.stringify(direct.parsed)).toBe(JSON.stringify(parseContext(direct.context())));
      expect(direct.parsed).toStrictEqual(parseContext(direct.context()));
      // The context it hands back is the one written (its properties written back as bytes).
      const cache = readFileSync(path.join(target(), "partial_parse.json"), "utf8");
      expect(direct.context() === cache.slice(cache.indexOf("\n") + 1)).toBe(true);
      reset(base);
      // A load of this state takes the fast path (so does the compile's, from the same state),
      // and hands the artifact writers the digests the full path hands them.
      const load = async () => {
        process.env["SLUICE_SQL_EDITS"] = "1";
        try {
          const ctx = await loadProjectContext({ projectDir: dir }, io);
          return {
            edits: ctx?.sqlEdits?.nodes,
            digests: [...(ctx?.nodeDigests ?? [])].sort(),
            // Written by a load with a run id (no fact nodes: each row made from its node).
            facts: readFileSync(path.join(target(), "compile_facts.json"), "latin1"),
          };
        } finally {
          delete process.env["SLUICE_SQL_EDITS"];
        }
      };
      const fastLoad = await load();
      expect(fastLoad.edits?.slice().sort()).toEqual(edited.slice().sort());
      reset(base, true);
      const fullLoad = await load();
      expect(fullLoad.edits).toBeUndefined();
      expect(fastLoad.digests.length).toBeGreaterThan(30);
      expect(fastLoad.digests).toEqual(fullLoad.digests);
      expect(fastLoad.facts).toBe(fullLoad.facts);
      reset(base);
      await compile(artifacts);
      const fast = written(true);
      reset(base, true);
      await compile(artifacts);
      const full = written(true);
      expect([...fast.keys()].sort()).toEqual([...full.keys()].sort());
      // The manifest first: a wrong entry shows there before its index.
      for (const f of ["manifest.json", ...full.keys()]) expect(fast.get(f), f).toBe(full.get(f));
      rmSync(base, { recursive: true, force: true });
      return fast;
    } finally {
      vi.useRealTimers();
    }
  }

  it("leaves target/ as the full path leaves it, byte for byte", async () => {
    const when = new Date(Date.now() - 10_000);
    await fastEqualsFull(
      "auto",
      () => {
        // The entry grows; and a non-ASCII character (the manifest's offsets count bytes).
        edit("marts/funnel.sql", (t) => `${t}-- fast edit 3\n`, when);
        edit("marts/channel_performance.sql", (t) => t.replace("select", "select /* é */"), when);
      },
      ["model.channel_performance", "model.funnel"],
    );
  });

  /**
   * In a synthetic project of 200 models (600 nodes in 4 shards, see packShards) in `name`, its
   * target/ compiled (packed) and kept aside as `saved`: `test()`, then back to the models project.
   */
  async function inSynthetic(name: string, test: () => Promise<void>): Promise<void> {
    const previous = { dir, saved };
    try {
      dir = path.join(path.dirname(previous.dir), name);
      const bench = new URL("../../../tests/bench/synthetic-project.mjs", import.meta.url).href;
      const { writeAgedSyntheticProject } = (await import(bench)) as {
        writeAgedSyntheticProject: (n: number, dir: string) => unknown;
      };
      writeAgedSyntheticProject(200, dir);
      saved = path.join(path.dirname(dir), `${name}-saved`);
      await compile("packed");
      copyDir(target(), saved);
      await test();
    } finally {
      ({ dir, saved } = previous);
    }
  }

  /** The synthetic project's last model file, edited (its SQL only). */
  const editLastModel = (): string => {
    const file = "models/marts/f0001/m_199.sql";
    edit(file, (t) => `${t}-- fact edit\n`, new Date(Date.now() - 10_000));
    return file;
  };

  it("the same in packed shards, after an edit of the first and the last model", async () => {
    await inSynthetic("synthetic", async () => {
      // The first and the last model of the manifest: its first and last entries that move.
      const manifest = JSON.parse(readFileSync(path.join(target(), "manifest.json"), "utf8")) as {
        nodes: Record<string, { resource_type: string; original_file_path: string }>;
      };
      const models = Object.entries(manifest.nodes).filter(([, n]) => n.resource_type === "model");
      const [first, last] = [models[0]!, models.at(-1)!];
      const when = new Date(Date.now() - 10_000);
      const fast = await fastEqualsFull(
        "packed",
        () => {
          edit(first[1].original_file_path, (t) => `${t}-- fast edit ü\n`, when);
          edit(last[1].original_file_path, (t) => t.replace("select", "select 1 as one,"), when);
        },
        [first[0], last[0]].map((id) => id.replace(".synthetic.", ".")),
      );
      // Two shards changed (each model's artifacts are in its own shard).
      const shardOf = (file: string) =>
        [...fast.keys()].filter(
          (f) =>
            f.startsWith(path.join("packed", "run")) &&
            readFileSync(path.join(target(), f), "utf8").includes(`artifact: ${file}\n`),
        );
      const shards = [first, last].map(([, n]) => shardOf(n.original_file_path));
      expect(shards.map((s) => s.length)).toEqual([1, 1]);
      expect(shards[0]).not.toEqual(shards[1]);
    });
  });

  it("compile's fact nodes read whole are the nodes the full path compiles", async () => {
    await inSynthetic("synthetic-facts", async () => {
      reset(saved);
      editLastModel();
      const base = path.join(path.dirname(dir), "synthetic-facts-edited");
      copyDir(target(), base);
      const load = async () => {
        process.env["SLUICE_SQL_EDITS"] = "1";
        try {
          const options = { runId: RUN_ID_PLACEHOLDER, factNodes: true };
          const ctx = await loadProjectContext({ projectDir: dir }, io, options);
          return ctx!.compiled.nodes;
        } finally {
          delete process.env["SLUICE_SQL_EDITS"];
        }
      };
      const fast = await load();
      // All but the nodes of the memo segments the edit rewrote (and the source).
      expect(fast.filter(isFactNode).length).toBeGreaterThan(fast.length * 0.9);
      reset(base, true);
      const full = await load();
      expect(full.some(isFactNode)).toBe(false);
      expect(fast.map((n) => n.id)).toEqual(full.map((n) => n.id));
      // Members beyond the facts, read one by one (each fact node materialized by its first).
      for (const [i, n] of fast.entries()) {
        expect(n.relation, n.id).toEqual(full[i]!.relation);
        expect(n.sql, n.id).toBe(full[i]!.sql);
        expect(n.statements, n.id).toEqual(full[i]!.statements);
        expect(n.incrementalStatements, n.id).toEqual(full[i]!.incrementalStatements);
        expect(n.config, n.id).toEqual(full[i]!.config);
      }
      // And whole, as the artifact writers serialize a node (toJSON).
      expect(JSON.stringify(fast)).toBe(JSON.stringify(full));
      // A member written is the whole node's.
      const written = fast.find(isFactNode)!;
      written.sql = "select 2";
      expect(written.sql).toBe("select 2");
      expect((JSON.parse(JSON.stringify(written)) as { sql: string }).sql).toBe("select 2");
      rmSync(base, { recursive: true, force: true });
    });
  });

  it("a one-edit compile reads whole only the nodes it writes again", async () => {
    await inSynthetic("synthetic-guard", async () => {
      reset(saved);
      const file = editLastModel();
      // compile_facts.json's rows as a text JSON.stringify would not write: carried as they are
      // when no row changed (compile-facts.ts), not serialized again.
      const facts = path.join(target(), "compile_facts.json");
      const [head, rows] = readFileSync(facts, "utf8").split("\n");
      const spaced = JSON.stringify(JSON.parse(rows!), null, 1).replaceAll("\n", "");
      writeFileSync(facts, `${head}\n${spaced}`);
      const before = factNodeCounts();
      await compile("packed");
      const after = factNodeCounts();
      expect(readFileSync(facts, "utf8").split("\n")[1]).toBe(spaced);
      const made = after.made - before.made;
      const materialized = after.materialized - before.materialized;
      // Told from outside: the nodes the rebuilt shard holds (one shard: one model edited).
      const shard = readdirSync(path.join(target(), "packed", "run"))
        .map((f) => readFileSync(path.join(target(), "packed", "run", f), "utf8"))
        .filter((text) => text.includes(`artifact: ${file}\n`));
      expect(shard).toHaveLength(1);
      const members = shard[0]!.split("\n").filter((l) => l.includes("artifact: ")).length;
      expect(made).toBeGreaterThan(540);
      expect(members).toBeGreaterThan(100);
      // Not the rebuilt shard's other members: their texts are cut from the shard file the
      // previous compile wrote (#14, packed-keys.ts); nor the parents whose relations the edited
      // node's manifest entry names (relations are facts). Measured: 0 (3 while relations were
      // not facts, 151 before that cut).
      expect(materialized).toBeLessThanOrEqual(10);
    });
  });

  it("cuts a rebuilt shard's other members only from the file the previous write left", async () => {
    await inSynthetic("synthetic-shard-edited", async () => {
      const file = "models/marts/f0001/m_199.sql";
      const base = path.join(path.dirname(dir), "target-base-packed");
      let tampered = 0;
      const fast = await fastEqualsFull(
        "packed",
        () => {
          editLastModel();
          // By hand, in the compile the edit is made from: another member of each shard that
          // holds the edited model, its index still right (same length), its hash not.
          for (const kind of ["compiled", "run"]) {
            const folder = path.join(base, "packed", kind);
            for (const f of readdirSync(folder)) {
              const text = readFileSync(path.join(folder, f), "utf8");
              const at = text.indexOf(`artifact: ${file}\n`);
              if (at < 0) continue;
              const other = text.indexOf("select", text.indexOf("-- sluice artifact: ") + 1);
              expect(other).toBeGreaterThan(0);
              expect(other < at || other > at + 200).toBe(true);
              writeFileSync(
                path.join(folder, f),
                `${text.slice(0, other)}selecT${text.slice(other + "select".length)}`,
              );
              tampered += 1;
            }
          }
        },
        ["model.m_199"],
      );
      expect(tampered).toBe(2);
      // The shards were built again from their nodes (the full path's, which fastEqualsFull
      // left in target/, are the fast path's byte for byte).
      const shards = [...fast.keys()]
        .filter((f) => f.startsWith("packed"))
        .map((f) => readFileSync(path.join(target(), f), "utf8"))
        .filter((text) => text.includes(`artifact: ${file}\n`));
      expect(shards).toHaveLength(2);
      for (const text of shards) expect(text).not.toContain("selecT");
    });
  });
});
