import { describe, expect, it } from "vitest";
import type { FolderListing } from "./listing-diff.js";
import { editedFiles, editedModelFiles } from "./listing-diff.js";
import { FOLDER, MISSING } from "./listing-stat.js";

const folder = (name: string, files: Record<string, [number, number]>): FolderListing => ({
  folder: name,
  names: Object.keys(files),
  numbers: Object.values(files).flat(),
});

const before = [
  folder("", { "sluice.yml": [100, 1] }),
  folder("marts", { "a.sql": [10, 1], "b.sql": [20, 1], "marts.yml": [30, 1], sub: [FOLDER, 0] }),
  folder("macros", { "m.sql": [5, 1] }),
];

describe("editedFiles", () => {
  it("finds no edit in the same listing", () => {
    expect(editedFiles(before, before)).toEqual({ edited: [] });
  });

  it("names each file whose size or mtime moved, with its folder", () => {
    const after = [
      before[0]!,
      folder("marts", {
        "a.sql": [10, 2],
        "b.sql": [21, 1],
        "marts.yml": [30, 1],
        sub: [FOLDER, 0],
      }),
      before[2]!,
    ];
    expect(editedFiles(before, after)).toEqual({ edited: ["marts/a.sql", "marts/b.sql"] });
  });

  it("counts a racy file as edited whatever its numbers", () => {
    expect(editedFiles(before, before, new Set(["macros/m.sql"]))).toEqual({
      edited: ["macros/m.sql"],
    });
  });

  it.each([
    ["a file added", [before[0]!, folder("marts", { "a.sql": [10, 1] }), before[2]!]],
    [
      "a file renamed",
      [
        before[0]!,
        folder("marts", {
          "a.sql": [10, 1],
          "c.sql": [20, 1],
          "marts.yml": [30, 1],
          sub: [FOLDER, 0],
        }),
        before[2]!,
      ],
    ],
    [
      "a folder become a file",
      [
        before[0]!,
        folder("marts", { "a.sql": [10, 1], "b.sql": [20, 1], "marts.yml": [30, 1], sub: [4, 1] }),
        before[2]!,
      ],
    ],
    [
      "a file gone missing after its listing",
      [
        before[0]!,
        folder("marts", {
          "a.sql": [MISSING, 0],
          "b.sql": [20, 1],
          "marts.yml": [30, 1],
          sub: [FOLDER, 0],
        }),
        before[2]!,
      ],
    ],
    ["a folder listed more", [...before, folder("x", {})]],
    ["another folder", [before[0]!, before[1]!, folder("macros2", { "m.sql": [5, 1] })]],
    ["a folder removed", [before[0]!, before[1]!, { ...folder("macros", {}), missing: true }]],
  ])("refuses %s", (_, after) => {
    expect(editedFiles(before, after)).toHaveProperty("refused");
  });

  it("refuses a folder that is created, even empty", () => {
    const gone = [{ folder: "x", names: [], numbers: [], missing: true }];
    expect(editedFiles(gone, [folder("x", {})])).toEqual({ refused: "folder 'x' created" });
  });
});

describe("editedModelFiles", () => {
  it("keeps model .sql edits", () => {
    const change = { edited: ["marts/a.sql", "marts/sub/b.sql"] };
    expect(editedModelFiles(change, ["staging", "marts/"])).toEqual(change);
  });

  it.each([
    ["sluice.yml", ["sluice.yml"]],
    ["a properties file", ["marts/a.sql", "marts/marts.yml"]],
    ["a macro", ["macros/m.sql"]],
    ["a folder whose name starts like a model path", ["marts2/a.sql"]],
  ])("refuses an edit of %s", (_, edited) => {
    expect(editedModelFiles({ edited }, ["marts"])).toHaveProperty("refused");
  });

  it("refuses everything under model-paths '.' (models and other files share folders)", () => {
    expect(editedModelFiles({ edited: ["a.sql"] }, ["."])).toHaveProperty("refused");
  });

  it("passes a refusal on", () => {
    expect(editedModelFiles({ refused: "x" }, ["marts"])).toEqual({ refused: "x" });
  });
});
