// Apart from color.ts: the replay gate needs this test, not picocolors (loading it is ~2 ms).

/**
 * Whether to colour what goes to a stream: never with NO_COLOR set (no-color.org), always with
 * FORCE_COLOR set (other than `0`), else only on a terminal (no escape codes in a pipe or file).
 * picocolors' own guess looks at stdout alone and turns colour on for any CI.
 */
export function colorEnabled(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined) return env["FORCE_COLOR"] !== "0";
  return stream.isTTY === true && env["TERM"] !== "dumb";
}
