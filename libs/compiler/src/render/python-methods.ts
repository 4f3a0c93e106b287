import nunjucks from "nunjucks";
import { pyStr } from "./jinja-values.js";
import { kwargsOf } from "./kwargs.js";

type Method = (this: string, ...args: unknown[]) => unknown;

const strip = (s: string, chars: unknown, where: "both" | "start" | "end"): string => {
  const set = chars === undefined || chars === null ? null : String(chars);
  const keep = (c: string) => (set === null ? !/\s/.test(c) : !set.includes(c));
  let a = 0;
  let b = s.length;
  if (where !== "end") while (a < b && !keep(s[a]!)) a++;
  if (where !== "start") while (b > a && !keep(s[b - 1]!)) b--;
  return s.slice(a, b);
};

/** Python's str methods dbt macros call (`'a,b'.split(',')`, `'{}_{}'.format(a, b)`). */
const STRING_METHODS: Record<string, Method> = {
  upper() {
    return this.toUpperCase();
  },
  lower() {
    return this.toLowerCase();
  },
  strip(chars) {
    return strip(this, chars, "both");
  },
  lstrip(chars) {
    return strip(this, chars, "start");
  },
  rstrip(chars) {
    return strip(this, chars, "end");
  },
  split(sep, max) {
    const parts =
      sep === undefined || sep === null ? this.trim().split(/\s+/) : this.split(String(sep));
    if (typeof max !== "number" || max < 0 || parts.length <= max + 1) return parts;
    return [...parts.slice(0, max), parts.slice(max).join(String(sep ?? " "))];
  },
  startswith(prefix) {
    return Array.isArray(prefix)
      ? prefix.some((p) => this.startsWith(String(p)))
      : this.startsWith(String(prefix));
  },
  endswith(suffix) {
    return Array.isArray(suffix)
      ? suffix.some((p) => this.endsWith(String(p)))
      : this.endsWith(String(suffix));
  },
  replace(old, next) {
    return this.split(String(old)).join(String(next));
  },
  format(...args) {
    let i = 0;
    const named = kwargsOf(args.at(-1));
    return this.replace(/\{(\w*)\}/g, (_, key: string) =>
      pyStr(key === "" ? args[i++] : /^\d+$/.test(key) ? args[Number(key)] : named[key]),
    );
  },
  join(items) {
    return (Array.isArray(items) ? items : []).map(pyStr).join(this);
  },
  title() {
    return this.toLowerCase().replace(
      /(^|[^a-z0-9])([a-z])/g,
      (_, a: string, b: string) => a + b.toUpperCase(),
    );
  },
  capitalize() {
    return this.charAt(0).toUpperCase() + this.slice(1).toLowerCase();
  },
  isdigit() {
    return /^\d+$/.test(this);
  },
  find(sub) {
    return this.indexOf(String(sub));
  },
  count(sub) {
    return this.split(String(sub)).length - 1;
  },
};

/** List methods Jinja's compat layer lacks. */
const LIST_METHODS: Record<string, (this: unknown[], ...args: unknown[]) => unknown> = {
  extend(items) {
    if (Array.isArray(items)) this.push(...(items as unknown[]));
    return "";
  },
};

type Lookup = (obj: unknown, val: unknown, ...rest: unknown[]) => unknown;

/** Marks a function templates both call and read members of (see {@link callableWithMembers}). */
const CALLABLE_WITH_MEMBERS = Symbol("callableWithMembers");

/**
 * A function with members, as Python's classes are (`datetime(2026, 1, 1)`, `datetime.now()`):
 * templates reach it whole (it must not read `this`).
 */
export function callableWithMembers<F extends (...args: never[]) => unknown, M extends object>(
  fn: F,
  members: M,
): F & M {
  return Object.assign(fn, members, { [CALLABLE_WITH_MEMBERS]: true });
}

/**
 * Python's str methods (and `list.extend`) on template values, over nunjucks' Jinja-compat
 * layer (which gives lists and dicts theirs: `.append()`, `.items()`, `.get()`). Installed once
 * per process, like `installJinjaCompat`, which it extends.
 */
export function installPythonMethods(): void {
  const runtime = nunjucks.runtime as unknown as { memberLookup: Lookup };
  const original = runtime.memberLookup;
  runtime.memberLookup = function memberLookup(this: unknown, obj, val, ...rest) {
    // A callable with members (`modules.datetime.datetime(...)` and `.now()`): nunjucks would
    // hand over a wrapper without them.
    const member =
      typeof obj === "object" && obj !== null && typeof val === "string"
        ? (obj as Record<string, unknown>)[val]
        : undefined;
    if (typeof member === "function" && Object.hasOwn(member, CALLABLE_WITH_MEMBERS)) return member;
    if (typeof obj === "string" && typeof val === "string" && Object.hasOwn(STRING_METHODS, val))
      return STRING_METHODS[val]!.bind(obj);
    // A slice of a string is a string (`name[3:]`); Jinja compat's slice gives a list of chars.
    if (typeof obj === "string" && rest.length >= 2)
      return (original.call(this, obj, val, ...rest) as string[]).join("");
    if (Array.isArray(obj) && typeof val === "string" && Object.hasOwn(LIST_METHODS, val))
      return LIST_METHODS[val]!.bind(obj);
    return original.call(this, obj, val, ...rest);
  };
}
