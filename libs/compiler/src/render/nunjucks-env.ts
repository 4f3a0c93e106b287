import nunjucks from "nunjucks";
import type { Diagnostic, MacroFile } from "@sluice/project";
import { contextFunctions } from "./context.js";
import type { ContextInputs } from "./context.js";
import { newScope } from "./render-scope.js";
import type { RenderScope } from "./render-scope.js";
import { templateErrorDiagnostic } from "./template-error.js";
import type { TemplateErrorContext } from "./template-error.js";

/** A template compiled once per compile run and rendered as often as needed. */
export type CompiledTemplate = nunjucks.Template;

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
}

type Exporting = {
  getExported(
    ctx: object,
    frame: unknown,
    cb: (err: unknown, exported: Record<string, unknown>) => void,
  ): void;
};

export function createRenderer(inputs: ContextInputs, macros: readonly MacroFile[]): Renderer {
  // dev: keep nunjucks' own error objects, which carry lineno/colno.
  const env = new nunjucks.Environment(null, {
    autoescape: false,
    throwOnUndefined: true,
    dev: true,
  });
  let scope: RenderScope = newScope({
    file: "",
    text: "",
    isIncremental: false,
    resolveRef: (n) => n,
    resolveSource: (s, t) => `${s}.${t}`,
  });
  for (const [name, fn] of Object.entries(contextFunctions(inputs, () => scope)))
    env.addGlobal(name, fn);
  env.addGlobal("this", "");

  // What an error is reported against: the template's text, and the names it could have meant.
  const names = env as unknown as { globals: object; filters: object };
  const errorContext = (text: string): TemplateErrorContext => ({
    text,
    globals: Object.keys(names.globals),
    filters: Object.keys(names.filters),
  });
  const compile = (file: string, text: string): CompiledTemplate | Diagnostic => {
    try {
      return new nunjucks.Template(text, env, file, true);
    } catch (e) {
      return templateErrorDiagnostic(file, e, errorContext(text));
    }
  };

  const render = (template: CompiledTemplate, next: RenderScope): string | undefined => {
    const previous = scope;
    scope = next;
    env.addGlobal("this", next.self ?? "");
    try {
      return template.render({});
    } catch (e) {
      next.diagnostics.push(templateErrorDiagnostic(next.file, e, errorContext(next.text)));
      return undefined;
    } finally {
      scope = previous;
    }
  };

  // A macro records its file in the calling render's reads, so a compile memo knows which
  // models a changed macro file affects.
  const recording = (file: string, macro: (...args: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]): unknown {
      scope.reads.add(`macro:${file}`);
      return macro.apply(this, args);
    };
  const exports: [string, unknown][] = [];
  const macroDiagnostics: Diagnostic[] = [];
  for (const file of [...macros].sort((a, b) => a.path.localeCompare(b.path))) {
    const tpl = compile(file.path, file.text);
    if (!(tpl instanceof nunjucks.Template)) {
      macroDiagnostics.push(tpl);
      continue;
    }
    const macroScope = newScope({
      file: file.path,
      text: file.text,
      isIncremental: false,
      resolveRef: (n) => n,
      resolveSource: (s, t) => `${s}.${t}`,
    });
    scope = macroScope;
    (tpl as unknown as Exporting).getExported({}, null, (err, exported) => {
      if (err)
        macroDiagnostics.push(templateErrorDiagnostic(file.path, err, errorContext(file.text)));
      else
        for (const [name, value] of Object.entries(exported ?? {})) {
          const isMacro = typeof value === "function";
          env.addGlobal(name, isMacro ? recording(file.path, value as () => unknown) : value);
          exports.push([name, isMacro ? `macro in ${file.path}` : value]);
        }
    });
    macroDiagnostics.push(...macroScope.diagnostics);
  }
  return { compile, render, macroDiagnostics, macrosKey: JSON.stringify(exports) };
}
