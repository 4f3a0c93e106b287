/** What `cdk deploy --outputs-file` writes for the seed's stack (apps/infra), with made-up names. */
export const stackOutputs = {
  "sluice-ci": {
    Region: "eu-west-1",
    AthenaWorkgroup: "sluice-ci",
    AthenaResultsLocation: "s3://sluice-ci-results-1a2b/queries/",
    LakeRoot: "s3://sluice-ci-lake-1a2b",
    RawRoot: "s3://sluice-ci-raw-1a2b",
    GlueDatabases: JSON.stringify({
      marts: "ecommerce_ci_marts",
      raw: "ecommerce_ci_raw",
      seeds: "ecommerce_ci_seeds",
      silver: "ecommerce_ci_silver",
      staging: "ecommerce_ci_staging",
    }),
    BuildRoleArn: "arn:aws:iam::123456789012:role/sluice-ci-build",
  },
};
