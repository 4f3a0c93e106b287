import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import { BuildRole } from "./build-role.js";
import { Catalog } from "./catalog.js";
import { EventStream } from "./event-stream.js";
import { LakeBuckets } from "./lake-buckets.js";
import type { ProjectFacts } from "./project-facts.js";
import { targetOutputKeys } from "./stack-outputs.js";
import type { StageSettings } from "./stage-settings.js";

/** What one deployment of the seed's stack is made of. */
export interface SeedStackProps extends StackProps {
  settings: StageSettings;
  facts: ProjectFacts;
  generatorCode: lambda.Code;
}

/**
 * The seed's architecture for one stage: buckets, the Lambda → Kinesis → Firehose path into the
 * raw zone, the Glue catalog, DQ rulesets and Athena workgroup, and the `sluice build` role;
 * its outputs are what `sluice init-target --from-stack` turns into a target.
 *
 * @example
 * new SeedStack(app, "sluice-prod", { settings, facts, generatorCode: lambda.Code.fromAsset(dir) });
 */
export class SeedStack extends Stack {
  constructor(scope: Construct, id: string, props: SeedStackProps) {
    super(scope, id, props);
    const { settings, facts } = props;
    const buckets = new LakeBuckets(this, "Buckets", settings);
    const path = new EventStream(this, "EventPath", {
      settings,
      raw: buckets.raw,
      generatorCode: props.generatorCode,
      ...(facts.raw.eventTypes ? { rawEventTypes: facts.raw.eventTypes } : {}),
    });
    const catalog = new Catalog(this, "Catalog", {
      settings,
      facts,
      raw: buckets.raw,
      lake: buckets.lake,
      results: buckets.results,
    });
    const build = new BuildRole(this, "Build", {
      settings,
      facts,
      raw: buckets.raw,
      lake: buckets.lake,
      results: buckets.results,
      workgroupName: catalog.workgroup.name,
    });
    const out = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    out(targetOutputKeys.region, this.region, "AWS region of the stack");
    out(
      targetOutputKeys.workgroup,
      catalog.workgroup.name,
      "Athena workgroup (configuration enforced)",
    );
    out(
      targetOutputKeys.resultsLocation,
      catalog.resultsLocation,
      "Athena query results (s3_staging_dir)",
    );
    out(
      targetOutputKeys.lakeRoot,
      catalog.lakeRoot,
      "Lake root (s3_lake_root): silver, marts and seeds under their schemas",
    );
    out(
      targetOutputKeys.rawRoot,
      catalog.rawRoot,
      "Raw zone's bucket (s3_raw_root): Firehose writes raw/events/ there",
    );
    out(
      targetOutputKeys.databases,
      JSON.stringify(facts.databases),
      "Glue database of each schema",
    );
    out(targetOutputKeys.buildRoleArn, build.role.roleArn, "Role CI assumes to run sluice build");
    out(targetOutputKeys.stream, path.stream.streamName, "Kinesis data stream the generator feeds");
    out(
      targetOutputKeys.deliveryStream,
      path.deliveryStream.ref,
      "Firehose delivery stream into raw/events/",
    );
  }
}
