import { describe, expect, it } from "vitest";
import { testStatus } from "./test-status.js";

// dbt's rules (docs.getdbt.com reference/resource-configs/severity), worked by hand.
describe("testStatus: severity, warn_if and error_if as dbt applies them", () => {
  const cases: [number, Parameters<typeof testStatus>[1], string][] = [
    [0, { severity: "error" }, "pass"],
    [1, { severity: "error" }, "fail"],
    [1, { severity: "warn" }, "warn"],
    [5, { severity: "error", thresholds: { error_if: ">10" } }, "warn"],
    [11, { severity: "error", thresholds: { error_if: ">10" } }, "fail"],
    [5, { severity: "error", thresholds: { error_if: ">10", warn_if: ">5" } }, "pass"],
    [6, { severity: "error", thresholds: { error_if: ">10", warn_if: ">5" } }, "warn"],
    [50, { severity: "warn", thresholds: { error_if: ">10" } }, "warn"],
    [10, { severity: "error", thresholds: { error_if: ">=10" } }, "fail"],
    [0, { severity: "error", thresholds: { error_if: "=0" } }, "fail"],
    [7, { severity: "error", thresholds: { error_if: "between 5 and 10" } }, "fail"],
    [
      3,
      { severity: "error", thresholds: { error_if: "between 5 and 10", warn_if: "<>3" } },
      "pass",
    ],
  ];
  it.each(cases)("%i failures with %j → %s", (failures, node, status) => {
    expect(testStatus(failures, node)).toBe(status);
  });
});
