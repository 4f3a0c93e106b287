import type { LineageGraph, NodeLineage } from "@sluice/lineage";
import type { DocsData, DocsNode } from "./docs-data.js";

/** What a node page loads when it opens: the parts of a node no list or search needs. */
export interface NodeDetails {
  path: string;
  relation?: string;
  materialization: string;
  tags: string[];
  sql: string;
  config: Record<string, unknown>;
  attachedTo?: string;
  /** The node's own column lineage (models). */
  lineage?: NodeLineage;
}

/** A node as the site loads it up front: what the tree, the graph and search read. */
export type IndexNode = Omit<DocsNode, keyof NodeDetails>;

/** `assets/data.js`: the docs data without SQL, config and lineage, and where those are. */
export interface DocsIndex extends Omit<DocsData, "nodes" | "lineage"> {
  nodes: IndexNode[];
  /** Column lineage counts (the graph itself is `assets/lineage-graph.js`). */
  stats: LineageGraph["stats"];
  /** Node `i`'s details are entry `i % shardSize` of `assets/nodes/<floor(i / shardSize)>.js`. */
  shardSize: number;
}

/**
 * The docs data split for a page that opens fast at 10,000 models: an index loaded up front
 * (names, descriptions, columns, dependencies, last results: tree, graph and search); each
 * node's relation, materialization, tags, SQL, config and lineage in shards of `shardSize`
 * nodes, loaded when a node page opens; the lineage graph, loaded when a column is traced. Pure.
 *
 * @example const { index, shards, lineage } = siteData(data); // index.nodes[0].sql === undefined
 */
export function siteData(
  data: DocsData,
  shardSize = 200,
): { index: DocsIndex; shards: NodeDetails[][]; lineage: LineageGraph } {
  const { nodes, lineage, ...rest } = data;
  const shards: NodeDetails[][] = [];
  const indexNodes = nodes.map((n, i): IndexNode => {
    const { path, relation, materialization, tags, sql, config, attachedTo, ...light } = n;
    const own = lineage.nodes[n.id];
    (shards[Math.floor(i / shardSize)] ??= []).push({
      path,
      ...(relation !== undefined ? { relation } : {}),
      materialization,
      tags,
      sql,
      config,
      ...(attachedTo !== undefined ? { attachedTo } : {}),
      ...(own ? { lineage: own } : {}),
    });
    return light;
  });
  return {
    index: { ...rest, nodes: indexNodes, stats: lineage.stats, shardSize },
    shards,
    lineage,
  };
}
