// The CDK app (`cdk synth|deploy|destroy -c stage=<name>` from apps/infra, see README.md).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { App, Aspects } from "aws-cdk-lib";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { AwsSolutionsChecks } from "cdk-nag";
import { bundleGeneratorLambda } from "./lambda-bundle.js";
import { projectFacts } from "./project-facts.js";
import { SeedStack } from "./seed-stack.js";
import { stageSettings, type StageSettings } from "./stage-settings.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const app = new App();
const context = (key: string) => app.node.tryGetContext(key) as unknown;
const input: Partial<StageSettings> & { stage: string } = {
  ...((context("settings") as Partial<StageSettings> | undefined) ?? {}),
  stage: String(context("stage") ?? "dev"),
};
for (const key of ["destroyData"] as const)
  if (context(key) !== undefined) input[key] = String(context(key)) === "true";
const checked = stageSettings(input);
if (!checked.ok) {
  for (const e of checked.errors) console.error(`error: ${e}`);
  process.exit(2);
}
const modelsDir = path.resolve(String(context("models") ?? path.join(here, "../../../models")));
const facts = await projectFacts(modelsDir, checked.settings.stage);
const errors = facts.diagnostics.filter((d) => d.severity === "error");
if (errors.length > 0) {
  for (const d of errors)
    console.error(`error: ${d.at ? `${d.at.file}:${d.at.line}: ` : ""}${d.message}`);
  process.exit(2);
}
const code = lambda.Code.fromAsset(
  await bundleGeneratorLambda(path.join(here, "../cdk.out.lambda")),
);
new SeedStack(app, `sluice-${checked.settings.stage}`, {
  settings: checked.settings,
  facts,
  generatorCode: code,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
