import { hasErrors } from "@sluice/project/diagnostics";
import { defaultModelConfig, unknownConfigKeyWarnings } from "@sluice/project/compile-time";
import type {
  FolderConfig,
  ModelConfig,
  ModelFile,
  ModelProperties,
  SnapshotFile,
  SourceLocation,
} from "@sluice/project";
import { checkConfig } from "../config/check-config.js";
import { checkSnapshotConfig } from "../config/check-snapshot-config.js";
import { folderLayers, mergeConfig } from "../config/merge-config.js";
import type { ConfigLayer } from "../config/merge-config.js";
import { locateCall } from "../render/locate.js";
import type { CompiledTemplate } from "../render/nunjucks-env.js";
import { newScope, templateRelation } from "../render/render-scope.js";
import type { CompileContext } from "./compile-context.js";

const NO_FOLDERS: FolderConfig = { config: {}, children: {} };

/** A model after the parse render: its merged config and the names it reads. */
export interface ParsedModel {
  file: ModelFile;
  template?: CompiledTemplate;
  properties?: ModelProperties;
  config: ModelConfig;
  /** ref() names and source() pairs, first call first, without repeats. */
  refs: string[];
  sources: [string, string][];
  /** False when the model itself has an error (its dependents are skipped). */
  ok: boolean;
  /** What its renders read besides the template (see `RenderScope.reads`); shared by every render. */
  reads: Set<string>;
}

function renderForParse(
  ctx: CompileContext,
  file: ModelFile,
  template: CompiledTemplate,
  isIncremental: boolean,
  reads: Set<string>,
) {
  const q = (name: string) => ctx.dialect.quoteIdentifier(name);
  const scope = newScope({
    file: file.path,
    text: file.text,
    isIncremental,
    resolveRef: (name) => q(name),
    resolveSource: (s, t) => `${q(s)}.${q(t)}`,
    self: templateRelation("default", file.name, q(file.name)),
    reads,
    parsing: true,
  });
  ctx.renderer.render(template, scope);
  return scope;
}

/**
 * The layer of a model's `config()` calls. Its `at` (the first call, found in the text) is looked
 * up when a diagnostic asks for it: most models have no config mistake to place.
 */
function configCallLayer(
  file: ModelFile,
  configs: readonly Record<string, unknown>[],
): ConfigLayer {
  let at: SourceLocation | undefined;
  return {
    origin: `config() in ${file.path}`,
    get at() {
      return (at ??= locateCall(file.path, file.text, "config"));
    },
    values: Object.assign({}, ...configs) as Record<string, unknown>,
  };
}

/**
 * Render a model once with placeholder relations (twice for incremental models, so refs inside
 * `{% if is_incremental() %}` count) to learn its config() and dependencies, as dbt's parse does.
 * A dbt snapshot (`kind: "snapshot"`) takes the `snapshots:` folder config and is checked as one.
 */
export function parseModel(
  ctx: CompileContext,
  file: ModelFile,
  properties: ModelProperties | undefined,
  kind: "model" | "snapshot" = "model",
): ParsedModel {
  const compiled = ctx.renderer.compile(file.path, file.text);
  const parsed: ParsedModel = {
    file,
    properties,
    config: defaultModelConfig,
    refs: [],
    sources: [],
    ok: true,
    reads: new Set(),
  };
  if ("code" in compiled) {
    ctx.diagnostics.add(compiled);
    return { ...parsed, config: mergeConfig([]).config, ok: false };
  }
  parsed.template = compiled;
  const first = renderForParse(ctx, file, compiled, false, parsed.reads);
  const snapshot = kind === "snapshot";
  const layers: ConfigLayer[] = [
    ...(snapshot ? [{ origin: "a snapshot", values: { materialized: "snapshot" } }] : []),
    ...folderLayers(
      snapshot ? (ctx.project.config.snapshots ?? NO_FOLDERS) : ctx.project.config.models,
      file.folders,
      ctx.project.config.name,
    ),
  ];
  if (properties)
    layers.push({
      origin: `config: of model '${file.name}' in ${properties.at.file}`,
      at: properties.at,
      values: properties.config,
    });
  if (first.configs.length > 0) {
    const layer = configCallLayer(file, first.configs);
    layers.push(layer);
    unknownConfigKeyWarnings(layer.values, () => layer.at, layer.origin).forEach((d) =>
      ctx.diagnostics.add(d),
    );
  }
  const merged = mergeConfig(layers, ctx.configs);
  const valid = merged.diagnostics.length === 0;
  const configDiagnostics =
    !valid || !merged.config.enabled
      ? merged.diagnostics
      : snapshot
        ? checkSnapshotConfig(merged, ctx.dialect, (file as Partial<SnapshotFile>).at)
        : checkConfig(merged, ctx.target.name, ctx.dialect);
  const configOk = !hasErrors(configDiagnostics);
  parsed.config = merged.config;
  if (valid)
    parsed.config.schema =
      // dbt < 1.9 snapshots name their schema as written.
      (snapshot ? merged.config.target_schema : undefined) ??
      ctx.target.schemaName(merged.setBy.has("schema") ? merged.config.schema : undefined);
  const scopes = [first];
  if (valid && merged.config.materialized === "incremental" && merged.config.enabled) {
    scopes.push(renderForParse(ctx, file, compiled, true, parsed.reads));
  }
  for (const d of [...scopes.flatMap((s) => s.diagnostics), ...configDiagnostics])
    ctx.diagnostics.add(d);
  // Warnings (`exceptions.warn`) do not stop the model, as in dbt.
  parsed.ok = scopes.every((s) => s.diagnostics.every((d) => d.severity !== "error")) && configOk;
  parsed.refs = [...new Set(scopes.flatMap((s) => s.refs))];
  const seen = new Set<string>();
  for (const pair of scopes.flatMap((s) => s.sources)) {
    const key = pair.join(".");
    if (!seen.has(key)) {
      seen.add(key);
      parsed.sources.push(pair);
    }
  }
  return parsed;
}
