import { failureCondition } from "@sluice/project/run-time";
import type { CompiledNode } from "@sluice/compiler";

/**
 * A test's status from its failure count, as dbt decides it: with severity `error`, `error_if`
 * (default `!=0`) met is a failure; otherwise `warn_if` (default `!=0`) met is a warning
 * (severity `warn` skips `error_if`); else it passes.
 *
 * @example testStatus(3, { severity: "error", thresholds: { error_if: ">10" } }) // "warn"
 */
export function testStatus(
  failures: number,
  node: Pick<CompiledNode, "severity" | "thresholds">,
): "pass" | "warn" | "fail" {
  // Conditions were validated when the project loaded; `!=0` is dbt's default.
  const meets = (condition = "!=0") => (failureCondition(condition) ?? ((n) => n !== 0))(failures);
  if (node.severity !== "warn" && meets(node.thresholds?.error_if)) return "fail";
  if (meets(node.thresholds?.warn_if)) return "warn";
  return "pass";
}
