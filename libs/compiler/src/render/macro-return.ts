import nunjucks from "nunjucks";

type MakeMacro = (
  argNames: string[],
  kwargNames: string[],
  func: (...args: unknown[]) => unknown,
) => unknown;

type MacroEmitter = {
  codebuf: string[];
  _compileMacro(this: MacroEmitter, node: unknown, frame: unknown): string;
};

/** Thrown by `return()` and caught by the innermost macro call, which evaluates to `value`. */
class MacroReturn {
  constructor(readonly value: unknown) {}
}

/** How many macro calls are running (a `return` outside any is ignored). */
let depth = 0;

/**
 * dbt's `{{ return(value) }}`: the macro's call evaluates to `value` (a list, a boolean), not
 * to its printed text, and the rest of the macro does not run, as in dbt (`{% if not execute
 * %}{{ return('') }}{% endif %}` guards what follows). `return` throws and the macro's wrapper
 * catches it; every compiled macro restores its caller's nunjucks frame in a `finally` (macros
 * of one file share the variable holding it, so a macro that returned would otherwise leave its
 * caller reading the callee's arguments). Installed once per process, like `installJinjaCompat`.
 *
 * @example {% macro flag() %}{{ return(false) }}{% endmacro %}{{ 'y' if flag() else 'n' }} → n
 */
export function installMacroReturn(): void {
  const compiler = (nunjucks as unknown as { compiler: { Compiler: { prototype: MacroEmitter } } })
    .compiler.Compiler.prototype;
  const compileMacro = compiler._compileMacro;
  compiler._compileMacro = function (this: MacroEmitter, node: unknown, frame: unknown) {
    const start = this.codebuf.length;
    const id = compileMacro.call(this, node, frame);
    // The function nunjucks emitted: `function (...) {`, `var callerFrame = frame;`, ..., `});`.
    const open = this.codebuf.indexOf("var callerFrame = frame;\n", start);
    const end = this.codebuf.length - 1;
    if (open < 0 || this.codebuf[end] !== "});\n")
      throw new Error("nunjucks' compiled macro changed shape: macro-return.ts needs an update");
    this.codebuf[open] = "var callerFrame = frame; try {\n";
    this.codebuf[end] = "} finally { frame = callerFrame; } });\n";
    return id;
  };
  const runtime = nunjucks.runtime as unknown as { makeMacro: MakeMacro };
  const original = runtime.makeMacro;
  runtime.makeMacro = (argNames, kwargNames, func) =>
    original(argNames, kwargNames, function (this: unknown, ...args: unknown[]) {
      depth++;
      try {
        return func.apply(this, args);
      } catch (e) {
        if (e instanceof MacroReturn) return e.value;
        throw e;
      } finally {
        depth--;
      }
    });
}

/** The `return` global: the running macro's call evaluates to `value`, now. */
export function macroReturn(value: unknown): string {
  if (depth > 0) throw new MacroReturn(value);
  return "";
}
