import nunjucks from "nunjucks";
import { pyRepr, pyStr } from "./jinja-values.js";
import { datetimeAdd, datetimeSub } from "./py-datetime.js";

/** A Python format error: nunjucks reports it at the expression's line and column. */
function formatError(message: string): Error {
  return new Error(
    `${message} (Python '%' string formatting; supported: %s %r %d %i %f %e %g %x %o %c %%, flags -+ 0#, width, .precision, %(name)s)`,
  );
}

const SPEC = /%(?:\((\w+)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+|\*))?([a-zA-Z%])?/g;

function toNumber(v: unknown, conversion: string): number {
  const n = typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : NaN;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (Number.isNaN(n))
    throw formatError(`%${conversion} format: a number is required, not ${pyRepr(v)}`);
  return n;
}

/** Python's exponent notation: at least two exponent digits (`1.5e+03`). */
const pyExp = (n: number, p: number) => n.toExponential(p).replace(/e([+-])(\d)$/, "e$10$2");

function convert(conversion: string, v: unknown, precision: number | undefined, alt: boolean) {
  switch (conversion) {
    case "s":
      return precision === undefined ? pyStr(v) : pyStr(v).slice(0, precision);
    case "r":
      return pyRepr(v);
    case "d":
    case "i":
    case "u":
      return String(Math.trunc(toNumber(v, conversion)));
    case "f":
    case "F":
      return toNumber(v, conversion).toFixed(precision ?? 6);
    case "e":
    case "E": {
      const s = pyExp(toNumber(v, conversion), precision ?? 6);
      return conversion === "E" ? s.toUpperCase() : s;
    }
    case "g":
    case "G": {
      const n = toNumber(v, conversion);
      const p = precision === 0 ? 1 : (precision ?? 6);
      const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
      let s = exp < -4 || exp >= p ? pyExp(n, p - 1) : n.toFixed(Math.max(0, p - 1 - exp));
      if (!alt) s = s.replace(/\.?0+(?=e|$)/, "");
      return conversion === "G" ? s.toUpperCase() : s;
    }
    case "x":
    case "X":
    case "o": {
      const n = Math.trunc(toNumber(v, conversion));
      const digits = Math.abs(n).toString(conversion === "o" ? 8 : 16);
      const prefix = alt ? (conversion === "o" ? "0o" : "0x") : "";
      const s = (n < 0 ? "-" : "") + prefix + digits;
      return conversion === "X" ? s.toUpperCase() : s;
    }
    case "c":
      return typeof v === "string" ? v : String.fromCodePoint(toNumber(v, conversion));
    default:
      throw formatError(`unsupported format character '${conversion}'`);
  }
}

/**
 * Python's `format % values` (what Jinja2 does with `'%s-%d' % (a, b)`): a tuple (a list here:
 * nunjucks has no tuples) gives the values in order, a dict `%(name)s` values, anything else is
 * the one value. Too few or too many values, or a value of the wrong type, throw as Python's
 * TypeError does, never a silent `NaN`.
 *
 * @example pythonFormat("%s-%05.1f%%", ["a", 3.14159]) // "a-003.1%"
 */
export function pythonFormat(format: string, values: unknown): string {
  const named = typeof values === "object" && values !== null && !Array.isArray(values);
  const list = Array.isArray(values) ? values : [values];
  let next = 0;
  const take = (): unknown => {
    if (next >= list.length) throw formatError("not enough arguments for format string");
    return list[next++];
  };
  const out = format.replace(
    SPEC,
    (
      whole,
      key: string | undefined,
      flags: string,
      width?: string,
      prec?: string,
      conv?: string,
    ) => {
      if (conv === undefined) throw formatError(`incomplete format '${whole}'`);
      if (conv === "%" && whole === "%%") return "%";
      if (width === "*" || prec === "*")
        throw formatError("'*' width or precision is not supported");
      if (key !== undefined && !named) throw formatError("format requires a mapping");
      const value = key !== undefined ? (values as Record<string, unknown>)[key] : take();
      let s = convert(
        conv,
        value,
        prec === undefined ? undefined : Number(prec),
        flags.includes("#"),
      );
      const numeric = !["s", "r", "c"].includes(conv);
      if (numeric && !s.startsWith("-")) {
        if (flags.includes("+")) s = `+${s}`;
        else if (flags.includes(" ")) s = ` ${s}`;
      }
      const w = width === undefined ? 0 : Number(width);
      if (s.length >= w) return s;
      if (flags.includes("-")) return s.padEnd(w);
      if (flags.includes("0") && numeric) {
        const sign = /^[-+ ]/.test(s) ? s[0]! : "";
        return sign + s.slice(sign.length).padStart(w - sign.length, "0");
      }
      return s.padStart(w);
    },
  );
  if (!named && next < list.length)
    throw formatError("not all arguments converted during string formatting");
  return out;
}

/**
 * Python's `%`: string formatting when the left side is a string ({@link pythonFormat}),
 * else the modulo with the divisor's sign (`-7 % 3` is 2, as in Jinja2; JavaScript gives -1).
 */
export function pythonMod(left: unknown, right: unknown): unknown {
  if (typeof left === "string" || left instanceof String) return pythonFormat(String(left), right);
  const a = Number(left);
  const b = Number(right);
  if (typeof left !== "number" || (typeof right !== "number" && typeof right !== "boolean"))
    throw formatError(
      `unsupported operand types for %: ${pyRepr(left)} % ${pyRepr(right)} (a number % a number, or a string % values)`,
    );
  if (b === 0) throw new Error("integer division or modulo by zero");
  return ((a % b) + b) % b;
}

/**
 * Python's truthiness: empty lists, dicts and strings (also nunjucks' SafeString, what a macro or
 * `caller()` returns) are false, where JavaScript holds every object true.
 */
export function pythonTruth(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof (nunjucks.runtime as unknown as { SafeString: new () => object }).SafeString)
    return String(v).length > 0;
  if (typeof v === "object" && v !== null) {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto === Object.prototype || proto === null) return Object.keys(v).length > 0;
    return true;
  }
  return Boolean(v);
}

/**
 * Python's `+`: two lists concatenate (JavaScript would join them into a string); a datetime
 * plus a timedelta is a datetime (py-datetime.ts).
 */
export function pythonAdd(left: unknown, right: unknown): unknown {
  if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
  return datetimeAdd(left, right) ?? (left as number) + (right as number);
}

/** Python's `-`: datetime arithmetic (py-datetime.ts), else JavaScript's. */
export function pythonSub(left: unknown, right: unknown): unknown {
  return datetimeSub(left, right) ?? (left as number) - (right as number);
}

/** Python's `*`: a string or list times an integer repeats it (JavaScript gives NaN). */
export function pythonMul(left: unknown, right: unknown): unknown {
  const [seq, n] =
    typeof right === "string" || Array.isArray(right) ? [right, left] : [left, right];
  if (typeof n === "number" && Number.isInteger(n)) {
    if (typeof seq === "string") return seq.repeat(Math.max(0, n));
    if (Array.isArray(seq)) return Array.from({ length: Math.max(0, n) }, () => seq).flat();
  }
  if (typeof seq === "string" || Array.isArray(seq))
    throw new Error(`can't multiply sequence by non-int ${pyRepr(n)}`);
  return (left as number) * (right as number);
}

type BinOp = { left: unknown; right: unknown; lineno: number; colno: number };
type Emitter = {
  compile(node: unknown, frame: unknown): void;
  _emit(code: string): void;
  _compileAggregate(node: unknown, frame: unknown, start: string, end: string): void;
};

/**
 * Jinja2's operators nunjucks compiles differently, for every template (installed once per
 * process), each a silent difference before: `%` is Python's (`runtime.pythonMod`; it was
 * NaN), a parenthesized list `(a, b)` is a tuple (a list; nunjucks emitted JavaScript's comma
 * operator and kept only `b`, so `x in ('a', 'b')` tested `x in 'b'`), `list + list`
 * concatenates (it was a string), `'-' * 3` repeats (NaN), a datetime minus a timedelta is a
 * datetime (it was a number), and `if`, `x if c else y`, `not`,
 * `and`, `or` use Python's truthiness (an empty list or dict was true).
 */
export function installPythonOperators(): void {
  // The compiler and node classes exist at run time; @types/nunjucks does not declare them.
  const internals = nunjucks as unknown as {
    nodes: { Group: { prototype: unknown } };
    compiler: { Compiler: { prototype: Record<string, unknown> } };
  };
  const nodesGroup = internals.nodes.Group;
  Object.assign(nunjucks.runtime, { pythonMod, pythonAdd, pythonSub, pythonMul, pythonTruth });
  const proto = internals.compiler.Compiler.prototype;
  // As nunjucks' function calls do: the position updated first, so an error points at the
  // expression (its left operand).
  proto.compileMod = function (this: Emitter, node: BinOp, frame: unknown) {
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.pythonMod(`);
    this.compile(node.left, frame);
    this._emit(", ");
    this.compile(node.right, frame);
    this._emit("))");
  };
  const call = (fn: string) =>
    function (this: Emitter, node: BinOp, frame: unknown) {
      this._emit(`runtime.${fn}(`);
      this.compile(node.left, frame);
      this._emit(", ");
      this.compile(node.right, frame);
      this._emit(")");
    };
  proto.compileAdd = call("pythonAdd");
  proto.compileSub = call("pythonSub");
  proto.compileMul = call("pythonMul");
  // `a and b` / `a or b` give an operand, chosen by Python's truthiness; `b` is evaluated only
  // when needed.
  const logical = (and: boolean) =>
    function (this: Emitter, node: BinOp, frame: unknown) {
      this._emit("(function (l) { return runtime.pythonTruth(l) ");
      this._emit(and ? "? (" : "? l : (");
      this.compile(node.right, frame);
      this._emit(and ? ") : l; })(" : "); })(");
      this.compile(node.left, frame);
      this._emit(")");
    };
  proto.compileAnd = logical(true);
  proto.compileOr = logical(false);
  proto.compileNot = function (this: Emitter, node: { target: unknown }, frame: unknown) {
    this._emit("!runtime.pythonTruth(");
    this.compile(node.target, frame);
    this._emit(")");
  };
  // `{% if %}` and `x if c else y` test their condition by Python's truthiness.
  // A node nunjucks accepts as an expression (a Group), compiled by compilePythonTruth.
  const truthOf = (cond: unknown): unknown => {
    const node = Object.create(nodesGroup.prototype as object) as object;
    Object.defineProperty(node, "typename", { value: "PythonTruth" });
    const at = cond as BinOp;
    return Object.assign(node, { children: [cond], lineno: at.lineno, colno: at.colno });
  };
  proto.compilePythonTruth = function (
    this: Emitter,
    node: { children: unknown[] },
    frame: unknown,
  ) {
    this._emit("runtime.pythonTruth(");
    this.compile(node.children[0], frame);
    this._emit(")");
  };
  for (const name of ["compileIf", "compileInlineIf"]) {
    const original = proto[name] as (
      this: unknown,
      node: { cond: unknown },
      ...rest: unknown[]
    ) => void;
    proto[name] = function (this: unknown, node: { cond: unknown }, ...rest: unknown[]) {
      const cond = node.cond;
      node.cond = truthOf(cond);
      try {
        original.call(this, node, ...rest);
      } finally {
        node.cond = cond;
      }
    };
  }
  proto.compileGroup = function (this: Emitter, node: { children: unknown[] }, frame: unknown) {
    if (node.children.length > 1) this._compileAggregate(node, frame, "[", "]");
    else this._compileAggregate(node, frame, "(", ")");
  };
}
