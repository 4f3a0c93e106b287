export { bindRulesets, findRelationNode } from "./bind-rulesets.js";
export type { BoundRuleset } from "./bind-rulesets.js";
export { dqTestNodes } from "./dq-test-nodes.js";
export type { DqTestNodesOptions } from "./dq-test-nodes.js";
export { planRulesets } from "./plan-rulesets.js";
