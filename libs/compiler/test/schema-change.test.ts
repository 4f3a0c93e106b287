import { describe, expect, it } from "vitest";
import { describeDiff, diffColumns } from "../src/plan/schema-change.js";

describe("on_schema_change", () => {
  it("describes a column diff for on_schema_change='fail'", () => {
    const diff = diffColumns(
      [
        { name: "a", type: "bigint" },
        { name: "b", type: "varchar" },
      ],
      [
        { name: "a", type: "varchar" },
        { name: "c", type: "double" },
      ],
    );
    expect(describeDiff(diff)).toBe(
      "added: c double; removed: b varchar; changed: a bigint -> varchar",
    );
  });
});
