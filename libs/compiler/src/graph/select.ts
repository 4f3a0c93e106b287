import { error, warning } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import type { CompiledNode, CompiledProject } from "../types.js";
import { reachable } from "./dag.js";
import { parseSelectorItem } from "./selector.js";
import type { SelectorItem } from "./selector.js";

export interface SelectOptions {
  /** Each entry may hold several space-separated items (union); `a,b` is an intersection. */
  select?: string[];
  exclude?: string[];
}

function matches(node: CompiledNode, item: SelectorItem): boolean {
  const v = item.value;
  switch (item.method) {
    case "tag":
      return node.tags.includes(v);
    case "path": {
      const prefix = v.replace(/^\.\//, "").replace(/\/+$/, "");
      return node.path === prefix || node.path.startsWith(`${prefix}/`);
    }
    case "source": {
      if (node.kind !== "source") return false;
      const full = node.id.slice("source.".length);
      return full === v || full.startsWith(`${v.replace(/\.\*$/, "")}.`);
    }
    default:
      return (
        node.name === v ||
        node.id === v ||
        (node.kind === "source" && node.id === `source.${v}`)
      );
  }
}

class Graph {
  readonly parents = new Map<string, string[]>();
  readonly children = new Map<string, string[]>();
  constructor(readonly nodes: readonly CompiledNode[]) {
    // Tests join through indirect selection, not graph operators.
    for (const n of nodes) {
      if (n.kind === "test") continue;
      this.parents.set(n.id, n.dependsOn);
      for (const d of n.dependsOn) this.children.set(d, [...(this.children.get(d) ?? []), n.id]);
    }
  }

  resolve(item: SelectorItem): Set<string> {
    const direct = this.nodes.filter((n) => matches(n, item)).map((n) => n.id);
    const out = new Set(direct);
    if (item.parents !== undefined) reachable(direct, this.parents, item.parents).forEach((id) => out.add(id));
    if (item.children !== undefined) reachable(direct, this.children, item.children).forEach((id) => out.add(id));
    return out;
  }
}

/** Union of expressions, each an intersection of comma-separated items. */
function evaluate(graph: Graph, exprs: readonly string[], flag: string, diagnostics: Diagnostic[]): Set<string> {
  const union = new Set<string>();
  for (const expr of exprs.flatMap((e) => e.split(/\s+/)).filter((e) => e !== "")) {
    let acc: Set<string> | undefined;
    let valid = true;
    for (const part of expr.split(",")) {
      const item = parseSelectorItem(part);
      if (typeof item === "string") {
        diagnostics.push(error("SELECTOR_INVALID", `--${flag} ${expr}: ${item}`));
        valid = false;
        break;
      }
      const ids = graph.resolve(item);
      acc = acc === undefined ? ids : new Set([...acc].filter((id) => ids.has(id)));
    }
    if (!valid) continue;
    if (!acc || acc.size === 0) {
      diagnostics.push(warning("SELECTOR_NO_MATCH", `--${flag} ${expr} matches no node`));
      continue;
    }
    acc.forEach((id) => union.add(id));
  }
  return union;
}

/**
 * The node ids a `--select`/`--exclude` pair picks, in the project's topological order. Tests
 * come along when every node they test is selected (dbt's indirect selection).
 *
 * @example selectNodes(compiled, { select: ["+fct_orders", "tag:daily"], exclude: ["stg_legacy"] })
 */
export function selectNodes(compiled: CompiledProject, options: SelectOptions): { ids: string[]; diagnostics: Diagnostic[] } {
  const graph = new Graph(compiled.nodes);
  const diagnostics: Diagnostic[] = [];
  const selected =
    options.select && options.select.some((s) => s.trim() !== "")
      ? evaluate(graph, options.select, "select", diagnostics)
      : new Set(compiled.nodes.filter((n) => n.kind !== "test").map((n) => n.id));
  const excluded = evaluate(graph, options.exclude ?? [], "exclude", diagnostics);
  const chosen = new Set([...selected].filter((id) => !excluded.has(id)));
  for (const n of compiled.nodes) {
    if (n.kind !== "test" || chosen.has(n.id) || excluded.has(n.id)) continue;
    if (n.dependsOn.length > 0 && n.dependsOn.every((d) => chosen.has(d))) chosen.add(n.id);
  }
  return { ids: compiled.nodes.filter((n) => chosen.has(n.id)).map((n) => n.id), diagnostics };
}
