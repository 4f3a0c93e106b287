import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeChangedFiles } from "./write-changed-files.js";

function tree(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[])
    .map((p) => p.split(path.sep).join("/"))
    .sort();
}

describe("writeChangedFiles", () => {
  it("leaves unchanged files alone, rewrites changed ones and removes what is no longer produced", () => {
    const target = mkdtempSync(path.join(os.tmpdir(), "sluice-artifacts-"));
    const run = path.join(target, "run");
    const first = new Map([
      [path.join(run, "silver/events.sql"), "select 1;\n"],
      [path.join(run, "marts/funnel.sql"), "select 2;\n"],
      [path.join(run, "old/gone.sql"), "select 3;\n"],
      [path.join(target, "manifest.json"), "{}\n"],
    ]);
    expect(writeChangedFiles([run], first)).toEqual({ written: 4, removed: 0 });
    const past = new Date("2020-01-01T00:00:00Z");
    utimesSync(path.join(run, "silver/events.sql"), past, past);
    writeFileSync(path.join(target, "kept-by-user.txt"), "mine");

    const second = new Map([
      [path.join(run, "silver/events.sql"), "select 1;\n"],
      [path.join(run, "marts/funnel.sql"), "select 22;\n"],
      [path.join(target, "manifest.json"), "{}\n"],
    ]);
    expect(writeChangedFiles([run], second)).toEqual({ written: 1, removed: 1 });
    expect(statSync(path.join(run, "silver/events.sql")).mtime).toEqual(past);
    expect(readFileSync(path.join(run, "marts/funnel.sql"), "utf8")).toBe("select 22;\n");
    expect(tree(run)).toEqual(["marts", "marts/funnel.sql", "silver", "silver/events.sql"]);
    expect(readFileSync(path.join(target, "kept-by-user.txt"), "utf8")).toBe("mine");
  });

  it("removes stray files inside kept folders and writes into a missing root", () => {
    const target = mkdtempSync(path.join(os.tmpdir(), "sluice-artifacts-"));
    const compiled = path.join(target, "compiled");
    mkdirSync(path.join(compiled, "silver"), { recursive: true });
    writeFileSync(path.join(compiled, "silver/renamed_away.sql"), "x");
    const files = new Map([
      [path.join(compiled, "silver/events.sql"), "select 1\n"],
      [path.join(target, "run/silver/events.sql"), "select 1;\n"],
    ]);
    expect(writeChangedFiles([compiled, path.join(target, "run")], files)).toEqual({
      written: 2,
      removed: 1,
    });
    expect(tree(target)).toEqual([
      "compiled",
      "compiled/silver",
      "compiled/silver/events.sql",
      "run",
      "run/silver",
      "run/silver/events.sql",
    ]);
  });

  it("with an index, trusts the recorded hashes instead of reading files back", () => {
    const target = mkdtempSync(path.join(os.tmpdir(), "sluice-artifacts-"));
    const run = path.join(target, "run");
    const index = path.join(target, ".hashes.json");
    const files = new Map([
      [path.join(run, "a.sql"), "select 1;\n"],
      [path.join(run, "b.sql"), "select 2;\n"],
    ]);
    expect(writeChangedFiles([run], files, { index })).toEqual({ written: 2, removed: 0 });
    expect(Object.keys(JSON.parse(readFileSync(index, "utf8"))).sort()).toEqual(
      [...files.keys()].sort(),
    );
    // A hand edit is not seen while sluice's text is unchanged (not read back)...
    writeFileSync(path.join(run, "a.sql"), "edited\n");
    expect(writeChangedFiles([run], files, { index })).toEqual({ written: 0, removed: 0 });
    expect(readFileSync(path.join(run, "a.sql"), "utf8")).toBe("edited\n");
    // ...a changed text is written, a missing file is written again, a stray is removed...
    rmSync(path.join(run, "b.sql"));
    writeFileSync(path.join(run, "stray.sql"), "x");
    const changed = new Map([
      [path.join(run, "a.sql"), "select 11;\n"],
      [path.join(run, "b.sql"), "select 2;\n"],
    ]);
    expect(writeChangedFiles([run], changed, { index })).toEqual({ written: 2, removed: 1 });
    // ...and without the index every file is compared again.
    writeFileSync(path.join(run, "a.sql"), "edited\n");
    rmSync(index);
    expect(writeChangedFiles([run], changed, { index })).toEqual({ written: 1, removed: 0 });
    expect(readFileSync(path.join(run, "a.sql"), "utf8")).toBe("select 11;\n");
  });

  it("leaves a carried folder's files as they are, their recorded hashes kept in the index", () => {
    const target = mkdtempSync(path.join(os.tmpdir(), "sluice-artifacts-"));
    const [run, packed] = ["run", "packed"].map((d) => path.join(target, d)) as [string, string];
    const index = path.join(target, ".hashes.json");
    const shard = path.join(packed, "shard-0.sql");
    expect(writeChangedFiles([run, packed], new Map([[shard, "all\n"]]), { index }).written).toBe(
      1,
    );
    const recorded = JSON.parse(readFileSync(index, "utf8")) as Record<string, string>;
    // A few files of their own beside the shard: the shard stays, and so does its hash.
    const own = new Map([[path.join(run, "m_1.sql"), "one\n"]]);
    expect(writeChangedFiles([run], own, { index, carried: packed })).toEqual({
      written: 1,
      removed: 0,
    });
    expect(tree(target)).toEqual([
      ".hashes.json",
      "packed",
      "packed/shard-0.sql",
      "run",
      "run/m_1.sql",
    ]);
    const carried = JSON.parse(readFileSync(index, "utf8")) as Record<string, string>;
    expect(carried[shard]).toBe(recorded[shard]);
    // Trusted as before by a call with the folder among its roots (kept: not read or rewritten);
    // the own files go.
    const before = statSync(shard).mtimeMs;
    expect(
      writeChangedFiles([run, packed], new Map([[shard, () => ["never asked"]]]), {
        index,
        kept: new Set([shard]),
      }),
    ).toEqual({ written: 0, removed: 1 });
    expect(statSync(shard).mtimeMs).toBe(before);
    expect(tree(target)).toEqual([".hashes.json", "packed", "packed/shard-0.sql", "run"]);
  });

  it("asks for a kept file's text only when the listing or the index cannot vouch for it", () => {
    const target = mkdtempSync(path.join(os.tmpdir(), "sluice-artifacts-"));
    const run = path.join(target, "run");
    const index = path.join(target, ".hashes.json");
    const a = path.join(run, "a.sql");
    const b = path.join(run, "b.sql");
    const asked: string[] = [];
    const lazy = (file: string, text: string) => () => (asked.push(file), text);
    const files = () =>
      new Map([
        [a, lazy(a, "select 1;\n")],
        [b, lazy(b, "select 2;\n")],
      ]);
    expect(writeChangedFiles([run], files(), { index, kept: new Set([a, b]) })).toEqual({
      written: 2,
      removed: 0,
    });
    // Nothing recorded yet: both texts were built.
    expect(asked.sort()).toEqual([a, b]);
    const recorded = readFileSync(index, "utf8");
    asked.length = 0;
    // Kept, listed and recorded: left alone, no text built, the same index.
    expect(writeChangedFiles([run], files(), { index, kept: new Set([a, b]) })).toEqual({
      written: 0,
      removed: 0,
    });
    expect(asked).toEqual([]);
    expect(readFileSync(index, "utf8")).toBe(recorded);
    // A kept file gone from disk is built and written again; one not kept is compared.
    rmSync(a);
    expect(writeChangedFiles([run], files(), { index, kept: new Set([a]) })).toEqual({
      written: 1,
      removed: 0,
    });
    expect(asked.sort()).toEqual([a, b]);
    expect(readFileSync(a, "utf8")).toBe("select 1;\n");
    expect(readFileSync(index, "utf8")).toBe(recorded);
  });
});
