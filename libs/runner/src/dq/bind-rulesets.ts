import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import { parseDqdl, rulesetTarget } from "@sluice/dq";
import type { DqRuleset } from "@sluice/dq";
import { error } from "@sluice/project/diagnostics";
import { closest } from "@sluice/project/suggest";
import type { Diagnostic, Project, RuleFile } from "@sluice/project";

/** A parsed ruleset file and the compiled model, seed or source it tests. */
export interface BoundRuleset {
  file: RuleFile;
  ruleset: DqRuleset;
  target: CompiledNode;
}

/**
 * Resolve a name used in DQDL (DataSources Primary/alias, ReferentialIntegrity's `alias.col`):
 * a model or seed name (`events`), or a source table (`raw.events`).
 */
export function findRelationNode(
  compiled: CompiledProject,
  name: string,
): CompiledNode | undefined {
  return compiled.nodes.find(
    (n) =>
      (n.kind === "source" && n.id === `source.${name}`) ||
      ((n.kind === "model" || n.kind === "seed") && n.name === name),
  );
}

/**
 * Parse every `rules/*.dqdl` file of the project and tie it to the node it tests
 * (`DataSources.Primary`, else the file name). DQDL_SYNTAX and DQDL_TARGET are diagnostics.
 *
 * @example
 * bindRulesets(project, compiled).bound[0]; // { file: { path: "rules/events.dqdl", ... }, target: { id: "model.events", ... } }
 */
export function bindRulesets(
  project: Project,
  compiled: CompiledProject,
): { bound: BoundRuleset[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const bound: BoundRuleset[] = [];
  const names = compiled.nodes
    .filter((n) => n.kind === "model" || n.kind === "seed" || n.kind === "source")
    .map((n) => (n.kind === "source" ? n.id.slice("source.".length) : n.name));
  for (const file of project.rules) {
    const parsed = parseDqdl(file.text, file.path);
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.ruleset) continue;
    const target = rulesetTarget(parsed.ruleset, file.path);
    const at = target?.at ?? { file: file.path, line: 1, column: 1 };
    if (!target) {
      diagnostics.push(
        error(
          "DQDL_TARGET",
          "the ruleset names no model or source",
          at,
          'add DataSources = { "Primary": "<model>" }',
        ),
      );
      continue;
    }
    const node = findRelationNode(compiled, target.name);
    if (!node) {
      const near = closest(target.name, names);
      const how = target.via === "DataSources" ? "DataSources Primary" : "the file name";
      diagnostics.push(
        error(
          "DQDL_TARGET",
          `${how} names '${target.name}', which is no model, seed or source table`,
          at,
          near
            ? `did you mean '${near}'?`
            : 'name a model (events) or a source table (raw.events) in DataSources = { "Primary": "..." }',
        ),
      );
      continue;
    }
    if (node.materialization === "ephemeral") {
      diagnostics.push(
        error(
          "DQDL_TARGET",
          `'${target.name}' is ephemeral: it has no relation to check`,
          at,
          "materialize it as a view or table",
        ),
      );
      continue;
    }
    bound.push({ file, ruleset: parsed.ruleset, target: node });
  }
  return { bound, diagnostics };
}
