/**
 * One DuckDB connection runs one thing at a time. Its async calls must not overlap: two
 * statements in flight on one connection (a node's query while the raw window is appended in the
 * background, or two nodes with `threads` > 1) fail at random with DuckDB's "Attempting to execute
 * an unsuccessful or closed pending query result". Every use of one of the engine's connections
 * goes through its lane's {@link ConnectionLane.exclusive} (lake-connections.ts), which runs it
 * after everything queued before it.
 *
 * @example
 * const lane = new ConnectionLane();
 * const rows = await lane.exclusive(() => connection.runAndReadAll("select 1"));
 */
export class ConnectionLane {
  private tail: Promise<unknown> = Promise.resolve();

  /** Run `work` once every earlier `exclusive` call has settled; its result or error is yours. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
