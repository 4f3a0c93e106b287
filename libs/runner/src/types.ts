import type { NodeKind } from "@sluice/compiler";

/** Outcome vocabulary, shared by models, seeds, sources and tests (dbt's, plus Glue's PASS/FAIL/ERROR for rules). */
export type NodeStatus = "success" | "error" | "skipped" | "pass" | "fail" | "warn";

/** One node's result, as printed and written to run_results.json. */
export interface NodeResult {
  id: string;
  kind: NodeKind;
  name: string;
  relation?: string;
  materialization: string;
  status: NodeStatus;
  message: string;
  /** Rows written (models, seeds) when the engine reports them. */
  rows?: number;
  /** Failing rows (tests). */
  failures?: number;
  elapsedMs: number;
  bytesScanned?: number;
  queryIds: string[];
  /** The node that failed upstream, for skipped nodes. */
  skippedBecause?: string;
}

export interface RunResults {
  command: string;
  target: string;
  runId: string;
  startedAt: string;
  elapsedMs: number;
  results: NodeResult[];
}

/** Progress events a caller (the CLI) can print. */
export type RunEvent =
  | { type: "start"; index: number; total: number; id: string; description: string }
  | { type: "end"; index: number; total: number; result: NodeResult };

/** Which node kinds a command executes. */
export type RunCommand = "build" | "run" | "test" | "seed";

export const kindsFor: Record<RunCommand, readonly NodeKind[]> = {
  build: ["source", "seed", "model", "test"],
  run: ["source", "model"],
  test: ["test"],
  seed: ["seed"],
};
