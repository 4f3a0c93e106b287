import type { CompiledNode } from "@sluice/compiler";

/** Where a node is written: a project-relative file and a 1-based line. */
export interface NodeLocation {
  file: string;
  line: number;
}

const lineAt = (text: string, index: number): number => text.slice(0, index).split("\n").length;

/**
 * The line a CI report points at for a node, given its file's text: a DQDL rule at its rule
 * text in the ruleset file, a generic test at its model's (or source table's) `- name:` entry in
 * the properties YAML, anything else at line 1.
 *
 * @example nodeLocation(ruleNode, text) // { file: "rules/order_items.dqdl", line: 4 }
 */
export function nodeLocation(node: CompiledNode, text: string | undefined): NodeLocation {
  const at = (line: number): NodeLocation => ({ file: node.path, line });
  if (text === undefined) return at(1);
  if (node.assertion?.kind === "dq_rule") {
    const i = text.indexOf(node.assertion.ruleText);
    return at(i < 0 ? 1 : lineAt(text, i));
  }
  const subject = node.attachedTo?.split(".").pop();
  if (node.kind === "test" && subject && /\.ya?ml$/i.test(node.path)) {
    const escaped = subject.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const m = new RegExp(`^\\s*-\\s*name:\\s*['"]?${escaped}['"]?\\s*$`, "m").exec(text);
    return at(m ? lineAt(text, m.index) : 1);
  }
  return at(1);
}
