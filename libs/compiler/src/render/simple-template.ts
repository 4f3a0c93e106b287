import { isSpace } from "../is-space.js";

/**
 * A fast path for the templates most models are: text, comments, `{{ call(...) }}`, `{{ name }}`,
 * `{% set name = call(...) %}` and `{% if call(...) %}...{% else %}...{% endif %}` (the
 * `is_incremental()` blocks), where a call is a global function (ref, source, config, var, a
 * macro, ...) with literal, list, dict or name arguments and keyword arguments. Compiling such a
 * template with nunjucks costs a parse, a JavaScript code generation and a `new Function` per
 * model (most of a 10,000-model compile); this reads it in one pass and renders it with the
 * environment's own globals, with nunjucks' semantics: `-` whitespace control (of comments too),
 * keyword arguments as nunjucks passes them, output by string concatenation.
 *
 * Anything else (filters, `elif`, `for`, attribute access, operators, a name that is not
 * defined, a null output, an `if` condition that is not a boolean) is not this path's business:
 * {@link parseSimpleTemplate} returns undefined for it, and {@link renderSimpleTemplate} throws,
 * so the caller renders with nunjucks, which gives the output or the error it always gave.
 *
 * @example parseSimpleTemplate("select * from {{ ref('orders') }}")
 * // ["select * from ", { out: { call: "ref", args: [{ value: "orders" }], kwargs: [] } }]
 */
export type SimplePart =
  | string
  | { out: SimpleExpr }
  | { set: string; value: SimpleExpr }
  | { if: SimpleExpr; then: SimplePart[]; else: SimplePart[] };

/** A literal value, a list, a dict, a name looked up at render time, or a call of a global. */
export type SimpleExpr =
  | { value: string | number | boolean }
  | { list: SimpleExpr[] }
  | { dict: [string, SimpleExpr][] }
  | { name: string }
  | { call: string; args: SimpleExpr[]; kwargs: [string, SimpleExpr][] };

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[0-9]+(\.[0-9]+)?(?![A-Za-z0-9_.])/y;
// Words nunjucks or Jinja give a meaning of their own (operators, literals, True/None, ...).
const RESERVED = new Set([
  "and",
  "or",
  "not",
  "in",
  "is",
  "if",
  "else",
  "true",
  "false",
  "none",
  "null",
  "True",
  "False",
  "None",
]);

/** Thrown when a template is not of the simple kind after all; never escapes the renderer. */
class NotSimple extends Error {}

/** Reads the code of one tag; every method throws {@link NotSimple} on what it does not know. */
class CodeReader {
  constructor(
    private readonly text: string,
    public at: number,
  ) {}

  /** The next character, as it is (no whitespace skipped). */
  peek(): string | undefined {
    return this.text[this.at];
  }

  skipSpace(): void {
    while (this.at < this.text.length && isSpace(this.text.charCodeAt(this.at))) this.at++;
  }

  /** Consume `token` (after whitespace) if it is next. */
  eat(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.at)) return false;
    this.at += token.length;
    return true;
  }

  name(): string {
    const word = this.word();
    if (RESERVED.has(word)) throw new NotSimple();
    return word;
  }

  /** A name or a keyword (`if`, `else`, ...). */
  word(): string {
    this.skipSpace();
    NAME.lastIndex = this.at;
    const m = NAME.exec(this.text);
    if (!m) throw new NotSimple();
    this.at = NAME.lastIndex;
    return m[0];
  }

  expr(): SimpleExpr {
    this.skipSpace();
    const c = this.text[this.at];
    if (c === "'" || c === '"') return { value: this.string(c) };
    if (c === "[") {
      this.at++;
      const list: SimpleExpr[] = [];
      if (!this.eat("]")) {
        do list.push(this.expr());
        while (this.eat(","));
        if (!this.eat("]")) throw new NotSimple();
      }
      return { list };
    }
    if (c === "{") return this.dict();
    NUMBER.lastIndex = this.at;
    const number = NUMBER.exec(this.text);
    if (number) {
      this.at = NUMBER.lastIndex;
      return { value: Number(number[0]) };
    }
    const name = this.name();
    if (!this.eat("(")) return { name };
    const args: SimpleExpr[] = [];
    const kwargs: [string, SimpleExpr][] = [];
    if (!this.eat(")")) {
      do {
        const arg = this.expr();
        // `key=value` (not `==`): a keyword argument, passed last as nunjucks does.
        this.skipSpace();
        if ("name" in arg && this.text[this.at] === "=" && this.text[this.at + 1] !== "=") {
          this.at++;
          kwargs.push([arg.name, this.expr()]);
        } else args.push(arg);
      } while (this.eat(","));
      if (!this.eat(")")) throw new NotSimple();
    }
    return { call: name, args, kwargs };
  }

  /** `{'key': value, ...}` with string keys, as nunjucks builds it (an object literal). */
  private dict(): SimpleExpr {
    this.at++;
    const dict: [string, SimpleExpr][] = [];
    if (!this.eat("}")) {
      do {
        this.skipSpace();
        const quote = this.text[this.at];
        if (quote !== "'" && quote !== '"') throw new NotSimple();
        const key = this.string(quote);
        // An object literal's `__proto__` sets the prototype; not worth matching.
        if (key === "__proto__" || !this.eat(":")) throw new NotSimple();
        dict.push([key, this.expr()]);
      } while (this.eat(","));
      if (!this.eat("}")) throw new NotSimple();
    }
    // nunjucks' lexer reads `}}` as the end of the tag, whatever it closes.
    if (this.text[this.at] === "}") throw new NotSimple();
    return { dict };
  }

  /** A quoted string with nunjucks' escapes (`\n`, `\t`, `\r`, else the character itself). */
  private string(quote: string): string {
    // Without a backslash before the closing quote, the string is the text between the quotes.
    const close = this.text.indexOf(quote, this.at + 1);
    const plain = close === -1 ? undefined : this.text.slice(this.at + 1, close);
    if (plain !== undefined && !plain.includes("\\")) {
      this.at = close + 1;
      return plain;
    }
    let out = "";
    for (this.at++; this.at < this.text.length; this.at++) {
      const c = this.text[this.at]!;
      if (c === quote) {
        this.at++;
        return out;
      }
      if (c !== "\\") out += c;
      else {
        const e = this.text[++this.at];
        out += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : (e ?? "");
      }
    }
    throw new NotSimple();
  }
}

/** The template's parts, or undefined when it is not of the simple kind. */
export function parseSimpleTemplate(text: string): SimplePart[] | undefined {
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof NotSimple) return undefined;
    throw e;
  }
}

/** An open `{% if %}`: the list its parts go to now, and the part it is. */
type OpenIf = { part: Extract<SimplePart, { if: SimpleExpr }>; in: SimplePart[]; sawElse: boolean };

function parse(text: string): SimplePart[] {
  const parts: SimplePart[] = [];
  const open: OpenIf[] = [];
  let into = parts;
  let at = 0;
  let trimLeading = false;
  while (at <= text.length) {
    let tag = text.indexOf("{", at);
    while (tag !== -1 && !"{%#".includes(text[tag + 1] ?? "x")) tag = text.indexOf("{", tag + 1);
    let data = text.slice(at, tag === -1 ? text.length : tag);
    // nunjucks' lexer rejects a stray comment end in text.
    if (data.includes("#}")) throw new NotSimple();
    if (trimLeading) data = data.replace(/^\s*/, "");
    trimLeading = false;
    if (tag === -1) {
      if (data) into.push(data);
      break;
    }
    const kind = text[tag + 1];
    const trimBefore = text[tag + 2] === "-";
    if (trimBefore) data = data.replace(/\s*$/, "");
    if (data) into.push(data);
    if (kind === "#") {
      // A comment runs to the first `#}`; `-#}` trims the text after it.
      const close = text.indexOf("#}", tag + 2);
      if (close === -1) throw new NotSimple();
      trimLeading = text[close - 1] === "-";
      at = close + 2;
      continue;
    }
    const code = new CodeReader(text, tag + 2 + (trimBefore ? 1 : 0));
    const end = kind === "{" ? "}}" : "%}";
    if (kind === "{") into.push({ out: code.expr() });
    else into = statement(code, into, open, parts);
    if (code.eat(`-${end}`)) trimLeading = true;
    else if (!code.eat(end)) throw new NotSimple();
    at = code.at;
  }
  if (open.length > 0) throw new NotSimple();
  return parts;
}

/** A `{% ... %}` tag's statement: set, if, else or endif. Returns the list parts go to next. */
function statement(
  code: CodeReader,
  into: SimplePart[],
  open: OpenIf[],
  top: SimplePart[],
): SimplePart[] {
  const keyword = code.word();
  if (keyword === "set") {
    const name = code.name();
    if (!code.eat("=") || code.peek() === "=") throw new NotSimple();
    into.push({ set: name, value: code.expr() });
    return into;
  }
  if (keyword === "if") {
    const part = { if: code.expr(), then: [], else: [] };
    into.push(part);
    open.push({ part, in: part.then, sawElse: false });
    return part.then;
  }
  const current = open.at(-1);
  if (!current) throw new NotSimple();
  if (keyword === "else" && !current.sawElse) {
    current.sawElse = true;
    current.in = current.part.else;
    return current.in;
  }
  if (keyword !== "endif") throw new NotSimple();
  open.pop();
  return open.at(-1)?.in ?? top;
}

/**
 * Render parts against `globals` (the nunjucks environment's). Throws when the simple path
 * cannot give nunjucks' result (an unknown name, a null output, a call that throws): the caller
 * then renders the template with nunjucks.
 */
export function renderSimpleTemplate(
  parts: readonly SimplePart[],
  globals: Readonly<Record<string, unknown>>,
): string {
  const frame = new Map<string, unknown>();
  const lookup = (name: string): unknown => {
    const value = frame.has(name)
      ? frame.get(name)
      : Object.hasOwn(globals, name)
        ? globals[name]
        : undefined;
    if (value === undefined || value === null) throw new NotSimple();
    return value;
  };
  const evaluate = (e: SimpleExpr): unknown => {
    if ("value" in e) return e.value;
    if ("list" in e) return e.list.map(evaluate);
    if ("dict" in e) {
      const dict: Record<string, unknown> = {};
      for (const [key, value] of e.dict) dict[key] = evaluate(value);
      return dict;
    }
    if ("name" in e) return lookup(e.name);
    const fn = lookup(e.call);
    if (typeof fn !== "function") throw new NotSimple();
    const args = e.args.map(evaluate);
    if (e.kwargs.length > 0) {
      const kwargs: Record<string, unknown> = {};
      for (const [key, value] of e.kwargs) kwargs[key] = evaluate(value);
      kwargs["__keywords"] = true;
      args.push(kwargs);
    }
    return (fn as (...a: unknown[]) => unknown)(...args);
  };
  const write = (list: readonly SimplePart[]): string => {
    let out = "";
    for (const part of list) {
      if (typeof part === "string") out += part;
      else if ("out" in part) {
        const value = evaluate(part.out);
        if (value === undefined || value === null) throw new NotSimple();
        out += value as string;
      } else if ("set" in part) frame.set(part.set, evaluate(part.value));
      else {
        // nunjucks tests the condition by Python's truthiness: a boolean means the same in both.
        const cond = evaluate(part.if);
        if (typeof cond !== "boolean") throw new NotSimple();
        out += write(cond ? part.then : part.else);
      }
    }
    return out;
  };
  return write(parts);
}
