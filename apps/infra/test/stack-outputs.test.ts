import { describe, expect, it } from "vitest";
import { targetFromStackOutputs, targetYaml } from "../src/stack-outputs.js";

const outputs = {
  "sluice-prod": {
    Region: "eu-west-1",
    AthenaWorkgroup: "sluice-prod",
    AthenaResultsLocation: "s3://sluice-prod-results-abc/queries/",
    LakeRoot: "s3://sluice-prod-lake-abc",
    RawRoot: "s3://sluice-prod-raw-abc",
    GlueDatabases: '{"raw":"ecommerce_prod_raw","silver":"ecommerce_prod_silver"}',
    BuildRoleArn: "arn:aws:iam::123456789012:role/sluice-prod-build",
    EventStreamName: "sluice-prod-events",
  },
};

describe("targetFromStackOutputs", () => {
  it("turns cdk deploy --outputs-file JSON into an Athena target", () => {
    const r = targetFromStackOutputs(outputs);
    expect(r).toEqual({
      ok: true,
      stack: "sluice-prod",
      buildRoleArn: "arn:aws:iam::123456789012:role/sluice-prod-build",
      target: {
        engine: "athena",
        region: "eu-west-1",
        workgroup: "sluice-prod",
        s3_staging_dir: "s3://sluice-prod-results-abc/queries/",
        s3_lake_root: "s3://sluice-prod-lake-abc",
        s3_raw_root: "s3://sluice-prod-raw-abc",
        databases: { raw: "ecommerce_prod_raw", silver: "ecommerce_prod_silver" },
        threads: 4,
      },
    });
    if (r.ok)
      expect(targetYaml("prod", r.target)).toBe(
        [
          "prod:",
          "  engine: athena",
          "  region: eu-west-1",
          "  workgroup: sluice-prod",
          "  s3_staging_dir: s3://sluice-prod-results-abc/queries/",
          "  s3_lake_root: s3://sluice-prod-lake-abc",
          "  s3_raw_root: s3://sluice-prod-raw-abc",
          "  databases:",
          "    raw: ecommerce_prod_raw",
          "    silver: ecommerce_prod_silver",
          "  threads: 4",
        ].join("\n"),
      );
  });

  it("names every missing or malformed output, and asks which stack when there are several", () => {
    const broken = { s: { ...outputs["sluice-prod"], Region: 7, GlueDatabases: "{nope}" } };
    expect(targetFromStackOutputs(broken)).toEqual({
      ok: false,
      errors: ["output Region: expected an AWS region, got 7", "output GlueDatabases: not JSON"],
    });
    const two = { a: outputs["sluice-prod"], b: outputs["sluice-prod"] };
    expect(targetFromStackOutputs(two)).toEqual({
      ok: false,
      errors: ["several stacks (a, b): choose one with --stack"],
    });
    expect(targetFromStackOutputs(two, "b").ok).toBe(true);
    expect(targetFromStackOutputs({ other: { Foo: "x" } })).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/no stack in the file has a LakeRoot output/)],
    });
    expect(targetFromStackOutputs([])).toMatchObject({ ok: false });
  });
});
