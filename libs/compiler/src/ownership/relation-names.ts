import { error, positionAt } from "@sluice/project/diagnostics";
import { glueNameProblem, glueNameSuggestion } from "@sluice/project/compile-time";
import type { Diagnostic, SourceLocation } from "@sluice/project";
import type { ResolvedTarget } from "../target/resolve-target.js";

/** One name a node publishes under, where it was set, and how to say the fix. */
export interface NamedPart {
  /** `schema`, `alias`, ... as the user spells the setting. */
  key: string;
  value: string;
  at: SourceLocation;
  /** The fix, given the suggested valid name. */
  hint: (suggestion: string) => string;
}

/**
 * Where `key=` is set inside a `config(...)` call of a template, else the call, else the file
 * start: nunjucks does not say where keyword arguments are.
 */
export function locateConfigKey(file: string, text: string, key: string): SourceLocation {
  const call = /\bconfig\s*\(/.exec(text);
  if (!call) return { file, line: 1, column: 1 };
  const setting = new RegExp(`\\b${key}\\s*=`).exec(text.slice(call.index));
  return { file, ...positionAt(text, call.index + (setting?.index ?? 0)) };
}

/**
 * NAME_INVALID for every part of a node's relation that Glue would refuse or that would leave
 * its lake folder (`..`, `/`), and for the target's database when it maps the schema to one.
 *
 * @example relationNameDiagnostics(target, "model 'Events'", [{ key: "alias", value: "Events", ... }], "silver")
 */
export function relationNameDiagnostics(
  target: ResolvedTarget,
  label: string,
  parts: readonly NamedPart[],
  schema: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const part of parts) {
    const problem = glueNameProblem(part.value);
    if (problem) {
      const what = `${label}: ${part.key} '${part.value}' ${problem}`;
      out.push(error("NAME_INVALID", what, part.at, part.hint(glueNameSuggestion(part.value))));
    }
  }
  const database = target.relation(schema, "t").schema;
  const problem =
    database === schema || glueNameProblem(schema) ? undefined : glueNameProblem(database);
  if (problem) {
    const where = parts.find((p) => p.key === "schema")?.at ?? parts[0]!.at;
    out.push(
      error(
        "NAME_INVALID",
        `${label}: target '${target.name}' maps schema '${schema}' to database '${database}', which ${problem}`,
        where,
        `set databases.${schema} to '${glueNameSuggestion(database)}' in sluice.yml`,
      ),
    );
  }
  return out;
}
