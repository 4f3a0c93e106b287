import { describe, expect, it } from "vitest";
import { hiveType } from "./athena-types.js";

describe("hiveType", () => {
  it("writes money's DECIMAL as Glue stores it: decimal(p,s), no spaces, scale explicit", () => {
    expect(hiveType("DECIMAL(18,2)")).toBe("decimal(18,2)");
    expect(hiveType("decimal(38, 2)")).toBe("decimal(38,2)");
    expect(hiveType("decimal(10)")).toBe("decimal(10,0)");
    expect(hiveType("row(price decimal(18, 2), qty integer)")).toBe(
      "struct<price:decimal(18,2),qty:int>",
    );
    expect(hiveType("array(decimal(38,2))")).toBe("array<decimal(38,2)>");
    expect(hiveType("map(varchar, decimal(18,2))")).toBe("map<string,decimal(18,2)>");
  });
});
