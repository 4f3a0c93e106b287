import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { App, Aspects } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { AwsSolutionsChecks } from "cdk-nag";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleGeneratorLambda } from "../src/lambda-bundle.js";
import { projectFacts, type ProjectFacts } from "../src/project-facts.js";
import { SeedStack } from "../src/seed-stack.js";
import { stageSettings } from "../src/stage-settings.js";

const models = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../models");
const bundleDir = mkdtempSync(path.join(tmpdir(), "sluice-infra-"));
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

type Resource = { Type: string; Properties: Record<string, unknown> };
let template: Template;
let stack: SeedStack;
let facts: ProjectFacts;
let synthMs = 0;
let bundleMs = 0;
let synthCpuMs = 0;
const resources = (type: string) =>
  Object.values(template.findResources(type)) as unknown as Resource[];
/** Every IAM statement of the stack, with the policy or role that holds it. */
const statements = () =>
  [...resources("AWS::IAM::Policy"), ...resources("AWS::IAM::Role")].flatMap((r) => {
    const docs = (r.Properties.PolicyDocument ? [r.Properties.PolicyDocument] : []) as {
      Statement: Record<string, unknown>[];
    }[];
    return docs.flatMap((d) => d.Statement);
  });
const actionsOf = (s: Record<string, unknown>) => [s.Action].flat() as string[];
/** The logical id of the one bucket whose id starts with `Buckets<name>`. */
const bucketId = (name: string) => {
  const ids = Object.keys(template.findResources("AWS::S3::Bucket")).filter((id) =>
    id.startsWith(`Buckets${name}`),
  );
  expect(ids).toHaveLength(1);
  return ids[0]!;
};
const json = (v: unknown) => JSON.stringify(v);

// One synth shared by every assertion (CI time): the app as main.ts builds it, cdk-nag included.
beforeAll(async () => {
  const bundled = performance.now();
  const code = lambda.Code.fromAsset(await bundleGeneratorLambda(bundleDir));
  bundleMs = performance.now() - bundled;
  const began = performance.now();
  const cpu = process.cpuUsage();
  facts = await projectFacts(models, "test");
  const checked = stageSettings({ stage: "test", rawExpirationDays: 1000 });
  if (!checked.ok) throw new Error(checked.errors.join("; "));
  const app = new App();
  stack = new SeedStack(app, "sluice-test", {
    settings: checked.settings,
    facts,
    generatorCode: code,
    env: { account: "123456789012", region: "eu-west-1" },
  });
  Aspects.of(app).add(new AwsSolutionsChecks());
  template = Template.fromStack(stack);
  const used = process.cpuUsage(cpu);
  synthCpuMs = (used.user + used.system) / 1000;
  synthMs = performance.now() - began;
  console.log(
    `bundle ${Math.round(bundleMs)} ms; project + synth + cdk-nag ${Math.round(synthMs)} ms wall, ${Math.round(synthCpuMs)} ms CPU`,
  );
}, 120_000);

describe("the seed's stack", () => {
  it("synthesizes offline (project, stack and cdk-nag) in under 20 s of CPU", () => {
    // CPU time, not wall: the shared test machine runs many jobs per core (wall is printed).
    expect(synthCpuMs).toBeGreaterThan(0);
    expect(synthCpuMs).toBeLessThan(20_000);
  });

  it("passes cdk-nag's AwsSolutions pack with no unsuppressed error or warning", () => {
    const findings = [
      ...Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*")),
      ...Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split("\n")[0]}`)).toEqual([]);
  });

  it("encrypts every bucket, blocks public access, refuses plain HTTP and logs access", () => {
    const buckets = template.findResources("AWS::S3::Bucket");
    expect(Object.keys(buckets)).toHaveLength(4);
    for (const [id, b] of Object.entries(buckets) as [string, Resource][]) {
      expect(json(b.Properties.BucketEncryption)).toContain("AES256");
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      if (!id.includes("AccessLogs")) expect(b.Properties.LoggingConfiguration).toBeDefined();
    }
    const policies = resources("AWS::S3::BucketPolicy");
    expect(policies).toHaveLength(4);
    for (const p of policies)
      expect(json(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it("tiers the raw zone's own bucket IA → Glacier IR → Deep Archive → expiry, and expires query results", () => {
    template.hasResource("AWS::S3::Bucket", {
      Properties: {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({
              Id: "raw-zone-tiers",
              Prefix: "raw/",
              Status: "Enabled",
              ExpirationInDays: 1000,
              Transitions: [
                { StorageClass: "STANDARD_IA", TransitionInDays: 30 },
                { StorageClass: "GLACIER_IR", TransitionInDays: 90 },
                { StorageClass: "DEEP_ARCHIVE", TransitionInDays: 180 },
              ],
            }),
          ]),
        },
        // That bucket is the raw one (its access logs go under raw/).
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: "raw/" }),
      },
    });
    const raw = template.findResources("AWS::S3::Bucket")[bucketId("Raw")] as Resource;
    expect(json(raw.Properties.LifecycleConfiguration)).toContain("raw-zone-tiers");
    // The lake bucket holds silver, marts and seeds: no raw tiering or expiry there.
    const lake = template.findResources("AWS::S3::Bucket")[bucketId("Lake")] as Resource;
    expect(json(lake.Properties.LifecycleConfiguration)).not.toMatch(/raw|Expiration|Transition/);
    template.hasResourceProperties("AWS::S3::Bucket", {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ Id: "expire-query-results", ExpirationInDays: 7 })],
      },
    });
  });

  it("feeds an on-demand, KMS-encrypted stream from the generator Lambda on a schedule", () => {
    template.hasResourceProperties("AWS::Kinesis::Stream", {
      Name: "sluice-test-events",
      StreamModeDetails: { StreamMode: "ON_DEMAND" },
      StreamEncryption: { EncryptionType: "KMS", KeyId: "alias/aws/kinesis" },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "index.handler",
      Runtime: "nodejs24.x",
      Environment: {
        Variables: {
          SLUICE_KINESIS_STREAM: Match.anyValue(),
          SLUICE_EVENTS: "20000",
          SLUICE_WINDOW_HOURS: "1",
          SLUICE_SEED: "1",
        },
      },
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 hour)",
      Targets: [
        Match.objectLike({ Arn: { "Fn::GetAtt": [Match.stringLikeRegexp("Generator"), "Arn"] } }),
      ],
    });
  });

  it("delivers the stream to exactly the prefix the raw source reads, gzipped, with errors and logs apart", () => {
    template.hasResourceProperties("AWS::KinesisFirehose::DeliveryStream", {
      DeliveryStreamType: "KinesisStreamAsSource",
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { "Fn::GetAtt": [bucketId("Raw"), "Arn"] },
        Prefix: "raw/events/!{timestamp:yyyy/MM/dd/HH}/",
        ErrorOutputPrefix: "raw-errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/",
        CompressionFormat: "GZIP",
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 64 },
        CloudWatchLoggingOptions: Match.objectLike({ Enabled: true }),
      }),
    });
    // models/sources/raw.yml: the raw table's location is <raw root>/raw/events.
    expect(facts.raw.relativeLocation).toBe("raw/events");
  });

  it("creates the Glue databases, the raw table as `sources register` does, and the DQ rulesets", () => {
    const dbs = resources("AWS::Glue::Database").map(
      (d) => (d.Properties.DatabaseInput as { Name: string }).Name,
    );
    expect(dbs.sort()).toEqual(Object.values(facts.databases).sort());
    expect(dbs).toContain("ecommerce_test_silver");
    template.hasResourceProperties("AWS::Glue::Table", {
      DatabaseName: "ecommerce_test_raw",
      TableInput: Match.objectLike({
        Name: "events",
        TableType: "EXTERNAL_TABLE",
        PartitionKeys: [{ Name: "dt", Type: "string" }],
        StorageDescriptor: Match.objectLike({
          Location: { "Fn::Join": ["", ["s3://", { Ref: bucketId("Raw") }, "/raw/events/"]] },
        }),
        Parameters: Match.objectLike({
          "projection.enabled": "true",
          "projection.dt.format": "yyyy/MM/dd/HH",
          "projection.dt.range": "2026/01/01/00,NOW",
        }),
      }),
    });
    const rulesets = resources("AWS::Glue::DataQualityRuleset");
    expect(rulesets.map((r) => r.Properties.Name).sort()).toEqual([
      "ecommerce_ecommerce_test_raw_events",
      "ecommerce_ecommerce_test_silver_events",
      "ecommerce_ecommerce_test_silver_order_items",
    ]);
    for (const r of rulesets) expect(String(r.Properties.Ruleset)).toMatch(/^Rules = \[/m);
  });

  it("enforces the Athena workgroup's result location, encryption and bytes-scanned cutoff", () => {
    template.hasResourceProperties("AWS::Athena::WorkGroup", {
      Name: "sluice-test",
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        ResultConfiguration: {
          OutputLocation: Match.anyValue(),
          EncryptionConfiguration: { EncryptionOption: "SSE_S3" },
        },
      }),
    });
  });

  it("scopes every IAM statement to this stack's resources: no bare '*' resource or action", () => {
    const all = statements();
    expect(all.length).toBeGreaterThan(10);
    for (const s of all) {
      expect(json(s.Resource ?? "")).not.toBe('"*"');
      for (const a of actionsOf(s)) expect(a).not.toMatch(/^\*$|:\*$/);
    }
    const build = all.filter((s) => typeof s.Sid === "string");
    const bySid = new Map(build.map((s) => [s.Sid as string, json(s.Resource)]));
    expect(bySid.get("AthenaInWorkgroup")).toContain(":workgroup/sluice-test");
    expect(bySid.get("GlueOnProjectDatabases")).toContain("table/ecommerce_test_silver/*");
    // The build role reads the raw bucket and writes only the lake's schema prefixes and results.
    const raw = bucketId("Raw");
    expect(bySid.get("ReadRawZone")).toContain("/raw/events/*");
    expect(bySid.get("ReadRawZone")).toContain(raw);
    expect(bySid.get("WriteSchemasAndResults")).not.toMatch(/raw/i);
    expect(bySid.get("WriteSchemasAndResults")).toContain(bucketId("Lake"));
    // Only Firehose writes the raw bucket, and only its two prefixes; nobody else writes there.
    const writes = all.filter((s) => actionsOf(s).some((a) => /^s3:(Put|Delete)Object$/.test(a)));
    const rawWriters = writes.filter((s) => json(s.Resource).includes(raw));
    expect(rawWriters).toHaveLength(1);
    expect(rawWriters[0]!.Sid).toBeUndefined();
    expect(json(rawWriters[0]!.Resource)).toMatch(/raw\/events\/\*.*raw-errors\/\*/);
    const kinesisWrite = all.find((s) => actionsOf(s).includes("kinesis:PutRecords"))!;
    expect(json(kinesisWrite.Resource)).toMatch(/Fn::GetAtt.*Events.*Arn/);
  });

  it("outputs what `sluice init-target --from-stack` reads", () => {
    for (const key of [
      "Region",
      "AthenaWorkgroup",
      "AthenaResultsLocation",
      "LakeRoot",
      "RawRoot",
      "GlueDatabases",
      "BuildRoleArn",
    ])
      template.hasOutput(key, Match.anyValue());
  });
});
