import { describe, expect, it } from "vitest";
import { glueNameProblem, glueNameSuggestion } from "./glue-name.js";

describe("Glue names", () => {
  it("accepts lowercase letters, digits and underscores up to 255 characters", () => {
    for (const ok of ["events", "stg_events_2", "_x", "a".repeat(255)])
      expect(glueNameProblem(ok)).toBeUndefined();
  });

  it("names what is wrong, path problems first", () => {
    expect(glueNameProblem("")).toBe("is empty");
    expect(glueNameProblem("../../x")).toBe("contains '..' and a path separator");
    expect(glueNameProblem("a\\b")).toBe("contains a path separator");
    expect(glueNameProblem("a..b")).toBe("contains '..'");
    expect(glueNameProblem("a".repeat(256))).toBe("is 256 characters long (at most 255)");
    expect(glueNameProblem("Events")).toBe("has uppercase letters (Glue names are lowercase)");
    expect(glueNameProblem("daily-sales")).toMatch(/^has characters Glue does not accept/);
  });

  it("suggests the lowercased, underscored name", () => {
    expect(glueNameSuggestion("../Daily Sales")).toBe("daily_sales");
    expect(glueNameSuggestion("Events")).toBe("events");
    expect(glueNameSuggestion("../..")).toBe("unnamed");
  });
});
