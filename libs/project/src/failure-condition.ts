const comparisons: Record<string, (a: number, b: number) => boolean> = {
  "=": (a, b) => a === b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
  "<>": (a, b) => a !== b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
};

/** What a `warn_if` / `error_if` may say, for hints. */
export const FAILURE_CONDITION_HELP =
  "a comparison with the number of failures: '!=0', '>0', '>=10', '=0', 'between 5 and 10'";

/**
 * A dbt `warn_if` / `error_if` condition on a test's failure count (dbt's default is `!=0`),
 * or undefined when the text is not one. Evaluated in the runner, so it means the same on
 * every engine and never reaches SQL.
 *
 * @example failureCondition(">=10")?.(12) // true
 * @example failureCondition("between 5 and 10")?.(4) // false
 */
export function failureCondition(text: string): ((failures: number) => boolean) | undefined {
  const comparison = /^\s*(==|=|!=|<>|>=|<=|>|<)\s*(\d+)\s*$/.exec(text);
  if (comparison) {
    const [, op, n] = comparison;
    return (failures) => comparisons[op!]!(failures, Number(n));
  }
  const between = /^\s*between\s+(\d+)\s+and\s+(\d+)\s*$/i.exec(text);
  if (between) {
    const [low, high] = [Number(between[1]), Number(between[2])];
    return (failures) => failures >= low && failures <= high;
  }
  return undefined;
}
