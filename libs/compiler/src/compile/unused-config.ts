import { warning } from "@sluice/project/diagnostics";
import type { Diagnostic, FolderConfig, ModelProperties, Project } from "@sluice/project";
import { closestHint } from "@sluice/project/suggest";

/**
 * PROPERTIES_UNUSED warnings for properties YAML entries that name no model: their
 * descriptions, config and tests would otherwise vanish without a word.
 *
 * @example unusedProperties(project) // [warn PROPERTIES_UNUSED: 'funnell' ... names no model; hint: did you mean 'funnel'?]
 */
export function unusedProperties(project: Project): Diagnostic[] {
  const names = project.models.map((m) => m.name);
  const known = new Set(names);
  return project.modelProperties
    .filter((p) => !known.has(p.name))
    .map((p) =>
      warning(
        "PROPERTIES_UNUSED",
        `models: entry '${p.name}' names no model: its config, columns and tests are ignored`,
        p.at,
        closestHint(p.name, names) ?? `models are named after their .sql files`,
      ),
    );
}

/** PROPERTIES_UNUSED for a `seeds:` entry of a properties file that names no seed. */
export function unusedSeedEntry(entry: ModelProperties, project: Project): Diagnostic {
  const names = project.seeds.map((s) => s.name);
  return warning(
    "PROPERTIES_UNUSED",
    `seeds: entry '${entry.name}' names no seed: its columns and tests are ignored`,
    entry.at,
    closestHint(entry.name, names) ?? "seeds are named after their .csv files",
  );
}

/**
 * CONFIG_PATH_UNUSED warnings for folders of sluice.yml's `models:` tree that hold no model (a
 * misspelled folder configures nothing). Folder paths are relative to the project dir; dbt's
 * nesting under the project name is accepted.
 *
 * @example unusedFolderConfig(project) // [warn CONFIG_PATH_UNUSED: models.stagin applies to no model; hint: did you mean 'staging'?]
 */
export function unusedFolderConfig(project: Project): Diagnostic[] {
  const folders = project.models.map((m) => m.folders);
  const out: Diagnostic[] = [];
  const visit = (node: FolderConfig, prefix: readonly string[], trail: string) => {
    for (const [name, child] of Object.entries(node.children)) {
      const path = [...prefix, name];
      const here = `${trail}.${name}`;
      const used = folders.filter((f) => path.every((segment, i) => f[i] === segment));
      if (used.length > 0) {
        visit(child, path, here);
        continue;
      }
      const siblings = folders
        .filter((f) => prefix.every((segment, i) => f[i] === segment))
        .flatMap((f) => f.slice(prefix.length, prefix.length + 1));
      out.push(
        warning(
          "CONFIG_PATH_UNUSED",
          `sluice.yml ${here} applies to no model: no model is in folder '${path.join("/")}'`,
          child.at,
          closestHint(name, siblings) ??
            "keys without '+' are folders under the project dir (e.g. staging:)",
        ),
      );
    }
  };
  const root = project.config.models;
  const named = root.children[project.config.name];
  if (named && !folders.some((f) => f[0] === project.config.name)) {
    visit(named, [], `models.${project.config.name}`);
    visit({ ...root, children: withoutKey(root.children, project.config.name) }, [], "models");
  } else visit(root, [], "models");
  return out;
}

const withoutKey = <T>(o: Record<string, T>, key: string): Record<string, T> =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
