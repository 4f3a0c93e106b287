import { createRequire } from "node:module";

/** A node of node-sql-parser's AST, read through the accessors below (its types are loose). */
export type AstNode = Record<string, unknown>;

interface TrinoParser {
  astify(sql: string, options: { database: string }): AstNode | AstNode[];
}

type ParserModule = { Parser: new () => TrinoParser };

// Only the grammars used (about 250 kB each) instead of the every-dialect bundle (2.4 MB). The
// CLI's CommonJS bundle has `require` (and bundles the literal paths); ES modules get one.
const load: NodeJS.Require =
  typeof require === "function" ? require : createRequire(import.meta.url);
const grammars = {
  trino: () => load("node-sql-parser/build/trino") as ParserModule,
  athena: () => load("node-sql-parser/build/athena") as ParserModule,
};
const parsers = new Map<string, TrinoParser>();

function parseWith(database: "trino" | "athena", sql: string): AstNode {
  let parser = parsers.get(database);
  if (!parser) {
    parser = new (grammars[database]().Parser)();
    parsers.set(database, parser);
  }
  const ast = parser.astify(sql, { database });
  const first = Array.isArray(ast) ? ast[0] : ast;
  if (!first || first.type !== "select") throw new Error("not a SELECT statement");
  return first;
}

/**
 * Parse one SELECT (Athena's Trino SQL) with node-sql-parser's Trino grammar, else its Athena
 * grammar (the Trino one rejects scalar subqueries, the Athena one table functions such as the
 * lake's sluice_raw_window). Throws the Trino parser's error when neither parses.
 *
 * @example parseSelect("select a from t").type // "select"
 */
export function parseSelect(sql: string): AstNode {
  try {
    return parseWith("trino", sql);
  } catch (e) {
    try {
      return parseWith("athena", sql);
    } catch {
      throw e;
    }
  }
}

export const isNode = (v: unknown): v is AstNode =>
  !!v && typeof v === "object" && !Array.isArray(v);

/** An identifier as text, lower-cased (Trino identifiers are case-insensitive). */
export function identifier(v: unknown): string | undefined {
  if (typeof v === "string") return v.toLowerCase();
  if (isNode(v)) {
    if (typeof v.value === "string") return v.value.toLowerCase();
    if (isNode(v.expr)) return identifier(v.expr);
  }
  return undefined;
}

/** `t(a, b)` (an alias with column names) → `{ name: "t", columns: ["a", "b"] }`. */
export function aliasWithColumns(as: unknown): { name?: string; columns?: string[] } {
  const text = identifier(as);
  if (text === undefined) return {};
  const m = /^\s*"?([^"(\s]+)"?\s*\(([^)]*)\)\s*$/.exec(text);
  if (!m) return { name: text };
  const columns = m[2]!.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
  return { name: m[1]!, columns };
}

/** A function call's name, lower-cased: `count`, `max_by`, `unnest`. */
export function functionName(node: AstNode): string | undefined {
  const name = node.name;
  if (typeof name === "string") return name.toLowerCase();
  if (isNode(name) && Array.isArray(name.name))
    return name.name.map((part) => identifier(part) ?? "").join(".");
  return identifier(name);
}

/** A function call's arguments (`args.value` or `args.expr`). */
export function functionArgs(node: AstNode): AstNode[] {
  const args = node.args;
  if (!isNode(args)) return [];
  if (Array.isArray(args.value)) return args.value.filter(isNode);
  return isNode(args.expr) ? [args.expr] : [];
}

/** The SELECT inside a subquery node (`{ ast }` wrapper or the select itself). */
export function subquery(node: unknown): AstNode | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === "select") return node;
  if (isNode(node.ast) && node.ast.type === "select") return node.ast;
  return undefined;
}
