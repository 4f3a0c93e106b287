import type { AthenaTarget } from "@sluice/project";

/** An Athena target for engine tests over {@link FakeAws} (no endpoint, no databases mapped). */
export const testAthenaTarget = {
  engine: "athena",
  region: "eu-west-1",
  workgroup: "sluice",
  s3_staging_dir: "s3://results/",
  s3_lake_root: "s3://lake",
  databases: {},
  threads: 1,
} satisfies AthenaTarget;
