import { App, Stack } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as s3 from "aws-cdk-lib/aws-s3";
import { eventTypePartitioning } from "@sluice/generator/partitioning";
import { describe, expect, it } from "vitest";
import { EventStream } from "../src/event-stream.js";
import { stageSettings } from "../src/stage-settings.js";

/** The event path alone (no Lambda bundle, no catalog): a synth of a few hundred ms. */
function eventPath(partitionRawByEventType: boolean, rawEventTypes?: string[]) {
  const checked = stageSettings({ stage: "test", partitionRawByEventType });
  if (!checked.ok) throw new Error(checked.errors.join("; "));
  const stack = new Stack(new App(), "path", {
    env: { account: "123456789012", region: "eu-west-1" },
  });
  new EventStream(stack, "EventPath", {
    settings: checked.settings,
    raw: new s3.Bucket(stack, "Raw"),
    generatorCode: lambda.Code.fromInline("exports.handler = async () => {}"),
    ...(rawEventTypes ? { rawEventTypes } : {}),
  });
  return { stack, template: Template.fromStack(stack) };
}

type Destination = { Prefix: string; ErrorOutputPrefix: string; [k: string]: unknown };
const destination = (template: Template) =>
  (
    Object.values(template.findResources("AWS::KinesisFirehose::DeliveryStream"))[0] as {
      Properties: { ExtendedS3DestinationConfiguration: Destination };
    }
  ).Properties.ExtendedS3DestinationConfiguration;

// The first synth loads aws-cdk-lib: tens of seconds on a loaded shared machine.
describe("partitionRawByEventType (Firehose dynamic partitioning)", { timeout: 120_000 }, () => {
  it("extracts .event_type with jq and writes the local endpoint's layout, failures apart", () => {
    const { stack, template } = eventPath(true);
    const d = destination(template);
    expect(d).toMatchObject({
      DynamicPartitioningConfiguration: { Enabled: true },
      ProcessingConfiguration: {
        Enabled: true,
        Processors: [
          {
            Type: "MetadataExtraction",
            Parameters: expect.arrayContaining([
              {
                ParameterName: "MetadataExtractionQuery",
                ParameterValue: "{event_type: .event_type}",
              },
              { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" },
            ]),
          },
        ],
      },
    });
    // No AppendDelimiterToRecord: the generator's records already end in a newline.
    expect(JSON.stringify(d)).not.toContain("AppendDelimiterToRecord");
    // What Firehose makes of the prefixes is where `firehose-local --partition-by-event-type`
    // writes (the hour folders follow).
    const evaluated = d.Prefix.replace("!{partitionKeyFromQuery:event_type}", "page_view");
    expect(evaluated).toBe(
      `${eventTypePartitioning.prefix("page_view")}!{timestamp:yyyy/MM/dd/HH}/`,
    );
    const failed = d.ErrorOutputPrefix.replace(
      "!{firehose:error-output-type}",
      "partitioning-failed",
    );
    expect(failed).toBe(`${eventTypePartitioning.errorPrefix}!{timestamp:yyyy/MM/dd/HH}/`);
    // Firehose requires 64 MiB or more of buffer with dynamic partitioning.
    expect(d.BufferingHints).toMatchObject({ SizeInMBs: 64 });
    // The raw source declared here reads the hourly layout: synth says it would read nothing.
    const warnings = Annotations.fromStack(stack).findWarning(
      "*",
      Match.stringLikeRegexp("partitionRawByEventType"),
    );
    expect(warnings).toHaveLength(1);
  });

  it("is off by default: the hourly layout the raw source reads, no warning", () => {
    const { stack, template } = eventPath(false);
    const d = destination(template);
    expect(d.Prefix).toBe("raw/events/!{timestamp:yyyy/MM/dd/HH}/");
    expect(d).not.toHaveProperty("DynamicPartitioningConfiguration");
    expect(d).not.toHaveProperty("ProcessingConfiguration");
    expect(Annotations.fromStack(stack).findWarning("*", Match.anyValue())).toHaveLength(0);
  });

  it("warns on no layout mismatch when the raw source reads by event type, and on the reverse one", () => {
    const types = ["product_view", "add_to_cart", "checkout_started", "order_paid"];
    const matched = eventPath(true, types);
    expect(Annotations.fromStack(matched.stack).findWarning("*", Match.anyValue())).toHaveLength(0);
    const reverse = eventPath(false, types);
    expect(
      Annotations.fromStack(reverse.stack).findWarning(
        "*",
        Match.stringLikeRegexp("firehose_event_type_hourly"),
      ),
    ).toHaveLength(1);
  });
});
