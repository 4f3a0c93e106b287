import { createdColumnsProblem, type CreatedColumn } from "@sluice/dialects";
import type * as Trino from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import type { GrammarError } from "./athena-syntax.js";

type TrinoTree = typeof Trino;

/** A node of the parse tree, as far as the walk below reads it. */
interface TreeNode {
  children?: TreeNode[] | null;
}

/**
 * The columns of a parsed Trino statement's query that Athena would refuse to create (see
 * createdColumnsProblem): for a CREATE TABLE AS or CREATE VIEW (`columns: "ctas"`) or a bare
 * query (`columns: "query"`: a model's SELECT, which the run makes a CTAS or view), at the select
 * item's line and column. Undefined for other statements and for columns Athena takes.
 *
 * @example createdColumnsFinding(tree, trinoTree) // { line: 3, column: 5, message: "Column name not specified at position 2 (MISSING_COLUMN_NAME)", columns: "query", hint: ... }
 */
export function createdColumnsFinding(tree: unknown, P: TrinoTree): GrammarError | undefined {
  const statement = firstStatement(tree as TreeNode, P);
  if (statement === undefined) return undefined;
  const created =
    statement instanceof P.CreateTableAsSelectContext || statement instanceof P.CreateViewContext;
  const root = created
    ? statement.rootQuery()
    : statement instanceof P.StatementDefaultContext
      ? statement.rootQuery()
      : null;
  const found = root && leftmostSpecification(root, P);
  if (!found) return undefined;
  const items = found.spec.selectList().selectItem();
  // A UNION types a column from all its SELECTs: a NULL in the first is typed by the others.
  const problem = createdColumnsProblem(
    items.map((item) => {
      const { untyped, ...column } = createdColumn(item);
      return found.union ? column : { ...column, ...(untyped ? { untyped } : {}) };
    }),
  );
  if (problem === undefined) return undefined;
  const at = items[problem.index]!.start;
  return {
    line: at?.line ?? 1,
    column: (at?.column ?? 0) + 1,
    message: `${problem.message} (${problem.errorName})`,
    columns: created ? "ctas" : "query",
    hint: problem.hint,
  };
}

/** The statement a parse of one statement holds (its first, depth first). */
function firstStatement(node: TreeNode, P: TrinoTree): Trino.StatementContext | undefined {
  if (node instanceof P.StatementContext) return node;
  for (const child of node.children ?? []) {
    const found = firstStatement(child, P);
    if (found) return found;
  }
  return undefined;
}

/**
 * The SELECT that names a query's columns: a UNION's left-most (`union`: there was one),
 * through parentheses.
 */
function leftmostSpecification(
  root: Trino.RootQueryContext,
  P: TrinoTree,
): { spec: Trino.QuerySpecificationContext; union: boolean } | undefined {
  const query = root.query();
  let term = query instanceof P.QueryStatementContext ? query.queryNoWith().queryTerm() : undefined;
  let union = false;
  while (term) {
    if (term instanceof P.SetOperationContext) {
      union = true;
      term = term.queryTerm(0) ?? undefined;
    } else if (term instanceof P.QueryTermDefaultContext) {
      const primary = term.queryPrimary();
      if (primary instanceof P.QueryPrimaryDefaultContext)
        return { spec: primary.querySpecification(), union };
      if (!(primary instanceof P.SubqueryContext)) return undefined;
      term = primary.queryNoWith().queryTerm();
    } else return undefined;
  }
  return undefined;
}

/** A select item as Trino names and types its column. */
function createdColumn(item: Trino.SelectItemContext): CreatedColumn {
  if (item.selectAllWithoutTable() || item.tableAllColumns()) return { star: true };
  const expression = item.selectExpressionColumnName()?.expression().getText() ?? "";
  const untyped = expression.toLowerCase() === "null" ? { untyped: true } : {};
  const alias = item.identifier();
  if (alias) return { name: identifierName(alias.getText()), ...untyped };
  const ref = item.selectLiteralColumnName()?.columnRef().qualifiedName();
  if (ref) return { name: identifierName(ref.getText().split(".").at(-1)!) };
  return untyped;
}

/** An identifier's name: unquoted (`"a""b"` is `a"b`), compared without case by the caller. */
const identifierName = (text: string): string =>
  /^".*"$/s.test(text) ? text.slice(1, -1).replaceAll('""', '"') : text;
