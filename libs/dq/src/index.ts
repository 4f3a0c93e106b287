export type * from "./ast.js";
export { parseDqdl, type ParseDqdlResult } from "./parser.js";
export { rulesetToJson, ruleToJson, type Json } from "./to-json.js";
export { rulesetTarget, type RulesetTarget } from "./target.js";
export { ruleTypes, ruleTypeSpec, type DqRuleTypeSpec } from "./catalogue.js";
export { compileRule, compileUniqueScan } from "./sql/compile-rule.js";
export { compileRulesetPass, type CompiledPass } from "./sql/compile-pass.js";
export type { CompileRuleContext, CompiledRule } from "./sql/context.js";
export { newDataScope, type RuleNewDataScope } from "./sql/new-data-scope.js";
