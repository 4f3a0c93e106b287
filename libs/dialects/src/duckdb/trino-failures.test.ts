import { describe, expect, it } from "vitest";
import { trinoFailure, trinoFailureMessage } from "./trino-failures.js";

describe("trinoFailure", () => {
  it("reads the Trino failure out of the cast DuckDB reports", () => {
    expect(
      trinoFailure("Conversion Error: Could not convert string 'Division by zero' to INT32"),
    ).toEqual({ errorName: "DIVISION_BY_ZERO", message: "Division by zero" });
    expect(
      trinoFailure(
        "Conversion Error: Could not convert string 'Cannot cast 'a' b'' to INT' to INT8",
      ),
    ).toEqual({ errorName: "INVALID_CAST_ARGUMENT", message: "Cannot cast 'a' b'' to INT" });
  });

  it("leaves every other message alone", () => {
    const own =
      "Conversion Error: Could not convert string 'x' to INT32\n\nLINE 1: select 'x'::int";
    expect(trinoFailure(own)).toBeUndefined();
    expect(trinoFailureMessage(own)).toBe(own);
    expect(trinoFailureMessage("Catalog Error: Table with name t does not exist!")).toBe(
      "Catalog Error: Table with name t does not exist!",
    );
  });

  it("words it as Athena's StateChangeReason starts", () => {
    expect(
      trinoFailureMessage("Conversion Error: Could not convert string 'Division by zero' to INT64"),
    ).toBe("DIVISION_BY_ZERO: Division by zero");
  });
});
