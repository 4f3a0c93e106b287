import type { DuckDBConnection } from "@duckdb/node-api";
import { ConnectionLane } from "./connection-lane.js";

/** Where a statement may run (see {@link LakeConnections.run}). */
export interface LaneChoice {
  /**
   * It reads or writes what lives on the first connection alone (a TEMP table of the raw window,
   * the appender): it runs there.
   */
  first?: boolean;
  /**
   * It commits to the catalog (a publish, bookkeeping, DDL) or must see every commit issued before
   * it (the relation listing): it runs after every such statement queued before it has ended,
   * whatever its connection. DuckDB aborts the second of two transactions that change the same
   * row (two publishes both updating sluice_table_state), so the commits are serialized, not the
   * work (the SELECTs and COPYs that write Parquet run side by side).
   */
  commits?: boolean;
}

interface Lane {
  connection: DuckDBConnection;
  queue: ConnectionLane;
  /** Statements queued or running on it. */
  pending: number;
}

/**
 * The lake's DuckDB connections, each with its own {@link ConnectionLane}: with `threads` > 1 two
 * DAG nodes run their statements on two connections at once instead of queueing on one. The
 * first connection is ready at open; the others are set up in the background (`add`: TEMP
 * macros are connection-local, so each installs the Trino-compat layer) and take statements once
 * ready. A statement goes to the lane with the fewest pending (the first on a tie), unless it
 * must run on the first ({@link LaneChoice}).
 *
 * @example
 * const lanes = new LakeConnections(first);
 * lanes.add(instance.connect().then(async (c) => (await c.run(layer), c)));
 * const rows = await lanes.run((c) => c.runAndReadAll("select 1"));
 */
export class LakeConnections {
  private readonly lanes: Lane[];
  /** Lanes still being set up; a failed setup leaves the lake with the lanes it has. */
  private readonly adding: Promise<void>[] = [];
  private readonly commitLane = new ConnectionLane();

  constructor(first: DuckDBConnection) {
    this.lanes = [{ connection: first, queue: new ConnectionLane(), pending: 0 }];
  }

  /** The connection of the first lane (where the raw window's TEMP table lives). */
  get first(): DuckDBConnection {
    return this.lanes[0]!.connection;
  }

  /** How many connections take statements now. */
  get size(): number {
    return this.lanes.length;
  }

  /**
   * Add a connection once `setup` resolves (connected, its session layer installed). A rejected
   * setup adds nothing: statements keep the connections there are.
   */
  add(setup: Promise<DuckDBConnection>): void {
    this.adding.push(
      setup.then(
        (connection) =>
          void this.lanes.push({ connection, queue: new ConnectionLane(), pending: 0 }),
        () => undefined,
      ),
    );
  }

  /**
   * Run `work` on one connection, after everything queued before it on that connection (and,
   * for `commits`, after every commit queued before it). Its result or error is yours.
   */
  run<T>(work: (connection: DuckDBConnection) => Promise<T>, choice: LaneChoice = {}): Promise<T> {
    const onLane = (): Promise<T> => {
      const lane = choice.first ? this.lanes[0]! : this.leastBusy();
      lane.pending += 1;
      return lane.queue
        .exclusive(() => work(lane.connection))
        .finally(() => {
          lane.pending -= 1;
        });
    };
    return choice.commits ? this.commitLane.exclusive(onLane) : onLane();
  }

  private leastBusy(): Lane {
    let best = this.lanes[0]!;
    for (const lane of this.lanes) if (lane.pending < best.pending) best = lane;
    return best;
  }

  /** Close every connection once the setups have settled and nothing runs on them. */
  async close(): Promise<void> {
    await Promise.all(this.adding);
    await Promise.all(
      this.lanes.map((lane) => lane.queue.exclusive(async () => undefined).catch(() => undefined)),
    );
    for (const lane of this.lanes) lane.connection.closeSync();
  }
}
