import { describe, expect, it } from "vitest";
import { nodeCheck } from "./node-support.js";

describe("nodeCheck", () => {
  it("says what the AWS SDK's warning said, on an AWS target under Node 22", () => {
    const check = nodeCheck("v20.20.2", true);
    expect(check.ok).toBe(true);
    expect(check.detail).toMatch(
      /^v20\.20\.2: AWS SDK for JavaScript releases after .* node >= 22/,
    );
  });

  it("gives the version alone on Node 22 or the lake", () => {
    expect(nodeCheck("v22.1.0", true)).toEqual({ name: "node", ok: true, detail: "v22.1.0" });
    expect(nodeCheck("v20.20.2", false).detail).toBe("v20.20.2");
  });
});
