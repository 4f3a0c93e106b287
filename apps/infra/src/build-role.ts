import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import { prefixes } from "./lake-buckets.js";
import type { ProjectFacts } from "./project-facts.js";
import type { StageSettings } from "./stage-settings.js";

/** What the build role may touch. */
export interface BuildRoleProps {
  settings: StageSettings;
  facts: ProjectFacts;
  /** Read only: the raw zone. */
  raw: s3.IBucket;
  /** Read and write on the schemas' prefixes. */
  lake: s3.IBucket;
  results: s3.IBucket;
  workgroupName: string;
}

/**
 * The role `sluice build` runs as (CI assumes it): Athena in the stack's workgroup only; Glue on
 * the catalog, the project's databases and their tables only (tables, partitions, DQ rulesets);
 * S3 read on the raw zone's bucket (list, and get under `raw/events/`) and read/write on the
 * schemas' prefixes of the lake bucket and on the query results prefix, nothing else.
 */
export class BuildRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BuildRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { facts, raw, lake, results } = props;
    const trusted = props.settings.buildRoleTrustedArns;
    this.role = new iam.Role(this, "Role", {
      roleName: `sluice-${props.settings.stage}-build`,
      description:
        "sluice build: Athena in its workgroup, Glue on its databases, S3 on its prefixes",
      assumedBy:
        trusted.length > 0
          ? new iam.CompositePrincipal(...trusted.map((arn) => new iam.ArnPrincipal(arn)))
          : new iam.AccountRootPrincipal(),
    });
    const glueArn = (resource: string, name?: string) =>
      stack.formatArn({ service: "glue", resource, ...(name ? { resourceName: name } : {}) });
    const databases = Object.values(facts.databases);
    const schemas = Object.keys(facts.databases).filter((s) => s !== "raw");
    const statements = [
      new iam.PolicyStatement({
        sid: "AthenaInWorkgroup",
        actions: [
          "athena:StartQueryExecution",
          "athena:GetQueryExecution",
          "athena:BatchGetQueryExecution",
          "athena:GetQueryResults",
          "athena:StopQueryExecution",
          "athena:GetWorkGroup",
        ],
        resources: [
          stack.formatArn({
            service: "athena",
            resource: "workgroup",
            resourceName: props.workgroupName,
          }),
        ],
      }),
      new iam.PolicyStatement({
        sid: "GlueOnProjectDatabases",
        actions: [
          "glue:GetDatabase",
          "glue:GetDatabases",
          "glue:CreateDatabase",
          "glue:GetTable",
          "glue:GetTables",
          "glue:CreateTable",
          "glue:UpdateTable",
          "glue:DeleteTable",
          "glue:BatchDeleteTable",
          "glue:GetPartition",
          "glue:GetPartitions",
          "glue:CreatePartition",
          "glue:BatchCreatePartition",
          "glue:BatchGetPartition",
          "glue:BatchUpdatePartition",
          "glue:BatchDeletePartition",
        ],
        resources: [
          glueArn("catalog"),
          ...databases.map((d) => glueArn("database", d)),
          ...databases.map((d) => glueArn("table", `${d}/*`)),
        ],
      }),
      new iam.PolicyStatement({
        sid: "GlueDataQualityRulesets",
        actions: [
          "glue:GetDataQualityRuleset",
          "glue:CreateDataQualityRuleset",
          "glue:UpdateDataQualityRuleset",
        ],
        resources: [glueArn("dataQualityRuleset", `${facts.projectName}_*`)],
      }),
      new iam.PolicyStatement({
        sid: "ListRawLakeAndResults",
        actions: ["s3:ListBucket", "s3:GetBucketLocation"],
        resources: [raw.bucketArn, lake.bucketArn, results.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: "ReadRawZone",
        actions: ["s3:GetObject"],
        resources: [raw.arnForObjects(`${prefixes.rawEvents}*`)],
      }),
      new iam.PolicyStatement({
        sid: "WriteSchemasAndResults",
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        resources: [
          ...schemas.map((s) => lake.arnForObjects(`${s}/*`)),
          results.arnForObjects(`${prefixes.queryResults}*`),
        ],
      }),
    ];
    const policy = new iam.Policy(this, "Policy", { statements });
    policy.attachToRole(this.role);
    NagSuppressions.addResourceSuppressions(policy, [
      {
        id: "AwsSolutions-IAM5",
        reason:
          "Wildcards only below this project's own names: its databases' tables, its DQ rulesets (<project>_*), and its raw-events prefix (read only) and its schema and results prefixes; sluice creates table versions and result objects whose names are only known at run time.",
        appliesTo: [
          { regex: "/^Resource::arn:.*:glue:.*:table/.*/\\*$/g" },
          { regex: "/^Resource::arn:.*:glue:.*:dataQualityRuleset/.*_\\*$/g" },
          { regex: "/^Resource::<.*(Raw|Lake|AthenaResults).*\\.Arn>/.*\\*$/g" },
        ],
      },
    ]);
  }
}
