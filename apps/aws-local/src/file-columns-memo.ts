/**
 * The column names of Parquet file lists already described, so that a partition's files are
 * described once, not before every statement that reads their table: each statement makes the
 * tables it mentions views again (one `DESCRIBE read_parquet(...)` per partition), and a
 * three-day build read hourly partitions ~3,600 times that way.
 *
 * An entry is keyed by the files' paths with their sizes and modification times (the `stamp`):
 * a file written again under the same name is a new key. Only successful answers are kept; an
 * error (a file that is not Parquet) is asked again next time, and fails again.
 */
export class FileColumnsMemo {
  private readonly known = new Map<string, string[]>();

  /** @param limit entries kept; past it the memo starts again empty (a bound, not an LRU). */
  constructor(private readonly limit = 20_000) {}

  /**
   * The columns of `list` with `stamp`, from the memo or from `describe`.
   *
   * @example
   * const columns = await memo.columns(list, "812@1764230400000", () => describeFiles(list));
   */
  async columns(list: string, stamp: string, describe: () => Promise<string[]>): Promise<string[]> {
    const key = `${list}\0${stamp}`;
    const known = this.known.get(key);
    if (known !== undefined) return known;
    const columns = await describe();
    if (this.known.size >= this.limit) this.known.clear();
    this.known.set(key, columns);
    return columns;
  }
}
