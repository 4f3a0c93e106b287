import type { Diagnostic, ModelConfig } from "@sluice/project";
import type { TemplateRelation } from "../render/render-scope.js";
import type { CompileContext } from "./compile-context.js";
import type { NameIndex } from "./name-index.js";
import { renderNodeSql } from "./render-node-sql.js";
import type { BuiltNodes } from "./render-node-sql.js";
import { HOOK_KEYS } from "./hook-keys.js";

/**
 * A model's `pre_hook` and `post_hook` statements rendered as dbt renders them when the model
 * runs: Jinja, `{{ this }}` the model's relation, `ref()`/`source()`/`var()` as in the model
 * (the runner sends them as they are, before and after the build). The config with the hooks
 * rendered (the same object when it has none), or the render's errors, each message naming
 * the hook (`post_hook 2: ...`).
 *
 * @example renderHooks(ctx, index, built, { file: "models/m.sql", self, deps: [], config })
 * // { ...config, post_hook: ['analyze "main"."m"'] } for post_hook "analyze {{ this }}"
 */
export function renderHooks(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
  input: {
    file: string;
    self: TemplateRelation;
    deps: readonly string[];
    reads?: Set<string>;
    config: ModelConfig;
  },
): ModelConfig | Diagnostic[] {
  const { config } = input;
  if (HOOK_KEYS.every((key) => (config[key]?.length ?? 0) === 0)) return config;
  const problems: Diagnostic[] = [];
  const rendered: ModelConfig = { ...config };
  for (const key of HOOK_KEYS) {
    const hooks = config[key];
    if (hooks === undefined) continue;
    rendered[key] = hooks.map((text, i) => {
      const name = `${key} ${i + 1}`;
      const template = ctx.renderer.compile(input.file, text);
      if ("code" in template) {
        problems.push({ ...template, message: `${name}: ${template.message}` });
        return text;
      }
      const out = renderNodeSql(ctx, index, built, {
        file: input.file,
        text,
        template,
        isIncremental: false,
        self: input.self,
        deps: input.deps,
        ...(input.reads ? { reads: input.reads } : {}),
      });
      if (Array.isArray(out)) {
        problems.push(...out.map((d) => ({ ...d, message: `${name}: ${d.message}` })));
        return text;
      }
      return out.bare.trim();
    });
  }
  return problems.length > 0 ? problems : rendered;
}
