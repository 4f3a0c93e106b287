import { describe, expect, it } from "vitest";
import { parseVarsOption } from "./vars-option.js";

describe("parseVarsOption", () => {
  it("parses a YAML flow mapping and JSON", () => {
    expect(parseVarsOption("{start_date: '2024-01-01', lookback_hours: 3, flags: [a, b]}")).toEqual(
      {
        vars: { start_date: "2024-01-01", lookback_hours: 3, flags: ["a", "b"] },
        diagnostics: [],
      },
    );
    expect(parseVarsOption('{"x": {"y": null}}').vars).toEqual({ x: { y: null } });
    expect(parseVarsOption("key: value").vars).toEqual({ key: "value" });
  });

  it.each([
    ["a scalar", "42", "--vars must be a YAML mapping, got '42'"],
    ["a list", "[a, b]", "--vars must be a YAML mapping, got a list"],
    ["nothing", "", "--vars must be a YAML mapping, got nothing"],
  ])("rejects %s", (_what, text, message) => {
    expect(parseVarsOption(text)).toEqual({
      vars: {},
      diagnostics: [
        {
          code: "VARS_INVALID",
          severity: "error",
          message,
          hint: "pass a YAML mapping, e.g. --vars '{key: value}'",
        },
      ],
    });
  });

  it("rejects YAML that does not parse, naming the column", () => {
    const { vars, diagnostics } = parseVarsOption("{a: 1, b: [2}");
    expect(vars).toEqual({});
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.code).toBe("VARS_INVALID");
    expect(diagnostics[0]!.message).toMatch(/^--vars does not parse as YAML \(column \d+\): /);
  });
});
