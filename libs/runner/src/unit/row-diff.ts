/** The outcome of comparing a unit test's expected rows with its model's rows. */
export interface RowComparison {
  /** Rows on both sides, counted once per match (multiset). */
  matched: number;
  /** Expected rows with no equal actual row. */
  missing: unknown[][];
  /** Actual rows with no equal expected row. */
  unexpected: unknown[][];
}

/** A cell as compared and shown: NULL, numbers and text as they print. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const rowKey = (row: readonly unknown[]): string =>
  JSON.stringify(row.map((v) => (v === null || v === undefined ? null : cellText(v))));

/**
 * Compare two lists of rows as multisets (order does not matter, duplicates count).
 *
 * @example compareRows([[1, "a"], [1, "a"]], [[1, "a"]]) // { matched: 1, missing: [[1, "a"]], unexpected: [] }
 */
export function compareRows(
  expected: readonly unknown[][],
  actual: readonly unknown[][],
): RowComparison {
  const pool = new Map<string, unknown[][]>();
  for (const row of actual) {
    const k = rowKey(row);
    pool.set(k, [...(pool.get(k) ?? []), row]);
  }
  const missing: unknown[][] = [];
  let matched = 0;
  for (const row of expected) {
    const same = pool.get(rowKey(row));
    if (same && same.length > 0) {
      same.pop();
      matched++;
    } else missing.push(row);
  }
  return { matched, missing, unexpected: [...pool.values()].flat() };
}

/** How many cells two rows differ in. */
const distance = (a: readonly unknown[], b: readonly unknown[]): number =>
  a.reduce<number>((n, v, i) => n + (cellText(v) === cellText(b[i]) ? 0 : 1), 0);

/**
 * The rows that differ, each missing row paired with the unexpected row closest to it, for a
 * terminal: a table with `-` expected and `+` actual lines, the differing cells of a pair
 * marked `>value<` on the actual line, and one line per pair naming the differing cells.
 *
 * @example
 * formatRowDiff(["id", "revenue"], { matched: 0, missing: [[1, 30]], unexpected: [[1, 25]] })
 * //     id  revenue
 * // -   1   30
 * // +   1   >25<
 * //   row 1: revenue expected 30, got 25
 */
export function formatRowDiff(columns: readonly string[], diff: RowComparison): string {
  const unexpected = [...diff.unexpected];
  const pairs: { expected?: unknown[]; actual?: unknown[] }[] = diff.missing.map((expected) => {
    let best = -1;
    for (let i = 0; i < unexpected.length; i++) {
      const d = distance(expected, unexpected[i]!);
      // A pair shares at least one cell; otherwise the rows are shown apart.
      if (d < columns.length && (best < 0 || d < distance(expected, unexpected[best]!))) best = i;
    }
    const actual = best >= 0 ? unexpected.splice(best, 1)[0] : undefined;
    return actual ? { expected, actual } : { expected };
  });
  pairs.push(...unexpected.map((actual) => ({ actual })));

  const lines: string[][] = [["", ...columns]];
  const notes: string[] = [];
  pairs.forEach((p, n) => {
    if (p.expected) lines.push(["-", ...p.expected.map(cellText)]);
    if (p.actual) {
      const other = p.expected;
      lines.push([
        "+",
        ...p.actual.map((v, i) =>
          other && cellText(v) !== cellText(other[i]) ? `>${cellText(v)}<` : cellText(v),
        ),
      ]);
    }
    if (p.expected && p.actual) {
      const cells = columns
        .map((c, i) => ({ c, e: cellText(p.expected![i]), a: cellText(p.actual![i]) }))
        .filter((x) => x.e !== x.a)
        .map((x) => `${x.c} expected ${x.e}, got ${x.a}`);
      notes.push(`  row ${n + 1}: ${cells.join("; ")}`);
    } else if (p.expected) notes.push(`  row ${n + 1}: expected, but no actual row is like it`);
    else notes.push(`  row ${n + 1}: not expected`);
  });
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length)));
  const table = lines.map((l) =>
    l
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
  return ["(- expected, + actual; >x< marks a cell that differs)", ...table, ...notes].join("\n");
}
