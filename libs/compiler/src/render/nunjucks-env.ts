import { withoutMaterializations } from "./materialization-blocks.js";
import nunjucks from "nunjucks";
import type { Diagnostic, MacroFile } from "@sluice/project";
import { contextFunctions, sluiceTarget } from "./context.js";
import type { ContextInputs } from "./context.js";
import {
  dbtContextGlobals,
  dbtFilters,
  dbtRelation,
  dbtRelationFunctions,
  dbtTests,
  isRaised,
  modelObject,
} from "./dbt-context.js";
import type { DbtContextInputs } from "./dbt-context.js";
import { bridgeJinja } from "./jinja-bridge.js";
import { addJinjaFilters } from "./jinja-filters.js";
import { installMacroReturn } from "./macro-return.js";
import { installPythonMethods } from "./python-methods.js";
import { installPythonOperators } from "./python-operators.js";
import { installJinjaValues, JINJA_VALUES } from "./jinja-values.js";
import { namesAsWrittenScope } from "./render-scope.js";
import { parseSimpleTemplate, renderSimpleTemplate } from "./simple-template.js";
import type { SimplePart } from "./simple-template.js";
import type { RenderScope } from "./render-scope.js";
import { templateErrorDiagnostic } from "./template-error.js";
import type { TemplateErrorContext } from "./template-error.js";

/**
 * A template compiled once per compile run and rendered as often as needed: a nunjucks
 * template, or a {@link SimpleTemplate} for the simple kind most models are.
 */
export type CompiledTemplate = nunjucks.Template | SimpleTemplate;

/** A template read by the simple path; nunjucks compiles it only if a render needs it. */
class SimpleTemplate {
  nunjucks?: nunjucks.Template;
  constructor(
    readonly parts: readonly SimplePart[],
    /** The text after {@link bridgeJinja}: what nunjucks compiles. */
    readonly source: string,
    readonly file: string,
  ) {}
}

/**
 * Whether a model file's text is of the kind the direct path evaluates without nunjucks (in a
 * project that is not a dbt project). A render can still fall back to nunjucks, e.g. for a
 * name that is not defined, so nunjucks gives its error.
 */
export const isDirectTemplate = (text: string): boolean =>
  parseSimpleTemplate(bridgeJinja(text)) !== undefined;

/**
 * How model templates are rendered: `direct` evaluates the simple kind (see simple-template.ts)
 * without nunjucks and compiles the rest; `nunjucks` compiles every template (what the direct
 * path is tested against).
 */
export type TemplatePath = "direct" | "nunjucks";

/** One nunjucks environment per compile: templates compile once, macros are globals. */
export interface Renderer {
  /** Compile a template, or say why it does not parse. */
  compile(file: string, text: string): CompiledTemplate | Diagnostic;
  /** Render in a scope; errors land in `scope.diagnostics` and the result is undefined. */
  render(template: CompiledTemplate, scope: RenderScope): string | undefined;
  /** TEMPLATE_SYNTAX diagnostics of macro files. */
  readonly macroDiagnostics: Diagnostic[];
  /**
   * What the macro files export, as text: each macro's name and file, and the value of any
   * other exported name. A render records the macro files it called in `scope.reads`.
   */
  readonly macrosKey: string;
  /** Whether a project or package macro of this name exists (`test_unique_combination`). */
  hasMacro(name: string): boolean;
  /**
   * Call a macro with keyword arguments in a scope (its ref() calls are recorded there); its
   * output as text, or undefined with the error in `scope.diagnostics`.
   */
  callMacro(name: string, kwargs: Record<string, unknown>, scope: RenderScope): string | undefined;
}

/** Keyword arguments as nunjucks passes them to a macro (untyped in @types/nunjucks). */
const keywordArgs = (kwargs: Record<string, unknown>): unknown =>
  (nunjucks.runtime as unknown as { makeKeywordArgs(o: object): unknown }).makeKeywordArgs(kwargs);

// Jinja2's Python methods on values (`.upper()`, `.items()`, `.append()`), `True`/`None`, and
// slices, for every template: it only adds to what nunjucks accepts. `%` and `(a, b)` as Jinja2
// has them: what nunjucks made of them was never what a template meant (NaN, the last item).
nunjucks.installJinjaCompat();
installPythonMethods();
installPythonOperators();
installMacroReturn();
installJinjaValues();

type Exporting = {
  getExported(
    ctx: object,
    frame: unknown,
    cb: (err: unknown, exported: Record<string, unknown>) => void,
  ): void;
};

/**
 * The environment of one compile. With `dbt` (a project loaded from dbt_project.yml, or any
 * project that wants dbt's context), templates also see dbt's context members and filters.
 */
export function createRenderer(
  inputs: ContextInputs,
  macros: readonly MacroFile[],
  dbt?: DbtContextInputs,
  templates: TemplatePath = "direct",
): Renderer {
  // dev: keep nunjucks' own error objects, which carry lineno/colno.
  const env = new nunjucks.Environment(null, {
    autoescape: false,
    throwOnUndefined: true,
    dev: true,
    // dbt projects are written for Jinja2: True/None printed, lists compared by value.
    ...(dbt ? JINJA_VALUES : {}),
  });
  addJinjaFilters(env);
  const macroNames = new Set<string>();
  let scope: RenderScope = namesAsWrittenScope("");
  if (dbt) {
    const macro = (name: string) => (macroNames.has(name) ? env.getGlobal(name) : undefined);
    const globals = dbtContextGlobals(dbt, () => scope, macro, inputs.log);
    for (const [name, value] of Object.entries(globals)) env.addGlobal(name, value);
    for (const [name, fn] of Object.entries(dbtFilters())) env.addFilter(name, fn);
    // addTest exists at run time; @types/nunjucks does not declare it.
    const tests = env as unknown as { addTest(name: string, fn: (v: unknown) => boolean): void };
    for (const [name, fn] of Object.entries(dbtTests())) tests.addTest(name, fn);
  }
  const functions = contextFunctions(inputs, () => scope);
  // dbt's ref() and source() return relations (dbt_utils checks `relation.metadata.type`).
  if (dbt)
    Object.assign(
      functions,
      dbtRelationFunctions(dbt, () => scope, { ...functions } as never),
    );
  for (const [name, fn] of Object.entries(functions)) env.addGlobal(name, fn);
  if (!dbt) env.addGlobal("target", sluiceTarget(inputs));
  env.addGlobal("this", "");

  // What an error is reported against: the template's text, and the names it could have meant.
  const names = env as unknown as { globals: object; filters: object };
  const errorContext = (text: string): TemplateErrorContext => ({
    text,
    globals: Object.keys(names.globals),
    filters: Object.keys(names.filters),
  });
  const compileNunjucks = (file: string, text: string): nunjucks.Template | Diagnostic => {
    try {
      return new nunjucks.Template(bridgeJinja(text), env, file, true);
    } catch (e) {
      return templateErrorDiagnostic(file, e, errorContext(text));
    }
  };
  // dbt projects' context members are not all plain functions of their arguments: nunjucks only.
  const compile = (file: string, text: string): CompiledTemplate | Diagnostic => {
    const source = bridgeJinja(text);
    const parts = dbt || templates === "nunjucks" ? undefined : parseSimpleTemplate(source);
    return parts ? new SimpleTemplate(parts, source, file) : compileNunjucks(file, text);
  };
  // The simple path, else nunjucks (compiled now if the template was simple until this render).
  // A simple render that gives up leaves no trace in the scope: nunjucks renders it again.
  const renderTemplate = (template: CompiledTemplate, next: RenderScope): string => {
    if (!(template instanceof SimpleTemplate)) return template.render({});
    const recorded = [next.refs, next.sources, next.configs, next.diagnostics];
    const lengths = recorded.map((list) => list.length);
    try {
      return renderSimpleTemplate(template.parts, names.globals as Record<string, unknown>);
    } catch {
      recorded.forEach((list, i) => (list.length = lengths[i]!));
    }
    template.nunjucks ??= new nunjucks.Template(template.source, env, template.file, true);
    return template.nunjucks.render({});
  };

  const render = (template: CompiledTemplate, next: RenderScope): string | undefined => {
    const previous = scope;
    scope = next;
    env.addGlobal("this", next.self ? (dbt ? dbtRelation(dbt, next.self) : next.self) : "");
    if (dbt) env.addGlobal("model", modelObject(dbt.projectName, next.file));
    if (dbt) env.addGlobal("execute", next.parsing !== true);
    try {
      return renderTemplate(template, next);
    } catch (e) {
      if (!isRaised(e))
        next.diagnostics.push(templateErrorDiagnostic(next.file, e, errorContext(next.text)));
      return undefined;
    } finally {
      scope = previous;
      if (dbt) env.addGlobal("execute", previous.parsing !== true);
    }
  };

  // A macro records its file in the calling render's reads, so a compile memo knows which
  // models a changed macro file affects.
  // A unit test's `overrides.macros` gives the value instead of calling the macro.
  const recording = (file: string, name: string, macro: (...args: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]): unknown {
      const overrides = scope.overrides?.macros;
      if (overrides && name in overrides) return overrides[name];
      scope.reads.add(`macro:${file}`);
      return macro.apply(this, args);
    };
  const exports: [string, unknown][] = [];
  const macroDiagnostics: Diagnostic[] = [];
  const namespaces: Record<string, Record<string, unknown>> = {};
  for (const file of [...macros].sort((a, b) => a.path.localeCompare(b.path))) {
    const { text: macroText, warnings } = withoutMaterializations(file.path, file.text);
    macroDiagnostics.push(...warnings);
    const tpl = compileNunjucks(file.path, macroText);
    if (!(tpl instanceof nunjucks.Template)) {
      macroDiagnostics.push(tpl);
      continue;
    }
    const macroScope = namesAsWrittenScope(file.path, file.text);
    scope = macroScope;
    (tpl as unknown as Exporting).getExported({}, null, (err, exported) => {
      if (err)
        macroDiagnostics.push(templateErrorDiagnostic(file.path, err, errorContext(file.text)));
      else
        for (const [name, value] of Object.entries(exported ?? {})) {
          const isMacro = typeof value === "function";
          const global = isMacro ? recording(file.path, name, value as () => unknown) : value;
          env.addGlobal(name, global);
          exports.push([name, isMacro ? `macro in ${file.path}` : value]);
          macroNames.add(name);
          // dbt calls a package's macros as `package.name` too.
          if (file.package) (namespaces[file.package] ??= {})[name] = global;
        }
    });
    macroDiagnostics.push(...macroScope.diagnostics);
  }
  for (const [pkg, members] of Object.entries(namespaces))
    if (!macroNames.has(pkg)) env.addGlobal(pkg, members);
  const hasMacro = (name: string) => macroNames.has(name);
  const callMacro = (
    name: string,
    kwargs: Record<string, unknown>,
    next: RenderScope,
  ): string | undefined => {
    const previous = scope;
    scope = next;
    try {
      const fn = env.getGlobal(name) as (...args: unknown[]) => unknown;
      return String(fn(keywordArgs(kwargs)));
    } catch (e) {
      if (!isRaised(e))
        next.diagnostics.push(templateErrorDiagnostic(next.file, e, errorContext(next.text)));
      return undefined;
    } finally {
      scope = previous;
    }
  };
  return {
    compile,
    render,
    macroDiagnostics,
    macrosKey: JSON.stringify(exports),
    hasMacro,
    callMacro,
  };
}
