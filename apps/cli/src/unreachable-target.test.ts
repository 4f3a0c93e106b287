import { describe, expect, it } from "vitest";
import { unreachable } from "./unreachable-target.js";

describe("unreachable", () => {
  it("the innermost cause that says the target was not reached: the SDK's words", () => {
    const sdk = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    const wrapped = new Error("query failed: Could not load credentials from any providers", {
      cause: sdk,
    });
    expect(unreachable(wrapped)).toBe("Could not load credentials from any providers");
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
      code: "ECONNREFUSED",
    });
    expect(unreachable(new Error("query: failed", { cause: refused }))).toBe(
      "connect ECONNREFUSED 127.0.0.1:1",
    );
  });

  it("undefined for a query the target ran and refused", () => {
    expect(unreachable(new Error("TABLE_NOT_FOUND: line 1:15: Table 'x' does not exist"))).toBe(
      undefined,
    );
  });
});
