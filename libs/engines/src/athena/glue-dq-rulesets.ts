import type * as GlueSdk from "@aws-sdk/client-glue";
import type { GlueClient } from "@aws-sdk/client-glue";
import type { AthenaTarget } from "@sluice/project";
import { awsClientConfig } from "./athena-clients.js";

// Imported on first use: `sluice build` loads the runner and must not pay for the Glue SDK.
type GlueModule = typeof GlueSdk;

/** One Glue Data Quality ruleset as sluice wants it to be. */
export interface RulesetToPublish {
  name: string;
  /** The DQDL text (LF line endings, one final newline). */
  ruleset: string;
  description: string;
  targetTable: { DatabaseName: string; TableName: string };
}

export type PublishAction = "created" | "updated" | "unchanged" | "conflict";

export interface PublishChange {
  name: string;
  /** `database.table` */
  table: string;
  action: PublishAction;
  /** Why a conflict was left alone. */
  message?: string;
}

/**
 * Create or update each ruleset in Glue Data Quality, idempotently: GetDataQualityRuleset decides
 * (EntityNotFoundException → CreateDataQualityRuleset; different text or description →
 * UpdateDataQualityRuleset; else nothing). A ruleset of that name bound to another table is a
 * `conflict` and is not touched (Glue cannot move a ruleset to another table).
 *
 * @example
 * await publishRulesets(new GlueClient({ region: "eu-west-1" }), [{ name: "ecommerce_silver_events", ruleset: "Rules = [ RowCount > 0 ]\n", description: "...", targetTable: { DatabaseName: "ecommerce_silver", TableName: "events" } }]);
 * // [{ name: "ecommerce_silver_events", table: "ecommerce_silver.events", action: "created" }]
 */
export async function publishRulesets(
  client: Pick<GlueClient, "send">,
  rulesets: readonly RulesetToPublish[],
): Promise<PublishChange[]> {
  const glue = await import("@aws-sdk/client-glue");
  const changes: PublishChange[] = [];
  for (const r of rulesets) changes.push(await publishOne(glue, client, r));
  return changes;
}

async function publishOne(
  glue: GlueModule,
  client: Pick<GlueClient, "send">,
  r: RulesetToPublish,
): Promise<PublishChange> {
  const table = `${r.targetTable.DatabaseName}.${r.targetTable.TableName}`;
  const change = (action: PublishAction, message?: string): PublishChange => ({
    name: r.name,
    table,
    action,
    ...(message ? { message } : {}),
  });
  const existing = await getRuleset(glue, client, r.name);
  if (!existing) {
    try {
      await client.send(
        new glue.CreateDataQualityRulesetCommand({
          Name: r.name,
          Ruleset: r.ruleset,
          Description: r.description,
          TargetTable: r.targetTable,
        }),
      );
      return change("created");
    } catch (err) {
      // Someone created it between our Get and Create: fall through to the comparison.
      if (errorName(err) !== "AlreadyExistsException") throw err;
    }
  }
  const current = existing ?? (await getRuleset(glue, client, r.name));
  if (!current)
    throw new Error(
      `Glue ruleset ${r.name} exists and does not: AlreadyExistsException after EntityNotFoundException`,
    );
  const t = current.TargetTable;
  if (
    t &&
    (t.DatabaseName !== r.targetTable.DatabaseName || t.TableName !== r.targetTable.TableName)
  ) {
    return change(
      "conflict",
      `ruleset ${r.name} already targets ${t.DatabaseName}.${t.TableName}; delete or rename it`,
    );
  }
  if (
    normalize(current.Ruleset ?? "") === normalize(r.ruleset) &&
    (current.Description ?? "") === r.description
  )
    return change("unchanged");
  await client.send(
    new glue.UpdateDataQualityRulesetCommand({
      Name: r.name,
      Ruleset: r.ruleset,
      Description: r.description,
    }),
  );
  return change("updated");
}

async function getRuleset(glue: GlueModule, client: Pick<GlueClient, "send">, name: string) {
  try {
    return await client.send(new glue.GetDataQualityRulesetCommand({ Name: name }));
  } catch (err) {
    if (errorName(err) === "EntityNotFoundException") return undefined;
    throw err;
  }
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** Glue may store the text with other line endings or trailing space; compare content only. */
function normalize(text: string): string {
  return text.replace(/\r\n?/g, "\n").trim();
}

/**
 * {@link publishRulesets} to the Glue Data Quality of a target (its region, endpoint, profile),
 * with a client made and destroyed for the call.
 */
export async function publishRulesetsToTarget(
  target: AthenaTarget,
  rulesets: readonly RulesetToPublish[],
): Promise<PublishChange[]> {
  const { GlueClient } = await import("@aws-sdk/client-glue");
  const client = new GlueClient(awsClientConfig(target));
  try {
    return await publishRulesets(client, rulesets);
  } finally {
    client.destroy();
  }
}
