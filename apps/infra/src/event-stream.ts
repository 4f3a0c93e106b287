import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kinesis from "aws-cdk-lib/aws-kinesis";
import * as firehose from "aws-cdk-lib/aws-kinesisfirehose";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import { eventTypePartitioning } from "@sluice/generator/partitioning";
import { prefixes } from "./lake-buckets.js";
import type { StageSettings } from "./stage-settings.js";

/** What the event path needs from the rest of the stack. */
export interface EventStreamProps {
  settings: StageSettings;
  /** The raw zone's bucket. */
  raw: s3.IBucket;
  /** The generator Lambda's code (a bundle of `@sluice/generator`'s `lambda.handler`). */
  generatorCode: lambda.Code;
  /**
   * The event types the raw source declares when it reads the zone by event type
   * (`partitioning: firehose_event_type_hourly`); undefined when it reads the hourly layout.
   * Synth warns when this and `partitionRawByEventType` disagree: the source would read nothing.
   */
  rawEventTypes?: readonly string[];
}

/**
 * The seed's event path: the generator Lambda on an EventBridge schedule → a Kinesis data stream
 * (on-demand, KMS-encrypted; partition key = session id) → a Firehose delivery
 * stream that writes GZIP objects to `raw/events/YYYY/MM/DD/HH/` (UTC arrival hour, the layout
 * the raw source reads) and failed records to `raw-errors/`, with CloudWatch logging. Each role
 * is allowed only its own actions on these resources. With `partitionRawByEventType`, Firehose
 * partitions dynamically: jq extracts `.event_type` and objects go to
 * `raw/events/event_type=<t>/YYYY/MM/DD/HH/` (as `sluice firehose-local --partition-by-event-type`).
 */
export class EventStream extends Construct {
  readonly stream: kinesis.Stream;
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly generator: lambda.Function;

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    const { settings, raw } = props;
    const name = `sluice-${settings.stage}`;
    this.stream = new kinesis.Stream(this, "Events", {
      streamName: `${name}-events`,
      streamMode: kinesis.StreamMode.ON_DEMAND,
      // The AWS managed key (aws/kinesis): readers and writers in the account need no key grants.
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
    });

    // --- the generator Lambda and its schedule
    const generatorLogs = new logs.LogGroup(this, "GeneratorLogs", {
      logGroupName: `/aws/lambda/${name}-generator`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const generatorRole = new iam.Role(this, "GeneratorRole", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `${name}: the generator Lambda (PutRecords to the event stream, its own logs)`,
    });
    generatorRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ["kinesis:PutRecords", "kinesis:PutRecord", "kinesis:DescribeStreamSummary"],
        resources: [this.stream.streamArn],
      }),
    );
    generatorRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`${generatorLogs.logGroupArn}:*`],
      }),
    );
    this.generator = new lambda.Function(this, "Generator", {
      functionName: `${name}-generator`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: "index.handler",
      code: props.generatorCode,
      memorySize: 1024,
      timeout: Duration.minutes(5),
      role: generatorRole,
      logGroup: generatorLogs,
      environment: {
        SLUICE_KINESIS_STREAM: this.stream.streamName,
        SLUICE_EVENTS: String(settings.generatorEventsPerHour * settings.generatorEveryHours),
        SLUICE_WINDOW_HOURS: String(settings.generatorEveryHours),
        SLUICE_SEED: "1",
      },
    });
    new events.Rule(this, "Schedule", {
      ruleName: `${name}-generator-schedule`,
      description: "Sends the last window of simulated shop traffic to the event stream",
      schedule: events.Schedule.rate(Duration.hours(settings.generatorEveryHours)),
      targets: [new targets.LambdaFunction(this.generator, { retryAttempts: 2 })],
    });

    // --- Firehose: stream → raw zone
    const deliveryLogs = new logs.LogGroup(this, "DeliveryLogs", {
      logGroupName: `/aws/kinesisfirehose/${name}-raw`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const deliveryLogStream = deliveryLogs.addStream("S3Delivery", {
      logStreamName: "S3Delivery",
    });
    const deliveryRole = new iam.Role(this, "DeliveryRole", {
      assumedBy: new iam.ServicePrincipal("firehose.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
      description: `${name}: Firehose reads the event stream and writes the raw zone`,
    });
    const policy = new iam.Policy(this, "DeliveryPolicy", {
      statements: [
        new iam.PolicyStatement({
          actions: [
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetShardIterator",
            "kinesis:GetRecords",
            "kinesis:ListShards",
          ],
          resources: [this.stream.streamArn],
        }),
        new iam.PolicyStatement({
          actions: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
          resources: [raw.bucketArn],
        }),
        new iam.PolicyStatement({
          actions: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"],
          resources: [
            raw.arnForObjects(`${prefixes.rawEvents}*`),
            raw.arnForObjects(`${prefixes.rawErrors}*`),
          ],
        }),
        new iam.PolicyStatement({
          actions: ["logs:PutLogEvents"],
          resources: [
            Stack.of(this).formatArn({
              service: "logs",
              resource: "log-group",
              resourceName: `${deliveryLogs.logGroupName}:log-stream:${deliveryLogStream.logStreamName}`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    });
    policy.attachToRole(deliveryRole);
    this.deliveryStream = new firehose.CfnDeliveryStream(this, "RawDelivery", {
      deliveryStreamName: `${name}-raw`,
      deliveryStreamType: "KinesisStreamAsSource",
      kinesisStreamSourceConfiguration: {
        kinesisStreamArn: this.stream.streamArn,
        roleArn: deliveryRole.roleArn,
      },
      extendedS3DestinationConfiguration: {
        bucketArn: raw.bucketArn,
        roleArn: deliveryRole.roleArn,
        // Firehose's timestamp namespace is the arrival time in UTC: the raw source's `dt`.
        prefix: settings.partitionRawByEventType
          ? `${eventTypePartitioning.prefix("!{partitionKeyFromQuery:event_type}")}!{timestamp:yyyy/MM/dd/HH}/`
          : `${prefixes.rawEvents}!{timestamp:yyyy/MM/dd/HH}/`,
        ...(settings.partitionRawByEventType ? eventTypePartitioningConfig() : {}),
        errorOutputPrefix: `${prefixes.rawErrors}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/`,
        compressionFormat: "GZIP",
        bufferingHints: {
          sizeInMBs: settings.firehoseBufferMiB,
          intervalInSeconds: settings.firehoseBufferSeconds,
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: deliveryLogs.logGroupName,
          logStreamName: deliveryLogStream.logStreamName,
        },
      },
    });
    // The role's policy must exist before Firehose checks it can read the stream.
    this.deliveryStream.node.addDependency(policy);
    if (settings.partitionRawByEventType && props.rawEventTypes === undefined)
      Annotations.of(this.deliveryStream).addWarningV2(
        "sluice:raw-layout",
        "partitionRawByEventType: the raw zone is written under raw/events/event_type=<t>/YYYY/MM/DD/HH/, but the raw source (models/sources/raw.yml) reads partitioning: firehose_hourly; sluice build would see no raw data. Declare partitioning: firehose_event_type_hourly with its event_types, or turn partitionRawByEventType off",
      );
    if (!settings.partitionRawByEventType && props.rawEventTypes !== undefined)
      Annotations.of(this.deliveryStream).addWarningV2(
        "sluice:raw-layout",
        "the raw source (models/sources/raw.yml) reads partitioning: firehose_event_type_hourly, but this stage's Firehose writes the hourly layout raw/events/YYYY/MM/DD/HH/; sluice build would see no raw data. Set partitionRawByEventType, or declare partitioning: firehose_hourly",
      );

    NagSuppressions.addResourceSuppressions(this.deliveryStream, [
      {
        id: "AwsSolutions-KDF1",
        reason:
          "Firehose server-side encryption cannot be set on a delivery stream whose source is a Kinesis stream; the stream is KMS-encrypted and the bucket encrypts every object.",
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      [generatorRole, policy],
      [
        {
          id: "AwsSolutions-IAM5",
          reason:
            "Scoped to this stack's log group streams and to the raw zone's two prefixes of the raw bucket; object and log-stream names are only known at run time.",
          appliesTo: [
            { regex: "/^Resource::<.*Logs.*\\.Arn>:\\*$/g" },
            { regex: "/^Resource::<.*Raw.*\\.Arn>/raw(-errors)?/(events/)?\\*$/g" },
          ],
        },
      ],
      true,
    );
  }
}

/**
 * Firehose dynamic partitioning by `event_type` (CloudFormation spelling): inline jq parsing of
 * each record (records are whole JSON lines, already newline-terminated: no delimiter added).
 */
function eventTypePartitioningConfig() {
  return {
    dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
    processingConfiguration: {
      enabled: true,
      processors: [
        {
          type: "MetadataExtraction",
          parameters: [
            {
              parameterName: "MetadataExtractionQuery",
              parameterValue: eventTypePartitioning.query,
            },
            { parameterName: "JsonParsingEngine", parameterValue: "JQ-1.6" },
          ],
        },
      ],
    },
  };
}
