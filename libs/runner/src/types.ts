import type { CompiledNode, NodeKind, QueryRows } from "@sluice/compiler";
import type { Diagnostic } from "@sluice/project";
import type { AssertionScope } from "./scope/assertion-scope.js";

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
  /** When the node started and finished (ISO), as run_results.json's `timing`. */
  startedAt?: string;
  completedAt?: string;
  bytesScanned?: number;
  /** Bytes billed over the node's queries (Athena: per query rounded up to the MB, 10 MB minimum). */
  billedBytes?: number;
  /** Dollars for `billedBytes` ($5 per TB). */
  costUsd?: number;
  queryIds: string[];
  /** The node that failed upstream, for skipped nodes. */
  skippedBecause?: string;
  /** DQDL rules: the result in Glue's GetDataQualityResult vocabulary. */
  dq?: DqRuleResult;
  /** `--store-failures`: the audit table holding (some of) the failing rows. */
  storedFailures?: string;
  /** Tests and DQDL rules: the data they checked (new data only, or the whole table) and why. */
  scope?: AssertionScope;
  /** A failed unit test: the rows that differ, expected vs actual, differing cells marked. */
  diff?: string;
  /**
   * A unit test's pass reused from an earlier run (nothing it depends on changed since): the run
   * that ran it. run_results.json: `adapter_response.sluice.reused.run_id`.
   */
  reused?: { runId: string };
  /**
   * A model or seed left as it was: built from the same inputs as its published version (an
   * unchanged seed file, an Athena table whose inputs did not change). `message` says why.
   */
  unchanged?: true;
}

/** One DQDL rule's outcome, shaped like Glue's `DataQualityRuleResult`. */
export interface DqRuleResult {
  /** `Rule_<n>` (1-based position in its ruleset file). */
  ruleName: string;
  ruleType: string;
  /** PASS / FAIL as evaluated; ERROR when the query failed or the rule is unsupported. */
  outcome: "PASS" | "FAIL" | "ERROR";
  /** The rule's metric (ratio, count, mean...); absent on ERROR or an empty input. */
  metric?: number;
  /** Glue's EvaluationMessage. */
  message: string;
  /** The rule text as evaluated. */
  ruleText: string;
}

export interface RunResults {
  command: string;
  target: string;
  runId: string;
  startedAt: string;
  elapsedMs: number;
  results: NodeResult[];
  /** Totals when the target bills by bytes scanned (Athena). */
  cost?: { bytesScanned: number; billedBytes: number; costUsd: number };
  /** The raw zones the run read from their files' bytes (lake engines): what, from which hour. */
  rawReads?: RawReadSummary[];
  /** Cleanup the engine deferred to the end of the run (Athena: staging entries, old data); `error` when it failed. */
  cleanup?: { tablesDropped: number; objectsDeleted: number; strays?: string[]; error?: string };
}

/** One raw zone read in a run. */
export interface RawReadSummary {
  location: string;
  /** First hour read (`0000/00/00/00`: every hour). */
  from: string;
  hours: number;
  files: number;
  bytes: number;
  lines: number;
}

/** Progress events a caller (the CLI) can print. */
export type RunEvent =
  | { type: "start"; index: number; total: number; id: string; description: string }
  | { type: "end"; index: number; total: number; result: NodeResult };

/** Which node kinds a command executes. */
export type RunCommand = "build" | "run" | "test" | "seed" | "snapshot";

export const kindsFor: Record<RunCommand, readonly NodeKind[]> = {
  build: ["source", "seed", "model", "snapshot", "test"],
  run: ["source", "model"],
  test: ["test"],
  seed: ["seed"],
  snapshot: ["snapshot"],
};

/**
 * Renders again, with a connection, a model whose SQL reads the warehouse
 * (`CompiledNode.renderAtRun`): `query` runs one statement on the run's engine. The CLI passes
 * `renderWithWarehouse` over the loaded project; returns the node as it builds, or its errors.
 */
export type RenderAtRun = (
  node: CompiledNode,
  query: (sql: string) => Promise<QueryRows>,
) => Promise<CompiledNode | Diagnostic[]>;
