import { createHash } from "node:crypto";
import { access, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

/** sha256 of every path (folders too) and file content under `root`, in path order. */
async function treeHash(root: string): Promise<{ hash: string; files: number }> {
  const hash = createHash("sha256");
  let files = 0;
  const visit = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      hash.update(`${child}${e.isDirectory() ? "/" : ""}\0`);
      if (e.isDirectory()) await visit(child);
      else {
        files++;
        hash.update(await readFile(path.join(root, child)));
        hash.update("\0");
      }
    }
  };
  await visit("");
  return { hash: hash.digest("hex"), files };
}

interface Hostile {
  name: string;
  file: string;
  text: string | Buffer;
  code: string;
  /** The command line after --project-dir; `build` when not given. */
  command?: string[];
}

const table = (config: string) => `{{ config(${config}) }}\nselect 1 as a\n`;

/** Each case is a model (or seed) that must not touch what it does not own. */
const cases: Hostile[] = [
  {
    name: "a model over the raw source",
    file: "marts/raw_copy.sql",
    text: table("schema='raw', alias='events'"),
    code: "RELATION_CONFLICT",
  },
  {
    name: "a schema leaving the lake",
    file: "marts/escape.sql",
    text: table("schema='../../x'"),
    code: "NAME_INVALID",
  },
  {
    name: "an alias with a slash",
    file: "marts/slash.sql",
    text: table("alias='raw/events'"),
    code: "NAME_INVALID",
  },
  {
    name: "a schema from --vars leaving the lake",
    file: "marts/var_schema.sql",
    text: table("schema=var('s', 'marts')"),
    code: "NAME_INVALID",
    command: ["--vars", '{s: "../x"}', "build"],
  },
  {
    name: "a second model aliased to funnel",
    file: "marts/funnel_copy.sql",
    text: table("alias='funnel'"),
    code: "RELATION_CONFLICT",
  },
  {
    name: "marts/Events.sql in schema silver",
    file: "marts/Events.sql",
    text: table("schema='silver'"),
    code: "NAME_INVALID",
  },
  {
    name: "an uppercase alias",
    file: "marts/upper.sql",
    text: table("alias='Daily_Sales'"),
    code: "NAME_INVALID",
  },
  {
    name: "a seed with a stray quote",
    file: "seeds/people.csv",
    text: 'name,height\nann,5 ft 11"\n',
    code: "SEED_INVALID",
  },
  {
    name: "a model that is not UTF-8",
    file: "marts/latin1.sql",
    text: Buffer.concat([Buffer.from("select 'caf"), Buffer.from([0xe9]), Buffer.from("' as a\n")]),
    code: "INVALID_UTF8",
  },
  {
    name: "a test whose audit table name Glue refuses, with --store-failures",
    file: "tests/Assert_Upper.sql",
    text: "select 1 as a where 1 = 0\n",
    code: "NAME_INVALID",
    command: ["build", "--store-failures"],
  },
];

/**
 * "Nothing lost, ever": a model configured to publish over the raw zone, outside the lake or
 * over another model is a compile error (exit 2) and the lake stays byte-for-byte the same.
 */
describe("no model can damage what it does not own", () => {
  let dir = "";
  let lake = "";
  let cleanup = async (): Promise<void> => {};
  let before = { hash: "", files: 0 };
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    lake = path.join(dir, ".lake");
    const gen = await sluice(
      "generate",
      "--events",
      "500",
      "--start",
      "2026-11-27T00:00:00Z",
      "--hours",
      "2",
      "--seed",
      "3",
      "--sink",
      "local",
    );
    expect(gen.code, gen.stderr).toBe(0);
    const build = await sluice("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    before = await treeHash(lake);
  });
  afterAll(() => cleanup());

  it("the built lake has a raw zone and tables", async () => {
    expect((await treeHash(path.join(lake, "raw"))).files).toBeGreaterThan(0);
    expect(before.files).toBeGreaterThan((await treeHash(path.join(lake, "raw"))).files);
  });

  for (const c of cases) {
    it(`${c.name}: exit 2, ${c.code} at ${c.file}, lake unchanged`, async () => {
      const file = path.join(dir, c.file);
      const unchanged = await treeHash(lake);
      await writeFile(file, c.text);
      try {
        const r = await sluice(...(c.command ?? ["build"]));
        expect(r.code, r.stdout + r.stderr).toBe(2);
        const escaped = c.file.replace(/[.]/g, "\\.");
        // Paths are relative to where the command ran (here the repo root), ending in the file.
        expect(r.stderr).toMatch(
          new RegExp(`^(?:\\S*/)?${escaped}:\\d+:\\d+: error ${c.code}: .+$`, "m"),
        );
        expect(r.stderr).toMatch(/errors? found; nothing was run/);
      } finally {
        await rm(file);
      }
      expect(await treeHash(lake)).toEqual(unchanged);
    });
  }

  it("on a project never built, a hostile build creates no lake and no target dir", async () => {
    const fresh = await copyModelsProject();
    try {
      await writeFile(path.join(fresh.dir, "marts/raw_copy.sql"), cases[0]!.text);
      const r = await runSluice(["--project-dir", fresh.dir, "build"]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      for (const made of [".lake", "target"]) {
        await expect(access(path.join(fresh.dir, made))).rejects.toThrow(/ENOENT/);
      }
    } finally {
      await fresh.cleanup();
    }
  });

  it("after all cases the lake is still the one the first build wrote", async () => {
    expect(await treeHash(lake)).toEqual(before);
    const r = await sluice("compile");
    expect(r.code, r.stderr).toBe(0);
  });
});
