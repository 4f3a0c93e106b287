import { createHash } from "node:crypto";
import nunjucks from "nunjucks";
import { error, warning } from "@sluice/project/diagnostics";
import { dbtTargetObject } from "@sluice/project/compile-time";
import type { DocBlock, SqlDialect, TargetConfig } from "@sluice/project";
import { crossDbMacros } from "./cross-db-macros.js";
import { pyStr } from "./jinja-values.js";
import { macroReturn } from "./macro-return.js";
import { closestHint } from "@sluice/project/suggest";
import { locateCall } from "./locate.js";
import { cteName } from "../graph/ephemeral.js";
import { templateRelation } from "./render-scope.js";
import type { RenderScope, TemplateRelation } from "./render-scope.js";
import { warehouseCalls } from "./warehouse.js";
import { datetimeModule, PyDateTime, pytzModule } from "./py-datetime.js";

/**
 * The dbt invocation flags a template can read as `flags.<name>`, and `RUN_STARTED_AT`: the
 * invocation's start (ISO 8601), what `run_started_at` and `modules.datetime`'s now() and
 * today() read.
 */
export type DbtFlag = "WHICH" | "FULL_REFRESH" | "STORE_FAILURES" | "RUN_STARTED_AT";

/** What dbt's context members read that does not change between renders of one compile. */
export interface DbtContextInputs {
  projectName: string;
  targetName: string;
  target: TargetConfig;
  /** The physical schema models build in without a custom schema. */
  targetSchema: string;
  /** dbt projects: the profile profiles.yml was read from (`target.profile_name`). */
  profileName?: string;
  docs: readonly DocBlock[];
  /** Quote an identifier as the target's dialect does. */
  quote: (name: string) => string;
  /** What model SQL is written in (for dbt's cross-database macros). */
  sqlDialect: SqlDialect;
  /** Project-relative paths of the project's models (for `graph`). */
  modelFiles: readonly string[];
  /** A SQL string literal as the target's dialect writes it (for warehouse queries). */
  literal: (value: string) => string;
  /**
   * dbt's invocation flags, asked for each time a template reads one: `WHICH`, the command
   * (`build`, `run`, `test`, `compile`...; absent: `run`); `FULL_REFRESH` and `STORE_FAILURES`,
   * "true" when given (absent: false); `RUN_STARTED_AT`, the invocation's start (absent: the
   * time it is read). A caller that reuses a compile records which were asked for: a template
   * that read the clock is rendered again by the next invocation.
   */
  flag?: (name: DbtFlag) => string | undefined;
  /**
   * dbt's `invocation_id`: the run's id (the CLI compiles with a placeholder that each run's
   * statements carry as their own id, as table versions do).
   */
  invocationId?: string;
}

/** `target` of a model's context (see {@link dbtTargetObject}). */
export function targetObject(inputs: DbtContextInputs): Record<string, unknown> {
  return dbtTargetObject({
    name: inputs.targetName,
    config: inputs.target,
    schema: inputs.targetSchema,
    profileName: inputs.profileName ?? inputs.projectName,
  });
}

/**
 * A relation as dbt templates hold one (dbt's `BaseRelation`): `database`, `schema`,
 * `identifier`, `name`, `is_cte`, `render()`, `include()`, and `metadata.type` (what dbt_utils'
 * `_is_relation` checks: `DuckDBRelation`, `AthenaRelation`); printed as its SQL name.
 *
 * @example dbtRelation(inputs, templateRelation("main", "orders", '"main"."orders"')).schema // "main"
 */
export function dbtRelation(
  inputs: Pick<DbtContextInputs, "target">,
  rel: TemplateRelation,
): Record<string, unknown> {
  const sql = String(rel);
  const engine = inputs.target.engine;
  const relation: Record<string, unknown> = {
    database: engine === "duckdb" ? "main" : "awsdatacatalog",
    schema: rel.schema,
    identifier: rel.identifier,
    name: rel.name,
    is_cte: rel.isCte === true,
    metadata: { type: engine === "duckdb" ? "DuckDBRelation" : "AthenaRelation" },
    render: () => sql,
    include: () => relation,
    toString: () => sql,
  };
  return relation;
}

/**
 * `ref()`, `source()` and `this` of dbt projects: relations ({@link dbtRelation}) over the plain
 * functions, which record the call and give the SQL name.
 */
export function dbtRelationFunctions(
  inputs: Pick<DbtContextInputs, "target" | "projectName">,
  current: () => RenderScope,
  plain: { ref: (...a: unknown[]) => unknown; source: (...a: unknown[]) => unknown },
): { ref: (...a: unknown[]) => unknown; source: (...a: unknown[]) => unknown } {
  return {
    ref: (...args: unknown[]) => {
      const name = refName(inputs, current(), args);
      if (name === undefined) return "";
      const sql = String(plain.ref(name));
      const parts = current().refRelation?.(String(name));
      return dbtRelation(inputs, parts ?? templateRelation("", String(name), sql));
    },
    source: (sourceName: unknown, table: unknown, ...rest: unknown[]) => {
      const sql = String(plain.source(sourceName, table, ...rest));
      const parts = current().sourceRelation?.(String(sourceName), String(table));
      return dbtRelation(inputs, parts ?? templateRelation(String(sourceName), String(table), sql));
    },
  };
}

/**
 * The model a dbt `ref()` names: `ref('model')`, or `ref('project', 'model')` with this
 * project's name (dbt's two-argument form, for a package's or another project's model: sluice
 * builds neither, an error at the call). A `version`/`v` keyword is warned about: sluice has no
 * model versions, and the model is read as it is. Undefined when the call was reported.
 */
function refName(
  inputs: Pick<DbtContextInputs, "projectName">,
  scope: RenderScope,
  args: readonly unknown[],
): unknown {
  const last = args.at(-1) as Record<string, unknown> | undefined;
  const keywords = typeof last === "object" && last !== null && last.__keywords === true;
  const positional = keywords ? args.slice(0, -1) : args;
  if (keywords && (last.version !== undefined || last.v !== undefined))
    report(
      scope,
      "ref",
      `ref(): model versions are not supported: the model is read as it is, not version ${pyStr(last.version ?? last.v)}`,
      "remove version= (sluice builds one version of each model)",
      true,
    );
  if (positional.length < 2) return positional[0];
  const [project, model] = positional;
  if (project === inputs.projectName) return model;
  report(
    scope,
    "ref",
    `ref('${String(project)}', '${String(model)}'): '${String(project)}' is not this project ('${inputs.projectName}'): sluice builds this project's models only, not a package's or another project's`,
    `ref('${String(model)}') for a model of this project`,
  );
  return undefined;
}

/** What `exceptions.raise_compiler_error` throws to stop the render; its diagnostic is reported. */
export class CompilerErrorRaised extends Error {}

/** Whether a render failed on `raise_compiler_error` (reported already), as nunjucks wraps it. */
export const isRaised = (e: unknown): boolean =>
  e instanceof CompilerErrorRaised ||
  (e as { cause?: unknown })?.cause instanceof CompilerErrorRaised;

/** Report an unsupported or failed call at its position in the current template. */
function report(
  scope: RenderScope,
  name: string,
  message: string,
  hint: string,
  warn = false,
  code: "TEMPLATE_SYNTAX" | "TEMPLATE_LOG" = "TEMPLATE_SYNTAX",
) {
  const at = locateCall(scope.file, scope.text, name.split(".").at(-1)!);
  scope.diagnostics.push(warn ? warning(code, message, at, hint) : error(code, message, at, hint));
}

/**
 * What `log(msg, info=True)` and `print(msg)` write: dbt prints it on the console, so it is
 * shown at the call, kept with the compile and shown again by every command that uses it (a
 * line only printed while rendering would vanish when the compile is reused).
 */
const logged = (scope: RenderScope, name: string, message: string) =>
  report(scope, name, message, `written by ${name}() in the project's Jinja`, true, "TEMPLATE_LOG");

/**
 * dbt's context members beyond ref/source/config/var: `target`, `doc`, `execute`, `log`,
 * `print`, `return`, `exceptions`, `namespace`, `modules`, `adapter`, `api`, `run_query`,
 * `statement`/`load_result`, `fromjson`/`tojson`. `execute` is false in the parse render (set
 * per render by the renderer), where `run_query`/`statement`/`load_result` return none as in dbt's
 * parse; in a model's compile render, what reads the warehouse answers from the render's
 * `WarehouseSession` (see `warehouse.ts`: the runner renders the model again with results).
 */
export function dbtContextGlobals(
  inputs: DbtContextInputs,
  current: () => RenderScope,
  macro: (name: string) => unknown,
  log: (line: string) => void = () => {},
): Record<string, unknown> {
  const docs = new Map(inputs.docs.map((d) => [d.name, d.text]));
  const clock = () => {
    const at = inputs.flag?.("RUN_STARTED_AT");
    return at === undefined ? new Date() : new Date(at);
  };
  const relation = (schema: string, identifier: string) =>
    dbtRelation(
      inputs,
      templateRelation(schema, identifier, `${inputs.quote(schema)}.${inputs.quote(identifier)}`),
    );
  const warehouse = warehouseCalls(
    {
      quote: inputs.quote,
      literal: inputs.literal,
      relation,
      report: (name, message, hint) => report(current(), name, message, hint),
    },
    current,
  );
  const crossDb = crossDbMacros(inputs.sqlDialect);
  return {
    ...crossDb,
    dbt: crossDb,
    target: targetObject(inputs),
    project_name: inputs.projectName,
    invocation_id: inputs.invocationId ?? "",
    // dbt's run_started_at: the invocation's start, UTC; the clock is read when a template uses it.
    run_started_at: new PyDateTime(clock, "UTC"),
    graph: graphObject(inputs.projectName, inputs.modelFiles),
    execute: false,
    // dbt's invocation flags, each asked for when a template reads it (the CLI records the read).
    flags: {
      get WHICH() {
        return inputs.flag?.("WHICH") ?? "run";
      },
      get FULL_REFRESH() {
        return inputs.flag?.("FULL_REFRESH") === "true";
      },
      get STORE_FAILURES() {
        return inputs.flag?.("STORE_FAILURES") === "true";
      },
    },
    doc: (name: unknown) => {
      const text = docs.get(String(name));
      if (text !== undefined) return text;
      report(
        current(),
        "doc",
        `doc('${String(name)}'): no docs block of that name`,
        closestHint(String(name), docs.keys()) ??
          "define it in a .md file under the model paths: {% docs name %}...{% enddocs %}",
      );
      return "";
    },
    // `log(msg, info=True)` (a keyword) or `log(msg, True)` prints; without it, only dbt's log file.
    log: (msg: unknown, info?: unknown) => {
      if (info === true || (info as { info?: unknown } | undefined)?.info === true) {
        log(String(msg));
        logged(current(), "log", String(msg));
      }
      return "";
    },
    print: (msg: unknown) => {
      log(String(msg));
      logged(current(), "print", String(msg));
      return "";
    },
    return: macroReturn,
    exceptions: {
      // Reported at the call, then the render stops there, as dbt's does.
      raise_compiler_error: (msg: unknown) => {
        report(current(), "raise_compiler_error", String(msg), "raised by the project's Jinja");
        throw new CompilerErrorRaised(String(msg));
      },
      warn: (msg: unknown) => {
        report(current(), "warn", String(msg), "raised by the project's Jinja", true);
        return "";
      },
    },
    namespace: (kwargs: Record<string, unknown> = {}) => {
      const { __keywords: _, ...values } = kwargs;
      // `{% set ns.x = v %}` calls this (see jinja-bridge.ts); not enumerable, so not a member.
      return Object.defineProperty({ ...values }, "__setattr__", {
        value(this: Record<string, unknown>, key: string, value: unknown) {
          this[key] = value;
          return "";
        },
      });
    },
    modules: {
      datetime: datetimeModule(clock),
      pytz: pytzModule(),
      re: {
        match: (p: string, s: string) => new RegExp(`^(?:${p})`).exec(s),
        search: (p: string, s: string) => new RegExp(p).exec(s),
        sub: (p: string, r: string, s: string) => s.replace(new RegExp(p, "g"), r),
        findall: (p: string, s: string) => [...s.matchAll(new RegExp(p, "g"))].map((m) => m[0]),
      },
    },
    fromjson: (text: unknown) => JSON.parse(String(text)) as unknown,
    tojson: (value: unknown) => JSON.stringify(value),
    // dbt's set(), zip() and local_md5(): a list of distinct values, Python's zip as a list of
    // pairs (shortest input), the hex md5 of a string.
    set: (value: unknown) => [...new Set(iterableOf(value))],
    zip: (...lists: unknown[]) => {
      const arrays = lists.map(iterableOf);
      const length = Math.min(...arrays.map((a) => a.length));
      return Array.from({ length: arrays.length === 0 ? 0 : length }, (_, i) =>
        arrays.map((a) => a[i]),
      );
    },
    local_md5: (value: unknown) => createHash("md5").update(String(value)).digest("hex"),
    run_query: warehouse.run_query,
    statement: warehouse.statement,
    load_result: warehouse.load_result,
    adapter: {
      quote: (name: unknown) => inputs.quote(String(name)),
      // dbt's search: `<adapter>__name`, then `default__name`, in the project and packages.
      dispatch: (name: unknown) => {
        const bare = String(name).split(".").at(-1)!;
        const type = inputs.target.engine;
        const found = [`${type}__${bare}`, `default__${bare}`, bare]
          .map((n) => macro(n))
          .find((m) => m !== undefined);
        if (found !== undefined) return found;
        report(
          current(),
          "dispatch",
          `adapter.dispatch('${bare}'): no macro ${type}__${bare} or default__${bare}`,
          `define {% macro default__${bare}(...) %} in the project's macros`,
        );
        return () => "";
      },
      get_columns_in_relation: warehouse.get_columns_in_relation,
      get_relation: warehouse.get_relation,
    },
    api: {
      Relation: {
        create: (kwargs: Record<string, unknown> = {}) =>
          relation(String(kwargs.schema ?? inputs.targetSchema), String(kwargs.identifier ?? "")),
        // sluice names an ephemeral model's CTE with its own prefix.
        add_ephemeral_prefix: (name: unknown) => cteName(String(name)),
      },
    },
  };
}

/** A list of what a dbt set()/zip() argument iterates (a string: its characters; none: none). */
function iterableOf(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string" || Array.isArray(value)) return [...value];
  if (typeof value === "object" && Symbol.iterator in value)
    return [...(value as Iterable<unknown>)];
  return typeof value === "object" ? Object.keys(value) : [value];
}

/**
 * Jinja2's `none` test. nunjucks' Jinja compat reads `none` in `x is none` as the literal null,
 * so the test it calls is `null`, which would be false for undefined (what a dbt call returning
 * None gives, and an unset name): both names accept null and undefined.
 */
export function dbtTests(): Record<string, (value: unknown) => boolean> {
  const none = (v: unknown) => v === null || v === undefined;
  return { none, null: none };
}

/**
 * `model`: the node being rendered, as far as compile knows it before running (`name`,
 * `unique_id`, `resource_type`, `original_file_path`, `package_name`).
 */
export function modelObject(projectName: string, file: string): Record<string, unknown> {
  const name = file.replace(/^.*\//, "").replace(/\.sql$/i, "");
  return {
    name,
    alias: name,
    unique_id: `model.${projectName}.${name}`,
    resource_type: "model",
    original_file_path: file,
    package_name: projectName,
  };
}

/** `graph`: the project's models by unique id (as `model` describes each). */
export function graphObject(projectName: string, modelFiles: readonly string[]) {
  const nodes = Object.fromEntries(
    modelFiles.map((f) => {
      const m = modelObject(projectName, f);
      return [m.unique_id as string, m];
    }),
  );
  return { nodes, sources: {}, exposures: {}, macros: {} };
}

/** Filters dbt projects use beyond nunjucks' own. */
export function dbtFilters(): Record<string, (...args: unknown[]) => unknown> {
  return {
    tojson: (v) => JSON.stringify(v),
    as_bool: (v) => (typeof v === "string" ? /^true$/i.test(v.trim()) : Boolean(v)),
    as_number: (v) => Number(v),
    as_native: (v) => {
      if (typeof v !== "string") return v;
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v;
      }
    },
    as_text: (v) => pyStr(v),
    // Python's str of each value, as Jinja2 prints it (`True`, `None`, `['a']`).
    string: (v) => pyStr(v),
    join: (items, ...args) => {
      const list = Array.isArray(items) ? items : [...((items ?? []) as Iterable<unknown>)];
      type Kw = { d?: unknown; attribute?: unknown; __keywords?: true };
      const kw = (args.find((a) => (a as Kw | undefined)?.__keywords) ?? {}) as Kw;
      const [separator = kw.d ?? "", attribute = kw.attribute] = args.filter((a) => a !== kw);
      const pick = (v: unknown) =>
        attribute === undefined ? v : (v as Record<string, unknown>)[String(attribute)];
      return list.map((v) => pyStr(pick(v))).join(String(separator));
    },
  };
}

/** nunjucks with Jinja2's Python methods on strings, lists and dicts (`.upper()`, `.items()`). */
export function installJinjaCompat(): void {
  nunjucks.installJinjaCompat();
}
