import { Stack } from "aws-cdk-lib";
import * as athena from "aws-cdk-lib/aws-athena";
import * as glue from "aws-cdk-lib/aws-glue";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { prefixes } from "./lake-buckets.js";
import { rawTableInput, type ProjectFacts } from "./project-facts.js";
import type { StageSettings } from "./stage-settings.js";

/** What the catalog needs from the rest of the stack. */
export interface CatalogProps {
  settings: StageSettings;
  facts: ProjectFacts;
  /** The raw zone's bucket: the raw table's location is under it. */
  raw: s3.IBucket;
  lake: s3.IBucket;
  results: s3.IBucket;
}

/**
 * Glue databases (one per schema of the project), the raw table exactly as `sluice sources
 * register` creates it (partition projection on `dt`), the Glue Data Quality rulesets `sluice dq
 * publish` would create from `rules/*.dqdl`, and the Athena workgroup with its configuration
 * enforced (result location, SSE-S3, engine v3, a per-query bytes-scanned cutoff).
 */
export class Catalog extends Construct {
  readonly workgroup: athena.CfnWorkGroup;
  readonly resultsLocation: string;
  readonly lakeRoot: string;
  /** `s3://<raw bucket>`: the target's `s3_raw_root`. */
  readonly rawRoot: string;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const { facts, settings } = props;
    const account = Stack.of(this).account;
    this.lakeRoot = `s3://${props.lake.bucketName}`;
    this.rawRoot = `s3://${props.raw.bucketName}`;
    const databases = new Map<string, glue.CfnDatabase>();
    for (const [schema, name] of Object.entries(facts.databases)) {
      databases.set(
        name,
        new glue.CfnDatabase(this, `Database-${schema}`, {
          catalogId: account,
          databaseInput: { name, description: `sluice ${facts.projectName}: ${schema} schema` },
        }),
      );
    }
    const raw = new glue.CfnTable(this, "RawTable", {
      catalogId: account,
      databaseName: facts.raw.database,
      tableInput: rawTableInput(facts, this.rawRoot),
    });
    const rawDb = databases.get(facts.raw.database);
    if (rawDb) raw.node.addDependency(rawDb);
    for (const r of facts.rulesets) {
      const ruleset = new glue.CfnDataQualityRuleset(this, `Ruleset-${r.name}`, {
        name: r.name,
        description: r.description,
        ruleset: r.ruleset,
        targetTable: { databaseName: r.database, tableName: r.table },
      });
      const db = databases.get(r.database);
      if (db) ruleset.node.addDependency(db);
      if (r.database === facts.raw.database && r.table === facts.raw.table)
        ruleset.node.addDependency(raw);
    }
    this.resultsLocation = `s3://${props.results.bucketName}/${prefixes.queryResults}`;
    this.workgroup = new athena.CfnWorkGroup(this, "Workgroup", {
      name: `sluice-${settings.stage}`,
      description: `sluice ${facts.projectName} (${settings.stage}): builds and queries`,
      state: "ENABLED",
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: settings.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: this.resultsLocation,
          encryptionConfiguration: { encryptionOption: "SSE_S3" },
        },
      },
    });
  }
}
