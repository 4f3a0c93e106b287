import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeProject } from "../test/support.js";
import { findFileGroups, findFiles } from "./walk.js";

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
