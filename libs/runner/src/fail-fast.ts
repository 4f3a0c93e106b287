import type { NodeResult } from "./types.js";

/**
 * dbt's `--fail-fast` within one run: the first node that ends failed or in error stops it. The
 * queries running then are stopped (through {@link FailFast.signal}, which also follows the run's
 * own signal) and end in error with the reason; the nodes that have not started are skipped,
 * as dbt skips them, naming the node that stopped the run.
 */
export class FailFast {
  private readonly stop = new AbortController();
  /** The run's signal, aborted too once a node fails. */
  readonly signal: AbortSignal;
  /** The node that stopped the run, once one did. */
  stoppedBy: NodeResult | undefined;
  /** Nodes skipped because the run stopped (their dependants are skipped for the same reason). */
  private readonly skipped = new Set<string>();

  constructor(runSignal: AbortSignal | undefined) {
    this.signal = runSignal ? AbortSignal.any([runSignal, this.stop.signal]) : this.stop.signal;
  }

  /** Told of each node's result: the first failure or error stops the run. */
  ended(result: NodeResult): void {
    if (this.stoppedBy || !["error", "fail"].includes(result.status)) return;
    this.stoppedBy = result;
    this.stop.abort(new Error(this.reason()));
  }

  /** Why a node is skipped, when it is for the stop (a node not started, or its dependant). */
  skipReason(id: string, because?: string): string | undefined {
    if (!this.stoppedBy) return undefined;
    if (because !== undefined && !this.skipped.has(because)) return undefined;
    this.skipped.add(id);
    return `skipped: ${this.reason()}`;
  }

  private reason(): string {
    const { id, status } = this.stoppedBy!;
    return `stopped by --fail-fast: ${id} ${status === "fail" ? "failed" : "errored"}`;
  }
}
