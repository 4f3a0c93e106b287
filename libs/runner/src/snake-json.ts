/**
 * What sluice writes as JSON for machines (run_results.json, `--format json`, `--log-format
 * json`): keys in snake_case, as in dbt's artifacts, and bigint as a decimal string (a BIGINT
 * beyond 2^53 loses nothing). `indent` 0 gives one line.
 *
 * @example
 * toSnakeJson({ elapsedMs: 3, rows: 2n ** 63n - 1n }, 0); // {"elapsed_ms":3,"rows":"9223372036854775807"}
 */
export function toSnakeJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    snakeKeys(value),
    (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
    indent,
  );
}

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      snakeKeys(v),
    ]),
  );
}
