import nunjucks from "nunjucks";
import { compileJinjaDict, exportPrivateMacro } from "./jinja-syntax.js";

const SafeString = (nunjucks.runtime as unknown as { SafeString: new () => object }).SafeString;

/** A string however a template holds it: nunjucks' SafeString (a macro's output), `String`. */
const asString = (v: unknown): string | undefined =>
  typeof v === "string"
    ? v
    : v instanceof SafeString || v instanceof String
      ? String(v)
      : undefined;

/**
 * A dict as Jinja2 has one: an object literal (`{'a': 1}`), not a class instance nor an object
 * that prints itself (a relation: `{{ this }}`).
 */
function isDict(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Object.hasOwn(v, "toString")) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Python's `str(v)` for what templates hold: None, True/False, lists as `['a', 1]`, dicts as
 * `{'k': True}`; anything else as JavaScript prints it (numbers, relations).
 *
 * @example pyStr([true, "a", null]) // "[True, 'a', None]"
 */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  // modules.datetime's values: Python's str of a naive datetime (in UTC here).
  if (v instanceof Date) return v.toISOString().replace("T", " ").replace("Z", "000");
  if (isDict(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(", ")}}`;
  return String(v);
}

/** Python's `repr(v)`: strings quoted (in double quotes when they hold only a single one). */
export function pyRepr(v: unknown): string {
  const s = asString(v);
  if (s === undefined) return pyStr(v);
  if (s.includes("'") && !s.includes('"')) return `"${s.replaceAll("\\", "\\\\")}"`;
  return `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/**
 * Python's `==`: lists and dicts by value (item by item, key by key), True equal to 1, a string
 * never equal to a number; none and an undefined name equal each other (as nunjucks had them).
 *
 * @example pyEq(["a", "b"], ["a", "b"]) // true (nunjucks: false, two different arrays)
 */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined)
    return (a === null || a === undefined) && (b === null || b === undefined);
  const sa = asString(a);
  const sb = asString(b);
  if (sa !== undefined || sb !== undefined) return sa === sb;
  if (Array.isArray(a) || Array.isArray(b))
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => pyEq(x, b[i]))
    );
  if (isDict(a) || isDict(b)) {
    if (!isDict(a) || !isDict(b)) return false;
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]))
    );
  }
  const numeric = (v: unknown) =>
    typeof v === "number" || typeof v === "boolean" || typeof v === "bigint";
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  return a === b;
}

/** `{{ value }}` in a Jinja template: Python's str; an undefined name is still an error there. */
function jinjaOutput(v: unknown, lineno: number, colno: number): unknown {
  if (v === undefined)
    throw new nunjucks.lib.TemplateError(
      "attempted to output undefined value",
      lineno + 1,
      colno + 1,
    );
  return v instanceof SafeString ? v : pyStr(v);
}

/** `a ~ b`: both sides as Python's str (`'x' ~ true` is `xTrue`). */
const jinjaConcat = (a: unknown, b: unknown): string =>
  (asString(a) ?? pyStr(a)) + (asString(b) ?? pyStr(b));

/** A comparison of a chain that holds `==` or `!=`: those by {@link pyEq}, others as compiled. */
function jinjaCompare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case "==":
      return pyEq(a, b);
    case "!=":
      return !pyEq(a, b);
    case "===":
      return a === b;
    case "!==":
      return a !== b;
    case "<":
      return (a as number) < (b as number);
    case ">":
      return (a as number) > (b as number);
    case "<=":
      return (a as number) <= (b as number);
    default:
      return (a as number) >= (b as number);
  }
}

/** `x in list` compares items by value ({@link pyEq}); strings and dicts as nunjucks does. */
function jinjaIn(key: unknown, container: unknown): boolean {
  if (Array.isArray(container)) return container.some((item) => pyEq(key, item));
  return (nunjucks.lib as unknown as { inOperator(k: unknown, v: unknown): boolean }).inOperator(
    key,
    container,
  );
}

type Node = { lineno: number; colno: number };
type Emitter = {
  buffer: string;
  throwOnUndefined: boolean;
  compile(node: unknown, frame: unknown): void;
  compileLiteral(node: unknown, frame: unknown): void;
  _emit(code: string): void;
  _emitLine(code: string): void;
};
type Method = (this: Emitter, node: never, frame: unknown) => void;

/** Whether the template being compiled now is a Jinja one (see {@link installJinjaValues}). */
let compilingJinja = false;

/**
 * The option that makes an environment's templates print and compare values as Jinja2 does:
 * `new nunjucks.Environment(null, { ...options, ...JINJA_VALUES })` (dbt projects).
 */
export const JINJA_VALUES = { jinjaValues: true } as const;

/**
 * Jinja2's printing and equality, for the templates of environments created with
 * {@link JINJA_VALUES} (installed once per process; other environments compile exactly as
 * before): `{{ true }}` prints `True`, `{{ none }}` `None`, `{{ [true, 'a'] }}` `[True, 'a']`,
 * `{{ {'k': 1} }}` `{'k': 1}`, a datetime `2026-12-04 13:56:01.123000`, `~` joins Python's str of each side, `==`/`!=` compare lists
 * and dicts by value (nunjucks: by identity) and never equate a string with a number, and `in`
 * finds a list by value in a list of lists; and Jinja2's syntax of `jinja-syntax.ts` (dict keys
 * as expressions, `_private` macros exported).
 */
export function installJinjaValues(): void {
  const internals = nunjucks as unknown as {
    nodes: { TemplateData: new () => object };
    compiler: {
      compile(src: string, a: unknown, e: unknown, name: string, opts?: object): string;
      Compiler: { prototype: Record<string, Method> };
    };
  };
  const jinjaKey = (v: unknown) => asString(v) ?? pyStr(v);
  Object.assign(nunjucks.runtime, { jinjaOutput, jinjaConcat, jinjaCompare, jinjaIn, jinjaKey });
  const compile = internals.compiler.compile;
  internals.compiler.compile = (src, a, e, name, opts) => {
    const before = compilingJinja;
    compilingJinja = (opts as { jinjaValues?: boolean } | undefined)?.jinjaValues === true;
    try {
      return compile(src, a, e, name, opts);
    } finally {
      compilingJinja = before;
    }
  };
  const proto = internals.compiler.Compiler.prototype;
  const only = (
    name: string,
    jinja: (this: Emitter, node: never, frame: never, original: Method) => void,
  ) => {
    const original = proto[name]!;
    proto[name] = function (this: Emitter, node: never, frame: unknown) {
      if (!compilingJinja) return original.call(this, node, frame);
      return jinja.call(this, node, frame as never, original);
    };
  };
  only("compileDict", compileJinjaDict as never);
  only("compileMacro", exportPrivateMacro as never);
  only("compileOutput", function (node: { children: Node[] } & Node, frame) {
    for (const child of node.children) {
      if (child instanceof internals.nodes.TemplateData) {
        if ((child as { value?: string }).value) {
          this._emit(`${this.buffer} += `);
          this.compileLiteral(child, frame);
          this._emitLine(";");
        }
        continue;
      }
      this._emit(`${this.buffer} += runtime.suppressValue(runtime.jinjaOutput(`);
      this.compile(child, frame);
      this._emit(`, ${node.lineno}, ${node.colno}), env.opts.autoescape);\n`);
    }
  });
  const call = (fn: string) =>
    function (this: Emitter, node: { left: unknown; right: unknown }, frame: unknown) {
      this._emit(`runtime.${fn}(`);
      this.compile(node.left, frame);
      this._emit(", ");
      this.compile(node.right, frame);
      this._emit(")");
    };
  only("compileConcat", call("jinjaConcat"));
  only("compileIn", call("jinjaIn"));
  // `a == b < c` is nunjucks' left-to-right chain: ((a == b) < c), each step a call.
  only(
    "compileCompare",
    function (node: { expr: unknown; ops: { type: string; expr: unknown }[] }, frame) {
      for (const op of [...node.ops].reverse())
        this._emit(`runtime.jinjaCompare(${JSON.stringify(op.type)}, `);
      this.compile(node.expr, frame);
      for (const op of node.ops) {
        this._emit(", ");
        this.compile(op.expr, frame);
        this._emit(")");
      }
    },
  );
}
