import { describe, expect, it } from "vitest";
import { TRINO_FUNCTIONS, trinoSpelling } from "./trino-functions.js";

describe("trinoSpelling", () => {
  it("names only functions Trino lacks (athena-local fails a call of any of them)", () => {
    const spelled = ["strftime", "epoch_ms", "list_value", "string_agg", "median", "len", "range"];
    for (const name of spelled) expect(trinoSpelling(name), name).toBeDefined();
    expect([...TRINO_FUNCTIONS].filter((name) => trinoSpelling(name) !== undefined)).toEqual([]);
  });

  it("is case-blind and undefined for anything else", () => {
    expect(trinoSpelling("STRFTIME")).toBe(trinoSpelling("strftime"));
    expect(trinoSpelling("date_format")).toBeUndefined();
    expect(trinoSpelling("toString")).toBeUndefined();
  });
});
