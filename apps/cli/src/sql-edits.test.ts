import { hash } from "node:crypto";
import { readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cacheRequest, loadProjectContext } from "./project-context.js";
import { memoEdits, skeletonIn, sqlEdits } from "./sql-edits.js";
import { age, agedModelsCopy, removeAll } from "../test/aged-models.js";

const io = { out: () => undefined, err: () => undefined, isTty: false };
/** Compile `dir` in-process with the switch on, so the base of sqlEdits is saved. */
async function compileSaving(dir: string): Promise<void> {
  process.env["SLUICE_SQL_EDITS"] = "1";
  try {
    expect(await loadProjectContext({ projectDir: dir }, io)).toBeDefined();
  } finally {
    delete process.env["SLUICE_SQL_EDITS"];
  }
}
const OLD = new Date(Date.now() - 60_000);

const dirs: string[] = [];
let dir: string;
const target = (): string => path.join(dir, "target");
const edits = (): ReturnType<typeof sqlEdits> =>
  sqlEdits(target(), cacheRequest({ projectDir: dir }));

/** Undo of each edit: the file's text (undefined: remove it) and its times as they were. */
const undo: (() => void)[] = [];
function edit(rel: string, change: (text: string) => string | undefined): void {
  const file = path.join(dir, rel);
  const before = readFileSync(file, "utf8");
  const after = change(before);
  undo.push(() => {
    writeFileSync(file, before);
    utimesSync(file, OLD, OLD);
  });
  if (after === undefined) unlinkSync(file);
  else writeFileSync(file, after);
}
function add(rel: string, text: string): void {
  const file = path.join(dir, rel);
  const folder = path.dirname(file);
  const folderTime = statSync(folder).mtime;
  writeFileSync(file, text);
  undo.push(() => {
    unlinkSync(file);
    utimesSync(folder, folderTime, folderTime);
  });
}

beforeAll(async () => {
  // One compile, saved with the switch on; each test edits the project and undoes its edits.
  dir = agedModelsCopy(dirs, "sluice-edits-");
  age(dir, OLD);
  await compileSaving(dir);
});
afterEach(() =>
  undo
    .splice(0)
    .reverse()
    .forEach((f) => f()),
);
afterAll(() => removeAll(dirs));

describe("sqlEdits: only model SQL changed since partial_parse.json", () => {
  it("finds nothing edited in the project as compiled", () => {
    expect(edits()).toEqual({ header: expect.any(String), models: [], base: expect.any(Object) });
  });

  it("gives the models whose literal SQL changed, with their text now", () => {
    edit("marts/funnel.sql", (t) => `${t}-- edit 1\n`);
    edit("staging/stg_events.sql", (t) => t.replace("select", "select /* hint */"));
    const found = edits();
    expect(found).toEqual({
      header: expect.any(String),
      base: expect.any(Object),
      models: [
        {
          path: "marts/funnel.sql",
          text: readFileSync(path.join(dir, "marts/funnel.sql"), "utf8"),
        },
        {
          path: "staging/stg_events.sql",
          text: readFileSync(path.join(dir, "staging/stg_events.sql"), "utf8"),
        },
      ],
    });
  });

  const MORE = "'marts/funnel.sql' changed more than its literal SQL";
  const NOT_SQL = (f: string): string => `'${f}' is not a model's SQL file`;
  it("gives each edited model's compile memo entry", () => {
    edit("marts/funnel.sql", (t) => `${t}-- edit 2\n`);
    const found = edits();
    if (!("models" in found)) throw new Error(found.refused);
    const memo = memoEdits(target(), dir, found.models);
    if (!("models" in memo)) throw new Error(memo.refused);
    const [funnel] = memo.models;
    expect(funnel!.path).toBe("marts/funnel.sql");
    expect(funnel!.memo.refs).toEqual(["events"]);
    expect(funnel!.memo.output!.node.id).toBe("model.funnel");
    const elsewhere = { path: "staging/funnel.sql", text: "" };
    expect(memoEdits(target(), dir, [elsewhere])).toEqual({
      refused: "'staging/funnel.sql' is not in the compile memo as model.funnel",
    });
  });

  it.each([
    ["a ref added", "marts/funnel.sql", (t: string) => `${t}{{ ref('orders') }}\n`, MORE],
    [
      "config() changed",
      "marts/funnel.sql",
      (t: string) => t.replace("partitioned_by", "partitioned_by=['x'], x"),
      MORE,
    ],
    [
      "a var's default changed",
      "marts/funnel.sql",
      (t: string) => t.replace("'lookback_hours', 3", "'lookback_hours', 4"),
      MORE,
    ],
    ["a macro edited", "macros/money.sql", (t: string) => `${t}\n`, NOT_SQL("macros/money.sql")],
    [
      "a properties file edited",
      "marts/marts.yml",
      (t: string) => `${t}\n`,
      NOT_SQL("marts/marts.yml"),
    ],
    ["sluice.yml edited", "sluice.yml", (t: string) => `${t}\n`, NOT_SQL("sluice.yml")],
    [
      "a model removed",
      "marts/funnel.sql",
      () => undefined,
      "files added, removed or renamed in 'marts'",
    ],
  ])("refuses %s", (_, rel, change, reason) => {
    edit(rel, change);
    expect(edits()).toEqual({ refused: reason });
  });

  it("refuses a model added", () => {
    add("marts/new_model.sql", "select 1 as x\n");
    expect(edits()).toEqual({ refused: "files added, removed or renamed in 'marts'" });
  });

  it("is not used with another partial_parse.json than the one it was saved with", () => {
    const pp = path.join(target(), "partial_parse.json");
    const text = readFileSync(pp, "utf8");
    const newline = text.indexOf("\n");
    const header = JSON.parse(text.slice(0, newline)) as { env: Record<string, string | null> };
    header.env["SOME_VAR_NOBODY_SETS"] = null;
    writeFileSync(pp, `${JSON.stringify(header)}${text.slice(newline)}`);
    undo.push(() => writeFileSync(pp, text));
    edit("marts/funnel.sql", (t) => `${t}-- edit\n`);
    expect(edits()).toEqual({ refused: "no partial_parse.edits.json for this partial_parse.json" });
  });

  it("is tied to partial_parse.json by a header tie of its format; format 3's head is not read", () => {
    const base = path.join(target(), "partial_parse.edits.json");
    const text = readFileSync(base, "utf8");
    const newline = text.indexOf("\n");
    const pp = readFileSync(path.join(target(), "partial_parse.json"), "utf8");
    const line = pp.slice(0, pp.indexOf("\n"));
    // Format 5: [5, sha1 (base64) of the partial-parse header], as compile_digests.json's.
    expect(JSON.parse(text.slice(0, newline))).toEqual([5, hash("sha1", line, "base64")]);
    undo.push(() => writeFileSync(base, text));
    edit("marts/funnel.sql", (t) => `${t}-- edit\n`);
    expect(edits()).toMatchObject({ models: [{ path: "marts/funnel.sql" }] });
    const format3 = JSON.stringify({ format: 3, header: hash("sha1", line) });
    writeFileSync(base, `${format3}${text.slice(newline)}`);
    expect(edits()).toEqual({ refused: "no partial_parse.edits.json for this partial_parse.json" });
  });
});

describe("skeletonIn", () => {
  const key = (c: string) => c.repeat(40);
  // Paths a search by text could take for another: a suffix, quotes, a comma and colon inside.
  const skeletons = {
    "a.sql": key("a"),
    "ba.sql": null,
    'x","a.sql":': key("b"),
    "m/é 😀.sql": key("c"),
    "last.sql": null,
  };
  const text = JSON.stringify(skeletons);

  it("finds each key's value in the text as JSON.parse does, and none for a path not held", () => {
    for (const [file, value] of Object.entries(skeletons))
      expect(skeletonIn(text, file), file).toBe(value);
    for (const file of ["", "b.sql", "sql", "x", 'a.sql"', "m/é 😀"])
      expect(skeletonIn(text, file), file).toBeUndefined();
    expect(skeletonIn("{}", "a.sql")).toBeUndefined();
  });

  it("answers none for a value not in the written form", () => {
    expect(skeletonIn('{"a.sql":"abc"}', "a.sql")).toBeUndefined();
    expect(skeletonIn(`{"a.sql":"${key("A")}"}`, "a.sql")).toBeUndefined();
    expect(skeletonIn(`{"a.sql":"${key("a")}0"}`, "a.sql")).toBeUndefined();
    expect(skeletonIn('{"a.sql":nullx}', "a.sql")).toBeUndefined();
  });

  it("is what the base's third line parses to, for every model of the e-commerce project", () => {
    const text = readFileSync(path.join(target(), "partial_parse.edits.json"), "utf8");
    const lines = text.split("\n");
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]!)).not.toHaveProperty("skeletons");
    const parsed = JSON.parse(lines[2]!) as Record<string, string | null>;
    expect(Object.keys(parsed).length).toBeGreaterThan(5);
    for (const [file, value] of Object.entries(parsed))
      expect(skeletonIn(lines[2]!, file), file).toBe(value);
  });
});

describe("sqlEdits after a compile that took the full path", () => {
  it("compares with the skeleton the file had at that compile, not an older one", async () => {
    const copy = agedModelsCopy(dirs, "sluice-edits2-");
    const file = path.join(copy, "marts/funnel.sql");
    const compile = (): Promise<void> => compileSaving(copy);
    const found = (): ReturnType<typeof sqlEdits> =>
      sqlEdits(path.join(copy, "target"), cacheRequest({ projectDir: copy }));
    await compile();
    // A ref added: not an edit of literal SQL, so the next compile takes the full path and saves
    // its listing again (the other models' skeletons carried over, this one's computed).
    writeFileSync(file, `${readFileSync(file, "utf8")}-- {{ ref('events') }}\n`);
    const older = new Date(Date.now() - 30_000);
    utimesSync(file, older, older);
    expect(found()).toEqual({ refused: "'marts/funnel.sql' changed more than its literal SQL" });
    await compile();
    expect(found()).toEqual({ header: expect.any(String), models: [], base: expect.any(Object) });
    writeFileSync(file, `${readFileSync(file, "utf8")}-- edit\n`);
    const old = new Date(Date.now() - 20_000);
    utimesSync(file, old, old);
    expect(found()).toMatchObject({ models: [{ path: "marts/funnel.sql" }] });
  });
});

describe("memoEdits of an ephemeral model", () => {
  it("refuses it: its SQL is part of its dependents'", async () => {
    const copy = agedModelsCopy(dirs, "sluice-edits3-");
    const file = path.join(copy, "marts/funnel.sql");
    const old = new Date(Date.now() - 30_000);
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("config(", "config(materialized='ephemeral', "),
    );
    utimesSync(file, old, old);
    await compileSaving(copy);
    const target = path.join(copy, "target");
    expect(memoEdits(target, copy, [{ path: "marts/funnel.sql", text: "" }])).toEqual({
      refused: "model.funnel is ephemeral",
    });
  });
});
