import { error } from "@sluice/project/diagnostics";
import type { Diagnostic, UnitTestInputName, UnitTestSpec } from "@sluice/project";
import { closestHint } from "@sluice/project/suggest";
import type { Relation } from "@sluice/dialects";
import { cleanSql } from "../compile/compile-context.js";
import type { CompileContext } from "../compile/compile-context.js";
import type { ParsedModel } from "../compile/parse-models.js";
import type { BuiltNodes } from "../compile/render-node-sql.js";
import type { NameIndex } from "../compile/name-index.js";
import { bindWindow, NO_WATERMARK } from "../plan/window.js";
import { newScope, templateRelation } from "../render/render-scope.js";
import { sourceId } from "../sources/source-nodes.js";
import type { CompiledNode, UnitTestMock } from "../types.js";
import { escapeRegExp } from "../escape-regexp.js";

/** The schema of a unit test's mock relations in its embedded database. */
export const UNIT_TEST_SCHEMA = "sluice_unit";

/** Macros a unit test's `overrides.macros` may set besides the project's own. */
const BUILT_IN_OVERRIDES = ["is_incremental", "sluice_incremental_from"];

const inputText = (input: UnitTestInputName): string =>
  input.kind === "ref"
    ? `ref('${input.name}')`
    : input.kind === "source"
      ? `source('${input.source}', '${input.table}')`
      : "this";

/** The mock's table name: one per input, never clashing (`ref__m`, `source__s__t`, `this`). */
const mockName = (input: UnitTestInputName): string =>
  input.kind === "ref"
    ? `ref__${input.name}`
    : input.kind === "source"
      ? `source__${input.source}__${input.table}`
      : "this";

/**
 * Compile the project's enabled unit tests: each renders its model (the branch
 * `overrides.macros.is_incremental` picks, with the overrides' vars, env vars and macro values)
 * with ref(), source() and `this` reading mock relations, and becomes a test node
 * `unit_test.<model>.<name>` attached to the model. Mistakes (an unknown model, an input the
 * model does not read) are UNIT_TEST_INVALID at the test or the input.
 */
export function unitTestNodes(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
  parsed: ReadonlyMap<string, ParsedModel>,
  specs: readonly UnitTestSpec[],
): void {
  for (const spec of specs) {
    if (!spec.enabled) continue;
    const node = unitTestNode(ctx, index, built, parsed, spec);
    if (Array.isArray(node)) node.forEach((d) => ctx.diagnostics.add(d));
    else if (node) built.byId.set(node.id, node);
  }
}

function unitTestNode(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
  parsed: ReadonlyMap<string, ParsedModel>,
  spec: UnitTestSpec,
): CompiledNode | Diagnostic[] | undefined {
  const modelId = `model.${spec.model}`;
  const p = parsed.get(modelId);
  if (!p) {
    const known = [...parsed.keys()].map((id) => id.slice("model.".length));
    const why = index.disabled.has(spec.model) ? "is disabled" : "is not a model of the project";
    return [
      error(
        "UNIT_TEST_INVALID",
        `unit test '${spec.name}': model '${spec.model}' ${why}`,
        spec.at,
        closestHint(spec.model, known) ?? "name a model under model-paths in 'model:'",
      ),
    ];
  }
  const model = built.byId.get(modelId);
  // The model's own error is reported already.
  if (!model) return undefined;
  // A model whose parse came from the compile memo has no template yet.
  const template = p.template ?? ctx.renderer.compile(p.file.path, p.file.text);
  if ("code" in template) return undefined;
  const id = `unit_test.${spec.model}.${spec.name}`;
  if (built.byId.has(id)) {
    return [
      error(
        "UNIT_TEST_INVALID",
        `unit test '${spec.name}' of model '${spec.model}' is defined twice`,
        spec.at,
        "rename one of them",
      ),
    ];
  }
  const unknownMacros = Object.keys(spec.overrides.macros).filter(
    (m) => !BUILT_IN_OVERRIDES.includes(m) && !ctx.renderer.hasMacro(m),
  );
  if (unknownMacros.length > 0) {
    return [
      error(
        "UNIT_TEST_INVALID",
        `unit test '${spec.name}': overrides.macros names no project macro: ${unknownMacros.join(", ")}`,
        spec.at,
        `override is_incremental, sluice_incremental_from or a macro of the macro paths`,
      ),
    ];
  }
  const isIncremental = spec.overrides.macros.is_incremental === true;
  const q = (name: string) => ctx.dialect.quoteRelation(mockRelation(name));
  const scope = newScope({
    file: p.file.path,
    text: p.file.text,
    isIncremental,
    self: templateRelation(UNIT_TEST_SCHEMA, "this", q("this")),
    resolveRef: (name) => q(mockName({ kind: "ref", name })),
    resolveSource: (source, table) => q(mockName({ kind: "source", source, table })),
    overrides: {
      vars: spec.overrides.vars,
      env: spec.overrides.env_vars,
      macros: spec.overrides.macros,
    },
  });
  const out = ctx.renderer.render(template, scope);
  if (out === undefined || scope.diagnostics.length > 0) return scope.diagnostics;
  const sql = cleanSql(out);

  // What the rendered branch reads, each once, with the node it stands for.
  const reads = new Map<string, { input: UnitTestInputName; upstream: string }>();
  for (const name of scope.refs) {
    const upstream = index.refs.get(name);
    if (upstream)
      reads.set(mockName({ kind: "ref", name }), { input: { kind: "ref", name }, upstream });
  }
  for (const [source, table] of scope.sources)
    reads.set(mockName({ kind: "source", source, table }), {
      input: { kind: "source", source, table },
      upstream: sourceId(source, table),
    });
  if (new RegExp(`${escapeRegExp(q("this"))}`).test(sql))
    reads.set("this", { input: { kind: "this" }, upstream: modelId });

  const problems: Diagnostic[] = [];
  for (const g of spec.given) {
    if (reads.has(mockName(g.input))) continue;
    const read = [...reads.values()].map((r) => inputText(r.input));
    const branch = isIncremental ? "its incremental branch" : "the branch tested";
    problems.push(
      error(
        "UNIT_TEST_INVALID",
        `unit test '${spec.name}': model '${spec.model}' does not read ${g.text} in ${branch}`,
        g.at,
        g.input.kind === "this" && !isIncremental
          ? "`this` is read when the model is incremental: add 'overrides: {macros: {is_incremental: true}}'"
          : read.length > 0
            ? `it reads ${read.join(", ")}`
            : "it reads no ref() or source()",
      ),
    );
  }
  if (problems.length > 0) return problems;

  const inputs: UnitTestMock[] = [...reads].map(([name, r]) => {
    const given = spec.given.find((g) => mockName(g.input) === name);
    return {
      relation: mockRelation(name),
      upstream: r.upstream,
      input: inputText(r.input),
      ...(given ? { rows: given.rows } : {}),
    };
  });
  const from = spec.overrides.macros.sluice_incremental_from;
  return {
    id,
    kind: "test",
    name: spec.name,
    path: spec.at.file,
    schema: model.schema,
    relation: { schema: model.relation.schema, name: spec.name },
    materialization: "test",
    partitionedBy: [],
    config: {},
    tags: spec.tags,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    columns: [],
    dependsOn: [modelId],
    // Window markers read the mocks whole; the window starts where the test says (else: all).
    sql: bindWindow(sql, ctx.dialect.literal(from === undefined ? NO_WATERMARK : String(from))),
    statements: [],
    attachedTo: modelId,
    severity: "error",
    assertion: { kind: "unit", model: modelId, isIncremental, inputs, expect: spec.expect },
  };
}

const mockRelation = (name: string): Relation => ({ schema: UNIT_TEST_SCHEMA, name });
