import type { AstNode } from "./sql-ast.js";

// A fast path for the SELECTs most models are: `select <items> from <tables> [joins] [where ...]
// [group by ...] ...` with no CTE, subquery, UNION, `*`, window, unnest or special syntax. It
// builds the few AST fields `selectLineage` reads (the same shape node-sql-parser gives), about
// a hundred times faster than the full parser (which costs ~15 ms a statement). Anything it does
// not recognise returns undefined, and the full parser takes the statement: it never guesses.

interface Token {
  kind: "id" | "qid" | "num" | "str" | "op";
  /** Identifiers lower-cased (Trino's are case-insensitive), operators as written. */
  text: string;
}

const TOKEN =
  /\s+|--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"((?:[^"]|"")*)"|(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(->|=>|\|\||<=|>=|<>|!=|[(),.=<>+\-*/%])/y;

/** The statement's tokens, or undefined at a character the fast path does not handle. */
function tokenize(sql: string): Token[] | undefined {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < sql.length) {
    const m = TOKEN.exec(sql);
    if (!m) return undefined;
    const [text, quoted, num, id, op] = m;
    if (quoted?.includes('"')) return undefined; // an escaped quote in a name
    if (quoted !== undefined) tokens.push({ kind: "qid", text: quoted.toLowerCase() });
    else if (num !== undefined) tokens.push({ kind: "num", text: num });
    else if (id !== undefined) tokens.push({ kind: "id", text: id.toLowerCase() });
    else if (op === "->" || op === "=>")
      return undefined; // a lambda, a named argument
    else if (op !== undefined) tokens.push({ kind: "op", text: op });
    else if (text.startsWith("'")) tokens.push({ kind: "str", text });
  }
  return tokens;
}

/** Words that make a statement something else than the simple shape: the full parser takes it. */
const NOT_SIMPLE = new Set(
  (
    "with union intersect except unnest values over filter within lateral exists window " +
    "tablesample fetch qualify natural using match_recognize grouping rollup cube sets " +
    "escape uescape at interval extract position substring trim overlay normalize " +
    "json_table json_exists json_query json_value json_object json_array listagg " +
    "current_date current_time current_timestamp current_user current_catalog current_schema " +
    "current_path current_role localtime localtimestamp date time timestamp array row " +
    "recursive into table is_json"
  ).split(" "),
);

/** Keywords an expression may hold (operators and CASE), none of them a column. */
const EXPRESSION_WORDS = new Set(
  "and or not is null true false case when then else end in between like".split(" "),
);

/** Words that end a FROM item's name (so they are not its alias). */
const CLAUSE_WORDS = new Set(
  "on join inner left right full outer cross where group having order limit offset".split(" "),
);

/** Keywords of the statement's own structure, never a name. */
const RESERVED = new Set([
  ...EXPRESSION_WORDS,
  ...CLAUSE_WORDS,
  ..."select from as by distinct all".split(" "),
]);

/** A table, alias or column name (quoted, or a word that is not a keyword). */
const isName = (t: Token | undefined): boolean =>
  !!t &&
  (t.kind === "qid" || (t.kind === "id" && !NOT_SIMPLE.has(t.text) && !RESERVED.has(t.text)));

/** A token that ends an operand (so a name right after it would be an implicit alias). */
const endsOperand = (t: Token | undefined) =>
  !!t &&
  (t.kind === "qid" ||
    t.kind === "num" ||
    t.kind === "str" ||
    t.text === ")" ||
    (t.kind === "id" && (!EXPRESSION_WORDS.has(t.text) || /^(end|null|true|false)$/.test(t.text))));

/** Split tokens at depth-0 commas. */
function splitTopLevel(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === "(") depth++;
    if (t.text === ")") depth--;
    if (t.text === "," && depth === 0) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}

const columnRef = (table: string | null, column: string): AstNode => ({
  type: "column_ref",
  table,
  column,
});

const LITERAL_TYPES: Record<string, string> = {
  num: "number",
  str: "single_quote_string",
  null: "null",
  true: "bool",
  false: "bool",
};

/**
 * One select item's expression as the fields `expressionLineage` reads: a bare column is a
 * `column_ref`, a lone literal its literal type, anything else a computation listing its column
 * references and function calls. Undefined when it holds syntax the fast path does not handle.
 */
function expression(tokens: Token[]): AstNode | undefined {
  const [a, dot, b] = tokens;
  if (tokens.length === 1 && a) {
    if (isName(a)) return columnRef(null, a.text);
    const literal = LITERAL_TYPES[a.kind] ?? (a.kind === "id" ? LITERAL_TYPES[a.text] : undefined);
    return literal ? { type: literal } : undefined;
  }
  if (tokens.length === 3 && isName(a) && dot?.text === "." && isName(b))
    return columnRef(a!.text, b!.text);
  const refs: AstNode[] = [];
  const calls: AstNode[] = [];
  const open: number[] = []; // token index of each open parenthesis
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t.kind === "op") {
      if (t.text === "(") open.push(i);
      if (t.text === ")") open.pop();
      if (t.text === ".") return undefined; // a dot not inside a column reference
    } else if (t.kind === "id" && t.text === "as") {
      // cast(x as <type>): skip the type to the cast's closing parenthesis.
      if (open.length === 0) return undefined;
      let depth = 0;
      while (i + 1 < tokens.length && !(depth === 0 && tokens[i + 1]!.text === ")")) {
        i++;
        if (tokens[i]!.text === "(") depth++;
        if (tokens[i]!.text === ")") depth--;
      }
    } else if (t.kind === "id" && t.text === "distinct") {
      if (tokens[i - 1]?.text !== "(") return undefined; // `is distinct from`
    } else if (t.kind === "id" && EXPRESSION_WORDS.has(t.text)) continue;
    else if (t.kind === "id" && next?.text === "(") {
      if (NOT_SIMPLE.has(t.text)) return undefined;
      calls.push({ type: "function", name: t.text });
    } else if (isName(t)) {
      if (next?.text === ".") {
        const column = tokens[i + 2];
        const after = tokens[i + 3];
        if (!isName(column) || after?.text === "." || after?.text === "(") return undefined;
        refs.push(columnRef(t.text, column!.text));
        i += 2;
      } else if (next?.text === "(") return undefined;
      else refs.push(columnRef(null, t.text));
    } else if (t.kind === "id") return undefined;
    // numbers and strings are values, read nothing
  }
  // Operators over literals alone (`-1`, `1 + 2`): node-sql-parser's literal types decide.
  if (refs.length === 0 && calls.length === 0) return undefined;
  return { type: "fast_expr", refs, calls };
}

/** One select item: its expression and alias (`as x`; an alias without `as` is not handled). */
function selectItem(tokens: Token[]): AstNode | undefined {
  let as: string | null = null;
  let body = tokens;
  const last = tokens[tokens.length - 1];
  const beforeLast = tokens[tokens.length - 2];
  if (beforeLast?.kind === "id" && beforeLast.text === "as" && isName(last)) {
    as = last!.text;
    body = tokens.slice(0, -2);
  } else if (
    tokens.length > 1 &&
    last &&
    isName(last) &&
    beforeLast?.text !== "." &&
    endsOperand(beforeLast)
  )
    return undefined;
  // `*`; and `(a.x)`, which node-sql-parser keeps a column reference (leave parentheses to it).
  if (body.length === 0 || body[0]!.text === "*" || body[0]!.text === "(") return undefined;
  const expr = expression(body);
  return expr ? { expr, as } : undefined;
}

/** `[schema.]table [[as] alias]` from `tokens[at]`: the FROM item and the index after it. */
function fromItem(tokens: Token[], at: number): [AstNode, number] | undefined {
  const first = tokens[at];
  if (!isName(first) || tokens[at + 1]?.text === "(") return undefined;
  let db: string | null = null;
  let table = first!.text;
  let i = at + 1;
  if (tokens[i]?.text === ".") {
    const second = tokens[i + 1];
    if (!isName(second) || tokens[i + 2]?.text === ".") return undefined;
    [db, table] = [first!.text, second!.text];
    i += 2;
  }
  let as: string | null = null;
  if (tokens[i]?.kind === "id" && tokens[i]!.text === "as") i++;
  const alias = tokens[i];
  if (isName(alias)) {
    as = alias!.text;
    i++;
  } else if (tokens[i - 1]?.text === "as") return undefined;
  if (tokens[i]?.text === "(") return undefined; // an alias with a column list
  return [{ db, table, as }, i];
}

/** The index of the first token from `at` outside parentheses that `stop` accepts (or the end). */
function nextOutside(tokens: Token[], at: number, stop: (t: Token) => boolean): number {
  let depth = 0;
  let i = at;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === "(") depth++;
    if (t.text === ")") depth--;
    if (depth === 0 && stop(t)) break;
  }
  return i;
}

/** Where a join condition (`on ...`) ends: the next FROM item, join or clause. */
const afterCondition = (tokens: Token[], at: number) =>
  nextOutside(
    tokens,
    at,
    (t) => t.text === "," || (t.kind === "id" && t.text !== "on" && CLAUSE_WORDS.has(t.text)),
  );

const JOIN_WORDS = new Set(["inner", "left", "right", "full", "outer", "cross"]);
const AFTER_FROM = new Set(["where", "group", "having", "order", "limit", "offset"]);

/**
 * The AST `selectLineage` needs for a simple SELECT (see the top of this file), or undefined
 * when the statement is not of that shape and needs the full parser.
 *
 * @example simpleSelect("select a.x as y from s.t as a")?.columns // [{ expr: column_ref a.x, as: "y" }]
 */
export function simpleSelect(sql: string): AstNode | undefined {
  const tokens = tokenize(sql);
  if (!tokens || tokens[0]?.text !== "select" || tokens[0].kind !== "id") return undefined;
  let selects = 0;
  for (const t of tokens) {
    if (t.kind !== "id") continue;
    if (t.text === "select") selects++;
    if (NOT_SIMPLE.has(t.text) && !["date", "time", "timestamp", "array", "row"].includes(t.text))
      return undefined;
  }
  if (selects !== 1) return undefined;
  let i = 1;
  if (tokens[i]?.text === "distinct" || tokens[i]?.text === "all") i++;
  const start = i;
  i = nextOutside(tokens, i, (t) => t.kind === "id" && t.text === "from");
  if (tokens[i]?.text !== "from") return undefined;
  const columns: AstNode[] = [];
  for (const part of splitTopLevel(tokens.slice(start, i))) {
    const item = selectItem(part);
    if (!item) return undefined;
    columns.push(item);
  }
  const from: AstNode[] = [];
  i++;
  for (;;) {
    const item = fromItem(tokens, i);
    if (!item) return undefined;
    from.push(item[0]);
    i = item[1];
    if (tokens[i]?.kind === "id" && tokens[i]!.text === "on") i = afterCondition(tokens, i + 1);
    const t = tokens[i];
    if (!t || (t.kind === "id" && AFTER_FROM.has(t.text))) break;
    if (t.text === ",") {
      i++;
      continue;
    }
    while (tokens[i]?.kind === "id" && JOIN_WORDS.has(tokens[i]!.text)) i++;
    if (tokens[i]?.kind !== "id" || tokens[i]!.text !== "join") return undefined;
    i++;
  }
  return { type: "select", with: null, columns, from, _next: null };
}
