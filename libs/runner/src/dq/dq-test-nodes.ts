import type { CompiledNode, CompiledProject, PassLayout } from "@sluice/compiler";
import { compileRule, compileRulesetPass, newDataScope } from "@sluice/dq";
import type { CompileRuleContext, DqLabel, DqRuleNode } from "@sluice/dq";
import type { Dialect, Relation } from "@sluice/dialects";
import { error, warning } from "@sluice/project/diagnostics";
import type { Diagnostic, Project } from "@sluice/project";
import { bindRulesets, findRelationNode } from "./bind-rulesets.js";
import type { BoundRuleset } from "./bind-rulesets.js";
import { shareUniqueScans } from "./unique-scan.js";
import { keysScope } from "@sluice/compiler/run-time";

export interface DqTestNodesOptions {
  project: Project;
  compiled: CompiledProject;
  dialect: Dialect;
  /** Injected clock (ISO 8601 UTC) for `now()`; default: the engine's clock at run time. */
  now?: string;
}

/**
 * One test node per top-level rule of every ruleset in the rule paths: id
 * `test.dq_<target>_rule_<n>` (n is 1-based), attached to the tested node, depending on it and on
 * every relation the rule reads, so `test` and `build` run it right after the model.
 *
 * Severity: the `severity` label (`labels=["severity"="warn"]`, or in `DefaultLabels`), else the
 * tested model's `dq_severity` config, else `error`. A rule the target cannot evaluate is a
 * DQDL_UNSUPPORTED diagnostic of the rule's severity: an error stops the command; a `warn` rule
 * still gets a node, whose result is ERROR (status warn), so it never passes silently.
 *
 * @example
 * dqTestNodes({ project, compiled, dialect }).nodes.map((n) => n.id);
 * // ["test.dq_events_rule_1", "test.dq_events_rule_2", "test.dq_raw_events_rule_1"]
 */
export function dqTestNodes(options: DqTestNodesOptions): {
  nodes: CompiledNode[];
  diagnostics: Diagnostic[];
} {
  const { bound, diagnostics } = bindRulesets(options.project, options.compiled);
  const taken = new Set(options.compiled.nodes.map((n) => n.id));
  const nodes: CompiledNode[] = [];
  for (const b of bound) {
    const made = b.ruleset.rules.map((rule, i) => {
      const node = ruleNode(b, rule, i + 1, options, taken, diagnostics);
      taken.add(node.id);
      return { node, rule };
    });
    attachPasses(b, made, options);
    shareUniqueScans(
      b.target,
      made,
      options.compiled.nodes,
      ruleContext(b.target, options, new Set()),
    );
    nodes.push(...made.map((m) => m.node));
  }
  return { nodes, diagnostics };
}

/**
 * One pass per ruleset and scope, as Glue Data Quality evaluates a ruleset over one frame: the
 * supported rules that read only the target share one query when the whole table is read
 * (`passes.all`); when the run wrote new data, those of one new-data scope share one on it
 * (`passes.newData`) and the others one on the whole table (`passes.wholeTable`). Each rule
 * node also gets its {@link newDataScope}.
 */
function attachPasses(
  b: BoundRuleset,
  made: readonly { node: CompiledNode; rule: DqRuleNode }[],
  options: DqTestNodesOptions,
): void {
  const members = made.filter(
    ({ node }) =>
      node.assertion?.kind === "dq_rule" &&
      node.assertion.unsupported === undefined &&
      node.dependsOn.length === 1,
  );
  for (const { node, rule } of made) {
    const scope = newDataScope(rule);
    if (scope?.kind === "keys")
      node.newData = keysScope(scope.columns, b.target.config.copies_share_partition);
    else if (scope) node.newData = scope;
  }
  const attach = (group: typeof members, layout: PassLayout): void => {
    if (group.length < 2) return;
    const pass = compileRulesetPass(
      group.map((m) => m.rule),
      ruleContext(b.target, options, new Set()),
    );
    if ("unsupported" in pass) return;
    group.forEach(({ node }, i) => {
      if (node.assertion?.kind !== "dq_rule") return;
      node.assertion.passes = {
        ...node.assertion.passes,
        [layout]: { index: i + 1, sql: pass.sql },
      };
    });
  };
  attach(members, "all");
  attach(
    members.filter((m) => !m.node.newData),
    "wholeTable",
  );
  const byScope = new Map<string, (typeof members)[number][]>();
  for (const m of members) {
    if (!m.node.newData) continue;
    const key = JSON.stringify(m.node.newData);
    byScope.set(key, [...(byScope.get(key) ?? []), m]);
  }
  for (const group of byScope.values()) attach(group, "newData");
}

/** What compiling a rule on `target` needs; `reads` collects the nodes its aliases name. */
function ruleContext(
  target: CompiledNode,
  options: DqTestNodesOptions,
  reads: Set<string>,
): CompileRuleContext {
  return {
    dialect: options.dialect,
    relation: target.relation,
    resolve: (alias: string): Relation | undefined => {
      const node = findRelationNode(options.compiled, alias);
      if (node) reads.add(node.id);
      return node?.relation;
    },
    ...(options.now ? { now: options.now } : {}),
  };
}

function ruleNode(
  b: BoundRuleset,
  rule: DqRuleNode,
  n: number,
  options: DqTestNodesOptions,
  taken: ReadonlySet<string>,
  diagnostics: Diagnostic[],
): CompiledNode {
  const target = b.target;
  const targetPart =
    target.kind === "source" ? target.id.slice("source.".length).replace(/\./g, "_") : target.name;
  let name = `dq_${targetPart}_rule_${n}`;
  for (let k = 2; taken.has(`test.${name}`); k++) name = `dq_${targetPart}_rule_${n}_${k}`;

  const reads = new Set<string>();
  const compiled = compileRule(rule, ruleContext(target, options, reads));
  const severity =
    ruleSeverity(rule, b, diagnostics) ??
    (target.config["dq_severity"] === "warn" ? "warn" : "error");
  const at = { file: b.file.path, line: rule.at.line, column: rule.at.column };
  const ruleName = `Rule_${n}`;
  const base = {
    id: `test.${name}`,
    kind: "test" as const,
    name,
    path: b.file.path,
    schema: target.schema,
    relation: { schema: target.relation.schema, name },
    materialization: "test" as const,
    partitionedBy: [],
    config: {},
    tags: ["dq"],
    description: `${ruleName} of ${b.file.path}: ${rule.text}`,
    columns: [],
    dependsOn: [target.id, ...[...reads].filter((id) => id !== target.id)],
    attachedTo: target.id,
    severity,
  };
  if ("unsupported" in compiled) {
    const make = severity === "warn" ? warning : error;
    diagnostics.push(
      make(
        "DQDL_UNSUPPORTED",
        `${ruleLabel(rule)} is not supported on this target: ${compiled.unsupported}`,
        at,
        severity === "warn"
          ? "the rule is reported as ERROR (warn) at run time"
          : 'remove it, or label it labels=["severity"="warn"] to run the rest',
      ),
    );
    return {
      ...base,
      sql: `-- DQDL_UNSUPPORTED: ${compiled.unsupported}`,
      statements: [],
      assertion: {
        kind: "dq_rule",
        ruleType: ruleLabel(rule),
        ruleText: rule.text,
        ruleName,
        unsupported: compiled.unsupported,
      },
    };
  }
  const grammar = options.dialect.queryGrammar;
  return {
    ...base,
    sql: compiled.sql,
    statements: [{ kind: "select", sql: compiled.sql, grammar }],
    assertion: {
      kind: "dq_rule",
      ruleType: ruleLabel(rule),
      ruleText: rule.text,
      ruleName,
      ...(compiled.failingRowsSql ? { failingRowsSql: compiled.failingRowsSql } : {}),
    },
  };
}

function ruleLabel(rule: DqRuleNode): string {
  return rule.kind === "composite" ? `composite (${rule.operator})` : rule.type;
}

/** The `severity` label of the rule, else of DefaultLabels; undefined when neither sets it. */
function ruleSeverity(
  rule: DqRuleNode,
  b: BoundRuleset,
  diagnostics: Diagnostic[],
): "error" | "warn" | undefined {
  const find = (labels: readonly DqLabel[]) =>
    labels.find((l) => l.key.toLowerCase() === "severity");
  const label = find(rule.labels) ?? find(b.ruleset.defaultLabels);
  if (!label) return undefined;
  const value = label.value.toLowerCase();
  if (value === "warn" || value === "warning") return "warn";
  if (value !== "error") {
    diagnostics.push(
      warning(
        "DQDL_TARGET",
        `severity label '${label.value}' is neither "warn" nor "error"; the rule fails the build`,
        { file: b.file.path, line: label.at.line, column: label.at.column },
        'use labels=["severity"="warn"]',
      ),
    );
  }
  return "error";
}
