import type {
  ColumnProperties,
  GenericTestSpec,
  SingularTestFile,
  SourceLocation,
} from "@sluice/project";
import type { CompileContext } from "../compile/compile-context.js";
import type { NameIndex } from "../compile/name-index.js";
import { renderNodeSql } from "../compile/render-node-sql.js";
import type { BuiltNodes } from "../compile/render-node-sql.js";
import { locateCall } from "../render/locate.js";
import { namesAsWrittenScope } from "../render/render-scope.js";
import type { CompiledNode } from "../types.js";
import { hasErrors } from "@sluice/project/diagnostics";
import { foldersUnder, resolveTestConfig } from "@sluice/project/compile-time";
import { throughEphemerals } from "../graph/ephemeral.js";
import { flatText } from "../compile/flat-text.js";
import { customGenericTest } from "./custom-generic-test.js";
import { singularConfig } from "./singular-config.js";
import { withBlockConfig } from "./test-block-config.js";
import { genericTest } from "./generic-tests.js";
import type { ParentResolver, TestSubject } from "./generic-tests.js";

/** Test nodes get unique ids: a second test with the same name gets `_2`, and so on. */
export function uniqueName(name: string, built: BuiltNodes): string {
  let candidate = name;
  for (let i = 2; built.byId.has(`test.${candidate}`); i++) candidate = `${name}_${i}`;
  return candidate;
}

function testNode(
  ctx: CompileContext,
  built: BuiltNodes,
  t: {
    name: string;
    path: string;
    sql: string;
    dependsOn: string[];
    attachedTo?: string;
    severity: "error" | "warn";
    thresholds?: CompiledNode["thresholds"];
    newData?: CompiledNode["newData"];
    tags?: string[];
    storeFailures?: boolean;
  },
): CompiledNode {
  // Kept (as ids, map keys, names in every artifact) until the command ends: flat, as the SQL.
  const name = flatText(uniqueName(t.name, built));
  const parent = t.attachedTo ? built.byId.get(t.attachedTo) : undefined;
  const node: CompiledNode = {
    id: flatText(`test.${name}`),
    kind: "test",
    name,
    path: t.path,
    schema: parent?.schema ?? "default",
    relation: { schema: parent?.relation.schema ?? "default", name },
    materialization: "test",
    partitionedBy: [],
    config: {},
    tags: t.tags ?? [],
    columns: [],
    dependsOn: t.dependsOn.length < 2 ? [...t.dependsOn] : [...new Set(t.dependsOn)],
    sql: flatText(t.sql),
    statements: [ctx.dialect.assertion(t.sql)],
    ...(t.attachedTo ? { attachedTo: t.attachedTo } : {}),
    severity: t.severity,
    ...(t.thresholds ? { thresholds: t.thresholds } : {}),
    ...(t.newData ? { newData: t.newData } : {}),
    ...(t.storeFailures === undefined ? {} : { storeFailuresConfig: t.storeFailures }),
  };
  flatText(node.statements[0]!.sql);
  built.byId.set(node.id, node);
  return node;
}

/** Generic tests as declared on a model, snapshot or source table in YAML. */
export interface GenericTestsDecl {
  path: string;
  columns: readonly ColumnProperties[];
  tests: readonly GenericTestSpec[];
  sourceName?: string;
}

/**
 * What building one subject's generic tests looked up outside its declaration (for the compile
 * memo: the same lookups giving the same answers build the same nodes).
 */
export interface GenericTestsRecord {
  /** Each relationships parent resolved, and {@link parentAnswer} of what it resolved to. */
  parents: { to: Parameters<ParentResolver>[0]; at: SourceLocation; answer: string }[];
  /** Each node's name before {@link uniqueName} made it unique, in the order built. */
  names: string[];
}

/** How a relationships test's `to:` resolves in this compile. */
export function parentResolver(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
): ParentResolver {
  return (to, at) => {
    const id = to.kind === "ref" ? index.ref(to.name, at) : index.source(to.source, to.table, at);
    if (id === null || typeof id !== "string") return id ?? undefined;
    const node = built.byId.get(id);
    return node ? { nodeId: id, relationSql: ctx.dialect.quoteRelation(node.relation) } : undefined;
  };
}

/** A resolved parent as one comparable string. */
export function parentAnswer(parent: ReturnType<ParentResolver>): string {
  if (parent === undefined) return "";
  return "code" in parent ? `!${parent.code}` : `${parent.nodeId}\n${parent.relationSql}`;
}

/**
 * Generic tests declared on a compiled model or source table (column- and table-level).
 * `record`, when given, is filled with what the build looked up (see {@link GenericTestsRecord}).
 */
export function genericTestNodes(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
  subjectNode: CompiledNode,
  decl: GenericTestsDecl,
  record?: GenericTestsRecord,
): CompiledNode[] {
  if (subjectNode.materialization === "ephemeral") return [];
  const subject: TestSubject = {
    nodeId: subjectNode.id,
    namePart: decl.sourceName ? `${decl.sourceName}_${subjectNode.name}` : subjectNode.name,
    namePrefix: decl.sourceName ? "source_" : "",
    relationSql: ctx.dialect.quoteRelation(subjectNode.relation),
    copiesSharePartition: subjectNode.config.copies_share_partition ?? [],
  };
  const resolve = parentResolver(ctx, index, built);
  const resolveParent: ParentResolver = (to, at) => {
    const parent = resolve(to, at);
    record?.parents.push({ to, at, answer: parentAnswer(parent) });
    return parent;
  };
  const specs = [
    ...decl.tests.map((spec) => ({ spec, column: undefined as string | undefined })),
    ...decl.columns.flatMap((c) =>
      c.tests.map((spec) => ({ spec, column: c.name as string | undefined })),
    ),
  ];
  const nodes: CompiledNode[] = [];
  const counted: { node: CompiledNode; count: string }[] = [];
  for (const { spec: declared, column } of specs) {
    const { where } = declared.config ?? {};
    // dbt's `where`: the test reads only the subject's rows that match it.
    const filtered = where
      ? {
          ...subject,
          relationSql: `(select * from ${subject.relationSql} where ${where}) as sluice_where`,
        }
      : subject;
    const t =
      customGenericTest(ctx, index, built, declared, column, filtered) ??
      genericTest(declared, column, filtered, ctx.dialect, resolveParent);
    if (t === undefined) continue;
    if (Array.isArray(t) || "code" in t) {
      (Array.isArray(t) ? t : [t]).forEach((d) => ctx.diagnostics.add(d));
      continue;
    }
    // A `{% test %}` block's config(): over the project's, under the test's own.
    const applied = t.blockConfig
      ? withBlockConfig(declared, t.blockConfig)
      : { spec: declared, diagnostics: [] };
    applied.diagnostics.forEach((d) => ctx.diagnostics.add(d));
    const spec = applied.spec;
    if (!spec) continue;
    const { limit, warn_if, error_if, tags, store_failures } = spec.config ?? {};
    const thresholds = {
      ...(warn_if !== undefined ? { warn_if } : {}),
      ...(error_if !== undefined ? { error_if } : {}),
    };
    const { count } = t;
    const node = testNode(ctx, built, {
      name: t.name,
      dependsOn: t.dependsOn,
      newData: t.newData,
      // dbt's `limit`: at most this many failing rows are counted.
      sql: limit === undefined ? t.sql : ctx.dialect.limit(t.sql, limit),
      path: spec.at.file,
      attachedTo: subjectNode.id,
      severity: spec.severity,
      ...(Object.keys(thresholds).length > 0 ? { thresholds } : {}),
      ...(tags ? { tags } : {}),
      ...(store_failures === undefined ? {} : { storeFailures: store_failures }),
    });
    if (count !== undefined && where === undefined && limit === undefined)
      counted.push({ node, count });
    record?.names.push(t.name);
    nodes.push(node);
  }
  shareScan(counted, subject.relationSql);
  return nodes;
}

/**
 * The tests of one relation whose failures are plain aggregates (not_null, accepted_values) are
 * counted in one scan: each gets `assertion.shared` (its `failures_<i>` column), and the runner
 * sends the query once for all of them.
 */
function shareScan(counted: readonly { node: CompiledNode; count: string }[], relationSql: string) {
  if (counted.length < 2) return;
  const columns = counted.map(({ count }, i) => `${count} as failures_${i + 1}`);
  const sql = `select ${columns.join(", ")}\nfrom ${relationSql}`;
  counted.forEach(({ node }, i) => {
    node.assertion = { kind: "failing_rows", shared: { index: i + 1, sql } };
  });
}

/**
 * A singular test file rendered like a model; attached to the first model or seed it refs
 * (else the first source). Undefined when it does not compile or reads a skipped node.
 */
export function singularTestNode(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
  file: SingularTestFile,
): CompiledNode | undefined {
  const template = ctx.renderer.compile(file.path, file.text);
  if ("code" in template) {
    ctx.diagnostics.add(template);
    return undefined;
  }
  // First pass learns the dependencies, second renders against real relations.
  const scope = namesAsWrittenScope(file.path, file.text);
  ctx.renderer.render(template, scope);
  scope.diagnostics.forEach((d) => ctx.diagnostics.add(d));
  const { name, tests } = ctx.project.config;
  const folders = foldersUnder(file.path, ctx.project.config["test-paths"]);
  const { config, diagnostics } = singularConfig(
    file,
    scope.configs,
    tests ? resolveTestConfig(tests, [name, ...folders]) : {},
  );
  diagnostics.forEach((d) => ctx.diagnostics.add(d));
  if (!config.enabled) return undefined;
  let ok = scope.diagnostics.length === 0 && !hasErrors(diagnostics);
  const deps: string[] = [];
  for (const name of new Set(scope.refs)) {
    const id = index.ref(name, () => locateCall(file.path, file.text, "ref", [name]));
    if (typeof id === "string") deps.push(id);
    else {
      if (id) ctx.diagnostics.add(id);
      ok = false;
    }
  }
  for (const [s, t] of scope.sources) {
    const id = index.source(s, t, () => locateCall(file.path, file.text, "source", [s, t]));
    if (typeof id === "string") deps.push(id);
    else {
      ctx.diagnostics.add(id);
      ok = false;
    }
  }
  if (!ok || deps.some((d) => !built.byId.has(d))) return undefined;
  const rendered = renderNodeSql(ctx, index, built, {
    file: file.path,
    text: file.text,
    template,
    isIncremental: false,
    deps,
  });
  if (Array.isArray(rendered)) {
    rendered.forEach((d) => ctx.diagnostics.add(d));
    return undefined;
  }
  const attachedTo = deps.find((d) => !d.startsWith("source.")) ?? deps[0];
  return testNode(ctx, built, {
    name: file.name,
    path: file.path,
    // dbt's `limit`: at most this many failing rows are counted.
    sql: config.limit === undefined ? rendered.sql : ctx.dialect.limit(rendered.sql, config.limit),
    dependsOn: throughEphemerals(deps, built.byId),
    ...(attachedTo ? { attachedTo } : {}),
    severity: config.severity,
    ...(config.thresholds ? { thresholds: config.thresholds } : {}),
    ...(config.newData ? { newData: config.newData } : {}),
    tags: config.tags,
    ...(config.storeFailures === undefined ? {} : { storeFailures: config.storeFailures }),
  });
}
