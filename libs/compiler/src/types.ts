import type {
  Diagnostic,
  Exposure,
  IncrementalStrategy,
  Materialization,
  ModelConfig,
  TestConfig,
  UnitTestRows,
} from "@sluice/project";
import type { Relation, Statement } from "@sluice/dialects";

export type NodeKind = "source" | "seed" | "model" | "test" | "snapshot";

/** One node of the DAG, compiled for one target. Plain JSON. */
export interface CompiledNode {
  /**
   * `source.raw.events`, `seed.country_codes`, `model.stg_events`, `snapshot.orders_snapshot`,
   * `test.not_null_events_event_id`
   */
  id: string;
  kind: NodeKind;
  name: string;
  /** Project-relative file that defines the node (model .sql, seed .csv, YAML, rule or test file). */
  path: string;
  /** Logical schema (as in config) and physical relation (schema/database on the target). */
  schema: string;
  relation: Relation;
  materialization: Materialization | "seed" | "source" | "test";
  incrementalStrategy?: IncrementalStrategy;
  partitionedBy: string[];
  config: Partial<ModelConfig>;
  tags: string[];
  description?: string;
  columns: { name: string; description?: string }[];
  /** Node ids this node reads. */
  dependsOn: string[];
  /** Rendered SELECT as a full build sees it (`is_incremental()` false). Empty for sources. */
  sql: string;
  /** Rendered SELECT with `is_incremental()` true (incremental models only). */
  incrementalSql?: string;
  /** Statements of a first run / full refresh, with a fresh table location. */
  statements: Statement[];
  /**
   * A dbt model whose SQL reads the warehouse (`run_query`, `statement`, `adapter.get_*`): its
   * `sql` and `statements` were rendered offline with empty results (or, where that render
   * failed, are a comment and none); the runner renders it again with a connection.
   */
  renderAtRun?: true;
  /** Statements when the table already exists (incremental models only). */
  incrementalStatements?: Statement[];
  /**
   * Physical location a new table version is written to (tables, incrementals, seeds); for a
   * source with `external`, the raw zone's location.
   */
  location?: string;
  /**
   * A source whose raw zone is partitioned by event type (`partitioning:
   * firehose_event_type_hourly`): the declared event types, each a folder `event_type=<t>/` of
   * `location` holding its hour folders.
   */
  eventTypes?: string[];
  /** Tests: the node they test and how a failure counts. */
  attachedTo?: string;
  severity?: "error" | "warn";
  /** Tests: dbt's `warn_if` / `error_if` on the failure count, when set (default `!=0`). */
  thresholds?: Pick<TestConfig, "warn_if" | "error_if">;
  /** Tests: what the SQL returns. Absent means `failing_rows` (generic and singular tests). */
  assertion?: TestAssertion;
  /**
   * Tests: how the check narrows to the data a run wrote when it may (see {@link NewDataScope});
   * absent: its meaning needs the whole table, so it always reads all of it.
   */
  newData?: NewDataScope;
  /**
   * Tests: dbt's `store_failures` config when set; it decides over `--store-failures` whether
   * the CLI gives the test a `storeFailures` table.
   */
  storeFailuresConfig?: boolean;
  /** Tests run with `--store-failures`: where failing rows (limited) are written. */
  storeFailures?: { relation: Relation; location: string; limit: number };
}

/**
 * How a test's `sql` is checked. `failing_rows`: a SELECT of failing rows (wrapped by
 * `Dialect.assertion`). `dq_rule`: a DQDL rule compiled by libs/dq, whose `sql` returns one row
 * `{ metric, passed }`; `failingRowsSql` (unlimited) for row-level rules; `unsupported` when the
 * rule cannot be evaluated on this target (the result is ERROR, never a pass).
 */
/**
 * How a test on an incremental model or raw source reads only what a run wrote or read (the
 * touched partitions, the raw hours read), as Glue Data Quality in an ETL job checks the incoming
 * frame. `rows`: a per-row check (not_null, accepted_values, relationships, ColumnValues,
 * IsComplete, ...) reads the new rows. `keys`: a uniqueness check reads every row, in the whole
 * table (or, with `copiesSharePartition`, in the partitions the run wrote), whose key occurs
 * among the new rows (new keys against old ones). `partitions`: a
 * singular test that declares `config(new_data='partitions')` (its author states every failing
 * row lies in partitions the run wrote, e.g. an order's total against its items, both partitioned
 * by the order's date) reads, of every table it refs, the partitions this run wrote.
 * A `rows` check that looks each new row's `column` up in `field` of the one other relation it
 * reads (relationships, ReferentialIntegrity) says so in `lookup`: where that relation was
 * written this run too, the keys are looked for in its written partitions first and only the
 * keys not found there in its whole table (see the runner's `scopeOf`).
 */
export type NewDataScope =
  | { kind: "rows"; lookup?: KeyLookup }
  | {
      kind: "keys";
      columns: string[];
      /**
       * The model declares `copies_share_partition` of the first column: all copies of a key are
       * in one partition (e.g. a duplicated event keeps its event_date), so the new keys are
       * checked against the partitions the run wrote, not the whole table.
       */
      copiesSharePartition?: true;
    }
  | { kind: "partitions" };

/** A `rows` check's lookup of the new rows' `column` in `field` of the other relation it reads. */
export interface KeyLookup {
  column: string;
  field: string;
}

/**
 * One query several tests share (one scan of their relation), returning one row; `index` names a
 * test's columns in it. A DQDL ruleset pass returns `metric_<index>` and `passed_<index>` per
 * rule; generic tests counted in one scan return `failures_<index>` per test.
 */
export interface SharedQuery {
  index: number;
  sql: string;
}

/** A DQDL rule evaluated with other rules of its ruleset in one query. */
export type RulesetPass = SharedQuery;

/** Which of a rule's passes applies in a run (see `TestAssertion.passes`). */
export type PassLayout = "all" | "newData" | "wholeTable";

export type TestAssertion =
  | {
      kind: "failing_rows";
      /**
       * not_null and accepted_values tests of one relation (without `where`/`limit`) counted in
       * one scan: the failures are `failures_<index>` of `sql`, equal to the test's own count.
       */
      shared?: SharedQuery;
    }
  | {
      kind: "dq_rule";
      ruleType: string;
      ruleText: string;
      ruleName: string;
      failingRowsSql?: string;
      unsupported?: string;
      /**
       * The rule's ruleset pass, by what the run's tests of its table read: `all` (every table
       * read whole: the ruleset's single-relation rules), `newData` (the rules of the rule's
       * {@link NewDataScope}, on new data) or `wholeTable` (the rules with no new-data scope,
       * while the others read new data). Absent: the rule runs alone.
       */
      passes?: Partial<Record<PassLayout, RulesetPass>>;
    }
  | UnitTestAssertion;

/**
 * A dbt unit test: the test's `sql` is its model's SELECT rendered with every ref(), source() and
 * `this` reading a mock table of `inputs` (schema `sluice_unit`), run on an
 * embedded in-memory DuckDB whatever the target, and compared with `expect` as multisets.
 */
export interface UnitTestAssertion {
  kind: "unit";
  /** The tested model's node id. */
  model: string;
  /** Which branch was rendered (`overrides.macros.is_incremental`). */
  isIncremental: boolean;
  inputs: UnitTestMock[];
  expect: UnitTestRows;
}

/**
 * One relation the unit test's SQL reads: the node it stands in for (its columns and types are
 * the upstream's; a column the rows leave out is a typed NULL) and the given rows, or none (an
 * input the test does not give reads as an empty table).
 */
export interface UnitTestMock {
  relation: Relation;
  /** The node whose columns the mock has (the model itself for `this`). */
  upstream: string;
  /** `ref('stg_events')`, `source('raw', 'events')`, `this`. */
  input: string;
  rows?: UnitTestRows;
}

/** An exposure with its `depends_on` resolved to node ids (`exposure.<name>` is its id). */
export interface CompiledExposure extends Omit<Exposure, "dependsOn"> {
  id: string;
  dependsOn: string[];
}

export interface CompiledProject {
  projectName: string;
  targetName: string;
  dialect: "athena" | "duckdb";
  /** Topologically ordered (every node after the nodes it depends on). */
  nodes: CompiledNode[];
  /** dbt exposures (dashboards, ...): not run; `--select +exposure:name` builds what they read. */
  exposures?: CompiledExposure[];
  /** Models left out by `enabled: false` (folder config, properties or config()): dbt's `disabled`. */
  disabled?: DisabledModel[];
  diagnostics: Diagnostic[];
}

/** A model `enabled: false` leaves out: not built, not a node; a ref() to it is an error. */
export interface DisabledModel {
  /** `model.<name>`, as the node would have been. */
  id: string;
  name: string;
  /** Project-relative path of its file. */
  path: string;
}
