import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import type { StageSettings } from "./stage-settings.js";

/** S3 prefixes the stack's parts agree on (the raw one is what the raw source reads). */
export const prefixes = {
  /** Firehose writes `raw/events/YYYY/MM/DD/HH/` (UTC arrival hour): models/sources/raw.yml. */
  rawEvents: "raw/events/",
  /** Records Firehose could not deliver, by error type and hour. */
  rawErrors: "raw-errors/",
  /** Athena query results (the workgroup's enforced output location). */
  queryResults: "queries/",
} as const;

/**
 * The buckets: the raw zone (the target's `s3_raw_root`: Firehose writes `raw/events/` and
 * `raw-errors/`, tiered to colder storage then expired), the lake (the target's `s3_lake_root`:
 * silver/marts/seeds under their schemas), Athena's results (expiring), and the access-log bucket
 * the others log to. Raw apart from the lake, as the seed draws it: its own lifecycle, and the
 * build role can be given read on one bucket and write on the other. All are encrypted (SSE-S3),
 * block public access, refuse non-TLS requests, and are kept on stack deletion unless the stage
 * is disposable.
 */
export class LakeBuckets extends Construct {
  readonly raw: s3.Bucket;
  readonly lake: s3.Bucket;
  readonly results: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, settings: StageSettings) {
    super(scope, id);
    const removal = settings.destroyData ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const common = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: removal,
      autoDeleteObjects: settings.destroyData,
    };
    this.accessLogs = new s3.Bucket(this, "AccessLogs", {
      ...common,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: "expire-access-logs", expiration: Duration.days(365) }],
    });
    NagSuppressions.addResourceSuppressions(this.accessLogs, [
      {
        id: "AwsSolutions-S1",
        reason: "This is the access-log bucket; logging it into itself would loop.",
      },
    ]);
    const abortUploads = {
      id: "abort-incomplete-uploads",
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    };
    this.raw = new s3.Bucket(this, "Raw", {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: "raw/",
      lifecycleRules: [
        {
          id: "raw-zone-tiers",
          prefix: "raw/",
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(settings.rawInfrequentAccessDays),
            },
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(settings.rawGlacierDays),
            },
            {
              // Athena skips Deep Archive objects: by then silver holds the events.
              storageClass: s3.StorageClass.DEEP_ARCHIVE,
              transitionAfter: Duration.days(settings.rawDeepArchiveDays),
            },
          ],
          expiration: Duration.days(settings.rawExpirationDays),
        },
        {
          id: "raw-errors-expire",
          prefix: prefixes.rawErrors,
          expiration: Duration.days(settings.rawExpirationDays),
        },
        abortUploads,
      ],
    });
    this.lake = new s3.Bucket(this, "Lake", {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: "lake/",
      lifecycleRules: [abortUploads],
    });
    this.results = new s3.Bucket(this, "AthenaResults", {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: "athena-results/",
      lifecycleRules: [
        {
          id: "expire-query-results",
          expiration: Duration.days(settings.resultsExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }
}
