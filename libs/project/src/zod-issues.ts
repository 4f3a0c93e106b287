import type { z } from "zod";
import { error } from "./diagnostics.js";
import type { Diagnostic, DiagnosticCode } from "./diagnostics.js";
import { closest } from "./suggest.js";
import { formatPath } from "./yaml-path.js";
import type { YamlPath } from "./yaml-path.js";
import type { YamlSource } from "./yaml-source.js";

/** How to turn zod issues on data read from one YAML file into diagnostics. */
export interface IssueContext {
  source: YamlSource;
  code: DiagnosticCode;
  /** The schema that produced the issues (used to list the valid keys for a typo hint). */
  schema: z.ZodType;
  /** The value the schema was run on. */
  data: unknown;
  /** YAML path of `data` in the file (default: the document root). */
  base?: YamlPath;
  /** Maps a path inside `data` to its YAML path relative to `base` (default: identity). */
  rename?: (path: YamlPath) => YamlPath;
}

type Issue = z.core.$ZodIssue;

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  valueType?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  out?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
  discriminator?: string;
  values?: unknown[];
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Read the value at `path` in plain data. */
export function valueAt(data: unknown, path: YamlPath): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** The keys an object schema allows at `path` (discriminated unions pick the option from `data`). */
export function keysAt(schema: unknown, data: unknown, path: YamlPath): string[] {
  let def = defOf(schema);
  let i = 0;
  for (;;) {
    if (def.innerType) def = defOf(def.innerType);
    // z.preprocess is a pipe from a transform into the real schema: follow the schema side.
    else if (def.type === "pipe" && def.in && def.out)
      def = defOf(defOf(def.in).type === "transform" ? def.out : def.in);
    else if (def.type === "union" && def.options) {
      const here = valueAt(data, path.slice(0, i));
      const disc = def.discriminator;
      const pick =
        def.options.find((o) => {
          const d = defOf(o);
          const lit = disc ? d.shape?.[disc]?._zod.def.values : undefined;
          return (
            disc &&
            here &&
            typeof here === "object" &&
            lit?.includes((here as Record<string, unknown>)[disc])
          );
        }) ?? def.options.find((o) => defOf(o).type === "object");
      if (!pick) return [];
      def = defOf(pick);
    } else if (i === path.length)
      return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
    else if (def.type === "object" && def.shape) {
      const next = def.shape[String(path[i++])];
      if (!next) return [];
      def = defOf(next);
    } else if ((def.type === "record" && def.valueType) || (def.type === "array" && def.element)) {
      i++;
      def = defOf(def.valueType ?? def.element);
    } else return [];
  }
}

/** A short description of a YAML value for "expected X, got Y" messages. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `'${value}'`;
  return `${typeof value} ${String(value)}`;
}

const expectedNames: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a mapping",
  record: "a mapping",
  map: "a mapping",
  array: "a list",
};

function allowed(values: readonly unknown[], got: unknown): string {
  const list = values.map(String);
  const near = typeof got === "string" ? closest(got, list) : undefined;
  return `${near ? `did you mean '${near}'? ` : ""}allowed values: ${list.join(", ")}`;
}

/** One diagnostic per problem (unknown keys give one each), positioned on the offending node. */
export function issuesToDiagnostics(issues: readonly Issue[], ctx: IssueContext): Diagnostic[] {
  const base = ctx.base ?? [];
  const yamlPath = (p: YamlPath): YamlPath => [...base, ...(ctx.rename ? ctx.rename(p) : p)];
  const out: Diagnostic[] = [];
  const push = (p: YamlPath, message: string, hint?: string, prefer: "key" | "value" = "value") => {
    const yp = yamlPath(p);
    out.push(error(ctx.code, `${formatPath(yp)}: ${message}`, ctx.source.locate(yp, prefer), hint));
  };
  const missing = (path: YamlPath, hint?: string) => {
    const yp = yamlPath(path.slice(0, -1));
    const where = yp.length ? `${formatPath(yp)}: ` : "";
    const name = String(yamlPath(path).at(-1));
    out.push(
      error(ctx.code, `${where}missing required key '${name}'`, ctx.source.locate(yp, "key"), hint),
    );
  };
  for (const issue of issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    const got = valueAt(ctx.data, path);
    switch (issue.code) {
      case "unrecognized_keys": {
        const valid = keysAt(ctx.schema, ctx.data, path).map((k) =>
          String(yamlPath([...path, k]).at(-1)),
        );
        for (const key of issue.keys) {
          const shown = String(yamlPath([...path, key]).at(-1));
          const near = closest(shown, valid);
          const hint = near
            ? `did you mean '${near}'?`
            : valid.length
              ? `valid keys: ${valid.join(", ")}`
              : undefined;
          push([...path, key], `unknown key '${shown}'`, hint, "key");
        }
        break;
      }
      case "invalid_type":
        if (
          got === undefined &&
          path.length > 0 &&
          valueAt(ctx.data, path.slice(0, -1)) !== undefined
        )
          missing(path);
        else
          push(
            path,
            `expected ${expectedNames[issue.expected] ?? issue.expected}, got ${describe(got)}`,
          );
        break;
      case "invalid_value":
        if (issue.values.length === 1)
          push(path, `must be '${String(issue.values[0])}', got ${describe(got)}`);
        else push(path, `${describe(got)} is not an allowed value`, allowed(issue.values, got));
        break;
      case "invalid_union":
        if (issue.discriminator !== undefined && "options" in issue) {
          const options = (issue as { options: unknown[] }).options;
          const field =
            issue.path.at(-1) === issue.discriminator ? path : [...path, issue.discriminator];
          const value = valueAt(ctx.data, field);
          if (value === undefined) missing(field, allowed(options, value));
          else push(field, `${describe(value)} is not an allowed value`, allowed(options, value));
        } else push(path, `${issue.message}, got ${describe(got)}`);
        break;
      case "invalid_format":
        push(
          path,
          `${issue.format === "starts_with" ? `must start with '${(issue as { prefix?: string }).prefix ?? ""}'` : issue.message}, got ${describe(got)}`,
        );
        break;
      default:
        push(path, issue.message);
    }
  }
  return out;
}

/**
 * Keep the fields of an object that pass their own schema, so one bad key does not discard the
 * whole object (loading continues with the valid part after reporting the errors).
 */
export function salvage<T>(schema: z.ZodObject, data: unknown): Partial<T> {
  if (!data || typeof data !== "object" || Array.isArray(data)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const r = (field as z.ZodType).safeParse((data as Record<string, unknown>)[key]);
    if (r.success && r.data !== undefined) out[key] = r.data;
  }
  return out as Partial<T>;
}
