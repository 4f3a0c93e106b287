import type { LineageGraph, NodeLineage } from "@sluice/lineage";
import type { DocsData, DocsNode } from "./docs-data.js";

/** The fields of a node that the index holds (the rest is in its {@link NodeDetails}). */
type IndexFields = "id" | "type" | "name" | "dependsOn";

/**
 * A source, seed, model or snapshot as the site loads it up front, what the tree and the model
 * graph read, compact (10,000 of them open the page): its id (`<type>.<…>`, so the type is the
 * id's first part), what it depends on (a node of the index by position, anything else by id),
 * and its name when that is not the id without its type (sources: the table's name). Tests and
 * rules are in {@link SearchData}, loaded on demand.
 */
export type IndexNode = [id: string, dependsOn: (number | string)[], name?: string];

/** A test or rule as a node page lists it. */
export type TestSummary = Pick<DocsNode, "id" | "type" | "name" | "ruleText" | "last">;

/** What a node page loads when it opens: everything of the node the tree and graph do not read. */
export type NodeDetails = Omit<DocsNode, IndexFields> & {
  /** Tests and rules: what they depend on (the index does not hold them). */
  dependsOn?: string[];
  /** The node's own column lineage (models). */
  lineage?: NodeLineage;
  /** The tests and rules that depend on this node. */
  tests: TestSummary[];
};

/** `assets/data.js`: what the first view and the tree need. */
export interface DocsIndex extends Omit<DocsData, "nodes" | "lineage"> {
  /** Sources, seeds, models and snapshots; node `i` is at position `i`. */
  nodes: IndexNode[];
  /** Nodes per type, tests and rules included. */
  counts: Partial<Record<DocsNode["type"], number>>;
  /** Column lineage counts (the graph itself is `assets/lineage-graph.js`). */
  stats: LineageGraph["stats"];
  /**
   * The node at position `p` (index nodes, then {@link SearchData.tests}) has its details at entry
   * `p % shardSize` of `assets/nodes/<floor(p / shardSize)>.js`.
   */
  shardSize: number;
}

/**
 * `assets/search.js`, loaded on the first search (or a test's page, or the tree's test list).
 * Compact: at 10,000 models it holds 20,000 tests, each a {@link TestEntry}.
 */
export interface SearchData {
  /** Tests (generic, singular, unit), at positions `index.nodes.length + j`. */
  tests: TestEntry[];
  /** DQDL rules, at positions `index.nodes.length + tests.length + j`. */
  rules: TestEntry[];
  /** Descriptions, by position (nodes without one are absent). */
  descriptions: Record<number, string>;
  /** Columns, by position: a name, or `[name, description]`. */
  columns: Record<number, (string | [string, string])[]>;
}

/** A test or rule: its name when its id is `test.<name>` (most), else `[id, name]` (unit tests). */
export type TestEntry = string | [id: string, name: string];

const isTest = (n: DocsNode): boolean => n.type === "test" || n.type === "rule";

/**
 * The docs data split for a page that opens fast at 10,000 models: an index loaded up front (ids,
 * names, types and dependencies of sources, seeds and models: the tree and the graph); the search
 * data (tests and rules, and every node's description and columns) loaded on the first search;
 * each node's details (description, columns, last result, SQL, config, lineage, its tests) in
 * shards of `shardSize` positions, loaded when its page opens; the lineage graph, loaded when a
 * column is traced. Pure.
 *
 * @example const { index, search, shards, lineage } = siteData(data); // index.nodes: no tests
 */
export function siteData(
  data: DocsData,
  shardSize = 200,
): { index: DocsIndex; search: SearchData; shards: NodeDetails[][]; lineage: LineageGraph } {
  const { nodes, lineage, ...rest } = data;
  const ofType = (t: DocsNode["type"]) => nodes.filter((n) => n.type === t);
  const ordered = [...nodes.filter((n) => !isTest(n)), ...ofType("test"), ...ofType("rule")];
  const testsOf = new Map<string, TestSummary[]>();
  for (const t of ordered.filter(isTest))
    for (const d of t.dependsOn) {
      const summary: TestSummary = {
        id: t.id,
        type: t.type,
        name: t.name,
        ...(t.ruleText !== undefined ? { ruleText: t.ruleText } : {}),
        ...(t.last ? { last: t.last } : {}),
      };
      const list = testsOf.get(d);
      if (list) list.push(summary);
      else testsOf.set(d, [summary]);
    }
  const counts: DocsIndex["counts"] = {};
  const index: IndexNode[] = [];
  const at = new Map(ordered.filter((n) => !isTest(n)).map((n, p) => [n.id, p]));
  const search: SearchData = { tests: [], rules: [], descriptions: {}, columns: {} };
  const shards: NodeDetails[][] = [];
  ordered.forEach((n, p) => {
    const { id, type, name, dependsOn, ...details } = n;
    counts[type] = (counts[type] ?? 0) + 1;
    if (!isTest(n)) {
      if (!id.startsWith(`${type}.`)) throw new Error(`docs: ${type} ${id}'s id does not name it`);
      const deps = dependsOn.map((d) => at.get(d) ?? d);
      index.push(id === `${type}.${name}` ? [id, deps] : [id, deps, name]);
    } else
      (type === "rule" ? search.rules : search.tests).push(
        id === `test.${name}` ? name : [id, name],
      );
    if (n.description) search.descriptions[p] = n.description;
    if (n.columns.length)
      search.columns[p] = n.columns.map((c) => (c.description ? [c.name, c.description] : c.name));
    const own = lineage.nodes[id];
    (shards[Math.floor(p / shardSize)] ??= []).push({
      ...details,
      ...(isTest(n) ? { dependsOn } : {}),
      ...(own ? { lineage: own } : {}),
      tests: testsOf.get(id) ?? [],
    });
  });
  return {
    index: { ...rest, nodes: index, counts, stats: lineage.stats, shardSize },
    search,
    shards,
    lineage,
  };
}
