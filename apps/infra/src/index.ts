export { SeedStack, type SeedStackProps } from "./seed-stack.js";
export {
  projectFacts,
  databaseName,
  type ProjectFacts,
  type RulesetFacts,
} from "./project-facts.js";
export { stageSettings, defaultStageSettings, type StageSettings } from "./stage-settings.js";
export { bundleGeneratorLambda } from "./lambda-bundle.js";
export {
  targetFromStackOutputs,
  targetOutputKeys,
  targetYaml,
  type StackTarget,
} from "./stack-outputs.js";
