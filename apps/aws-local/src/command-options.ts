// The flags of `sluice athena-local` as plain data: the CLI reads them at start-up to build
// --help, so this file must not load DuckDB.

/** One CLI option of `sluice athena-local`. */
export interface AthenaLocalCommandOption {
  name: string;
  type: "number" | "string";
  default?: number;
  demandOption?: boolean;
  describe: string;
}

export const athenaLocalCommandOptions: readonly AthenaLocalCommandOption[] = [
  {
    name: "dir",
    type: "string",
    demandOption: true,
    describe: "directory holding the S3 buckets as folders (s3://b/k is DIR/b/k)",
  },
  { name: "port", type: "number", default: 0, describe: "port on 127.0.0.1 (0 picks a free one)" },
  {
    name: "latency-ms",
    type: "number",
    default: 50,
    describe: "least time a query takes (QUEUED, then RUNNING)",
  },
  {
    name: "faults",
    type: "string",
    describe:
      "JSON fault plan to start with (or env SLUICE_AWS_LOCAL_FAULTS); see apps/aws-local/README.md",
  },
];
