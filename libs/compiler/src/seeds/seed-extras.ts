import type { ModelConfig, Project } from "@sluice/project";
import type { CompileContext } from "../compile/compile-context.js";
import type { NameIndex } from "../compile/name-index.js";
import { renderDescription } from "../compile/render-description.js";
import { renderHooks } from "../compile/render-hooks.js";
import type { BuiltNodes } from "../compile/render-node-sql.js";
import { unusedSeedEntry } from "../compile/unused-config.js";
import { templateRelation } from "../render/render-scope.js";
import { genericTestNodes } from "../tests/test-nodes.js";
import type { CompiledNode } from "../types.js";

/**
 * The seeds' hooks rendered (`{{ this }}` the seed's relation), once every seed is a node;
 * errors go to the compile's diagnostics.
 */
export function renderSeedHooks(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
  seeds: CompiledNode[],
): void {
  for (const node of seeds) {
    const quoted = ctx.dialect.quoteRelation(node.relation);
    const self = templateRelation(node.relation.schema, node.relation.name, quoted);
    const config = node.config as ModelConfig;
    const hooked = renderHooks(ctx, index, built, { file: node.path, self, deps: [], config });
    if (Array.isArray(hooked)) hooked.forEach((d) => ctx.diagnostics.add(d));
    else node.config = hooked;
  }
}

/**
 * Properties YAML `seeds:` entries applied to their seeds: the description and the columns'
 * (rendered, as models'), and the generic tests, added to `built` as nodes. An entry naming no
 * seed is a PROPERTIES_UNUSED warning.
 */
export function applySeedProperties(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
  project: Project,
): void {
  for (const p of project.seedProperties ?? []) {
    const node = built.byId.get(`seed.${p.name}`);
    if (!node) {
      ctx.diagnostics.add(unusedSeedEntry(p, project));
      continue;
    }
    if (p.description !== undefined) node.description = renderDescription(ctx, p.description, p.at);
    const described = new Map(p.columns.map((c) => [c.name, c]));
    node.columns = node.columns.map((c) => {
      const own = described.get(c.name);
      return own?.description === undefined
        ? c
        : { ...c, description: renderDescription(ctx, own.description, own.at) };
    });
    genericTestNodes(ctx, index, built, node, {
      path: p.at.file,
      columns: p.columns,
      tests: p.tests,
    });
  }
}
