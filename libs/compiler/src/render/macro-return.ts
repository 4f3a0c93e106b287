import nunjucks from "nunjucks";

type MakeMacro = (
  argNames: string[],
  kwargNames: string[],
  func: (...args: unknown[]) => unknown,
) => unknown;

/** One slot per macro call being run, innermost last: the value its `return()` gave, if any. */
const calls: { returned: boolean; value: unknown }[] = [];

/**
 * dbt's `{{ return(value) }}`: the macro's call evaluates to `value` (a list, a boolean), not
 * to its printed text. Every macro nunjucks makes gets a slot while it runs; `return` fills the
 * innermost one (the first `return` wins). Unlike Python, the rest of the macro still renders
 * (its output is dropped): throwing out of a nunjucks macro would leave its frame behind.
 * Installed once per process, like `installJinjaCompat`.
 *
 * @example {% macro flag() %}{{ return(false) }}{% endmacro %}{{ 'y' if flag() else 'n' }} → n
 */
export function installMacroReturn(): void {
  const runtime = nunjucks.runtime as unknown as { makeMacro: MakeMacro };
  const original = runtime.makeMacro;
  runtime.makeMacro = (argNames, kwargNames, func) =>
    original(argNames, kwargNames, function (this: unknown, ...args: unknown[]) {
      const slot = { returned: false, value: undefined as unknown };
      calls.push(slot);
      try {
        const output = func.apply(this, args);
        return slot.returned ? slot.value : output;
      } finally {
        calls.pop();
      }
    });
}

/** The `return` global: the value the running macro's call evaluates to. */
export function macroReturn(value: unknown): string {
  const slot = calls.at(-1);
  if (slot && !slot.returned) Object.assign(slot, { returned: true, value });
  return "";
}
