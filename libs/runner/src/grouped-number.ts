/**
 * An integer with its thousands grouped as `toLocaleString("en-US")` writes it (`1,851`,
 * `-12,000`), without loading ICU's locale data: the first `toLocaleString` of a process costs
 * ~25 CPU-ms (67-190 ms of wall time on a loaded machine), which every build paid for its row
 * messages. Anything but a safe integer (and -0) is left to `toLocaleString`.
 *
 * @example grouped(301794) // "301,794"
 */
export function grouped(n: number | bigint): string {
  if (typeof n === "number" && (!Number.isSafeInteger(n) || Object.is(n, -0)))
    return n.toLocaleString("en-US");
  const text = String(n);
  const sign = text.startsWith("-") ? "-" : "";
  return sign + text.slice(sign.length).replace(/\B(?=(\d{3})+$)/g, ",");
}

/**
 * `1 model`, `2 models`, `1,024 rows`: a count with its noun in the right number (English `s`
 * plural unless given), grouped as {@link grouped}. The runner's row messages and the CLI's
 * output words share it.
 *
 * @example
 * counted(1, "seed"); // "1 seed"
 * counted(3, "query", "queries"); // "3 queries"
 */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${grouped(n)} ${n === 1 ? noun : plural}`;
}
