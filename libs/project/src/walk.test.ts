import { execFileSync } from "node:child_process";
import { symlink } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeProject } from "../test/support.js";
import { findFileGroups, findFiles } from "./walk.js";
import type { SkippedFile } from "./walk.js";

const tree = {
  "models/a.sql": "",
  "models/a.yml": "",
  "models/B.SQL": "",
  "models/sub/c.yaml": "",
  "models/sub/c.sql": "",
  "models/sub/notes.md": "",
  "models/sub/deeper/d.YML": "",
  "models/excluded/e.sql": "",
  "models/.hidden/f.sql": "",
  "models/node_modules/g.sql": "",
  "models/target/h.sql": "",
  "other/i.sql": "",
};

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await writeProject(tree)));
afterAll(() => cleanup());

describe("findFileGroups", () => {
  it("lists in one walk what findFiles lists for each extension list, and scans the same folders", async () => {
    const roots = ["models", "missing"];
    const groups = [[".sql"], [".yml", ".yaml"], [".md"], [".csv"]] as const;
    const exclude = ["models/excluded"];
    const scannedOnce = new Set<string>();
    const once = await findFileGroups(dir, roots, groups, exclude, scannedOnce);
    const scannedEach = new Set<string>();
    const each = await Promise.all(
      groups.map((g) => findFiles(dir, roots, g, exclude, scannedEach)),
    );
    expect(once).toEqual(each);
    expect(once).toEqual([
      ["models/B.SQL", "models/a.sql", "models/sub/c.sql"],
      ["models/a.yml", "models/sub/c.yaml", "models/sub/deeper/d.YML"],
      ["models/sub/notes.md"],
      [],
    ]);
    expect([...scannedOnce].sort()).toEqual([...scannedEach].sort());
    expect([...scannedOnce].sort()).toEqual([
      "missing",
      "models",
      "models/sub",
      "models/sub/deeper",
    ]);
  });
});

describe("findFiles and links", () => {
  let linked: string;
  let outside: string;
  let done: () => Promise<void>;
  let away: () => Promise<void>;
  beforeAll(async () => {
    ({ dir: linked, cleanup: done } = await writeProject({ "models/a.sql": "" }));
    ({ dir: outside, cleanup: away } = await writeProject({
      "shared/s.sql": "",
      "one.sql": "",
    }));
    const at = (rel: string) => path.join(linked, "models", rel);
    await symlink(path.join(outside, "one.sql"), at("one.sql"));
    await symlink(path.join(outside, "shared"), at("shared"));
    await symlink("/nonexistent/x.sql", at("dangling.sql"));
    await symlink("/nonexistent/notes.txt", at("dangling.txt"));
    await symlink(".", at("loop"));
    await symlink("..", at("up"));
    execFileSync("mkfifo", [at("fifo.sql")]);
  });
  afterAll(async () => {
    await done();
    await away();
  });

  it("follows links to files and folders, once each; a link to nothing or a FIFO is skipped and said", async () => {
    const skipped: SkippedFile[] = [];
    const found = await findFiles(linked, ["models"], [".sql"], [], undefined, skipped);
    expect(found).toEqual(["models/a.sql", "models/one.sql", "models/shared/s.sql"]);
    expect(skipped.sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: "models/dangling.sql", why: "it is a link to nothing" },
      { file: "models/fifo.sql", why: "it is not a regular file" },
    ]);
  });
});
