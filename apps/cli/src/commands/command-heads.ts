/** What `--help` lists of a command: its yargs command line and one sentence. */
export interface CommandHead {
  command: string;
  describe: string;
  /** Other names it answers to (dbt's spellings: `list` for `ls`). */
  aliases?: readonly string[];
}

/**
 * The head of every command, in the order `--help` lists them. They live apart from the
 * commands' modules so that listing them (`sluice --help`, usage errors) loads none of those
 * modules: a command's module is loaded only when it runs (commands/index.ts).
 */
export const commandHeads = {
  build: {
    command: "build",
    describe:
      "Seed, run and test everything selected, in DAG order; a failure skips what depends on it",
  },
  run: {
    command: "run",
    describe: "Build the selected models (and register sources)",
  },
  test: {
    command: "test",
    describe:
      "Run the generic tests, singular tests, DQDL rules and unit tests of the selected nodes",
  },
  seed: {
    command: "seed",
    describe: "Load the CSV seeds into tables",
  },
  retry: {
    command: "retry",
    describe:
      "Run again the failed and skipped nodes of the last build/run/test/seed/snapshot/clone (target/run_results.json), with the same flags",
  },
  clone: {
    command: "clone",
    describe:
      "Create this target's relations as zero-copy clones of the --state run's relations (lake: views; Athena: Glue tables sharing their S3 locations)",
  },
  snapshot: {
    command: "snapshot",
    describe:
      "Record the selected dbt snapshots: a new row version per changed source row (type-2 history with dbt_valid_from/dbt_valid_to)",
  },
  compile: {
    command: "compile",
    describe:
      "Render models and every statement for the target into target/compiled and target/run (no engine needed)",
  },
  ls: {
    command: "ls",
    aliases: ["list"],
    describe: "List the project's nodes (sources, seeds, models, tests) in DAG order",
  },
  show: {
    command: "show",
    describe:
      "Preview the rows of one node's SQL (a model, test, seed...) or of --inline SQL with refs, as dbt show (5 rows by default)",
  },
  query: {
    command: "query <sql>",
    describe: "Run a SQL query on the target and print the rows",
  },
  docs: {
    command: "docs <action>",
    describe:
      "Docs site with column lineage and the dashboard: 'generate' writes target/docs/, 'serve' also serves it on 127.0.0.1",
  },
  lineage: {
    command: "lineage <column>",
    describe:
      "Column lineage: the columns <model>.<column> is computed from and those computed from it",
  },
  dashboard: {
    command: "dashboard",
    describe:
      "Serve the seed's dashboard (five views, one date filter) from the marts on the target (--target prod: Athena)",
  },
  tableau: {
    command: "tableau",
    describe:
      "Write target/tableau/<mart>.tds for Tableau's Amazon Athena connector (region endpoint, port 443, workgroup, staging dir, database, table) and <dashboard>.twb with a worksheet per view",
  },
  generate: {
    command: "generate",
    describe:
      "Generate shop events (sessions through the funnel) into the raw zone, in Firehose's layout",
  },
  firehoseLocal: {
    command: "firehose-local",
    describe:
      "Serve a local Firehose + Kinesis Data Streams endpoint that delivers into the local lake's raw zone",
  },
  athenaLocal: {
    command: "athena-local",
    describe:
      "Serve a local Athena + Glue + S3 endpoint (SQL on DuckDB over the buckets in --dir) for a target with endpoint:",
  },
  sources: {
    command: "sources <action>",
    describe: "Register the raw source tables on the target (action: register)",
  },
  source: {
    command: "source <action>",
    describe:
      "Check how fresh the sources are (action: freshness): their newest row against freshness: warn_after/error_after",
  },
  debug: {
    command: "debug",
    describe:
      "Check the connection to the target and its setup (prod: AWS credentials, workgroup, Glue databases)",
  },
  dq: {
    command: "dq <action> [file]",
    describe:
      "DQDL rulesets: 'parse <file>' prints the AST; 'publish' creates/updates them in Glue Data Quality",
  },
  deps: {
    command: "deps",
    describe: "Install the git and hub packages of a dbt project's packages.yml into dbt_packages/",
  },
  initTarget: {
    command: "init-target",
    describe: "Print (or --write into sluice.yml) the Athena target a deployed stack describes",
  },
} as const satisfies Record<string, CommandHead>;
