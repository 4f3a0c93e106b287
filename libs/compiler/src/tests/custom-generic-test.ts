import type { Diagnostic, GenericTestSpec } from "@sluice/project";
import type { CompileContext } from "../compile/compile-context.js";
import { cleanSql } from "../compile/compile-context.js";
import type { NameIndex } from "../compile/name-index.js";
import type { BuiltNodes } from "../compile/render-node-sql.js";
import { newScope } from "../render/render-scope.js";
import { sourceId } from "../sources/source-nodes.js";
import type { GenericTest, TestSubject } from "./generic-tests.js";

/** The macro a `{% test name(...) %}` block defines (see render/jinja-bridge.ts). */
export const testMacroName = (testName: string): string =>
  `test_${testName.split(".").at(-1) ?? testName}`;

/**
 * A generic test defined with `{% test name(model, column_name, ...) %}` in the project or a
 * package (`shop_utils.at_least_zero` names the package's), rendered with `model` (the subject's
 * relation, filtered by `where`), `column_name` and the test's arguments. Undefined when no
 * such macro exists (the built-in tests handle the name). Refs inside the test add dependencies.
 *
 * @example customGenericTest(ctx, index, built, { name: "is_positive", ... }, "amount", subject)
 * // { name: "is_positive_orders_amount", sql: "select * from ... where amount <= 0", ... }
 */
export function customGenericTest(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
  spec: GenericTestSpec,
  column: string | undefined,
  subject: TestSubject,
): GenericTest | Diagnostic[] | undefined {
  const macro = testMacroName(spec.name);
  if (!ctx.renderer.hasMacro(macro)) return undefined;
  const { arguments: nested, ...args } = spec.args;
  const kwargs: Record<string, unknown> = {
    ...args,
    ...((nested as Record<string, unknown> | undefined) ?? {}),
    model: subject.relationSql,
  };
  const columnName = column ?? (kwargs.column_name as string | undefined);
  if (columnName !== undefined) kwargs.column_name = columnName;
  const relationOf = (id: string | undefined, fallback: string) => {
    const node = id ? built.byId.get(id) : undefined;
    return node ? ctx.dialect.quoteRelation(node.relation) : fallback;
  };
  const scope = newScope({
    file: spec.at.file,
    text: "",
    isIncremental: false,
    resolveRef: (name) => relationOf(index.refs.get(name), ctx.dialect.quoteIdentifier(name)),
    resolveSource: (s, t) =>
      relationOf(
        sourceId(s, t),
        `${ctx.dialect.quoteIdentifier(s)}.${ctx.dialect.quoteIdentifier(t)}`,
      ),
  });
  const sql = ctx.renderer.callMacro(macro, kwargs, scope);
  if (sql === undefined || scope.diagnostics.length > 0)
    return scope.diagnostics.map((d) => ({ ...d, at: d.at?.line ? d.at : spec.at }));
  const refIds = scope.refs.flatMap((n) => index.refs.get(n) ?? []);
  const sourceIds = scope.sources
    .map(([s, t]) => sourceId(s, t))
    .filter((id) => built.byId.has(id));
  const testName = spec.name.split(".").at(-1)!;
  const blockConfig: Record<string, unknown> = Object.assign({}, ...scope.configs);
  return {
    ...(Object.keys(blockConfig).length ? { blockConfig } : {}),
    name: `${subject.namePrefix}${testName}_${subject.namePart}${columnName ? `_${columnName}` : ""}`,
    sql: cleanSql(sql),
    dependsOn: [subject.nodeId, ...refIds, ...sourceIds],
  };
}
