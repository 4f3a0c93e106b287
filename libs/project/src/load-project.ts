import path from "node:path";
import { error } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import { CONFIG_FILE, parseProjectConfig } from "./project-config.js";
import { parseProperties } from "./properties.js";
import { parseSeed } from "./seeds.js";
import type { ModelFile, Project, ProjectConfig, ProjectFile } from "./types.js";
import { findFiles, readFiles, readText } from "./walk.js";

const baseName = (p: string, ext: RegExp) => p.slice(p.lastIndexOf("/") + 1).replace(ext, "");

/**
 * Load a project directory: validate sluice.yml, then read models, properties YAML, seeds,
 * macros, singular tests and DQDL rule files in parallel. User mistakes are collected in
 * `project.diagnostics`; it only throws on bugs or unreadable files it already listed.
 *
 * @example
 * const project = await loadProject("models");
 * if (hasErrors(project.diagnostics)) console.error(project.diagnostics.map(formatDiagnostic).join("\n"));
 */
export async function loadProject(dir: string): Promise<Project> {
  const absDir = path.resolve(dir);
  let text: string;
  const configText: Diagnostic[] = [];
  try {
    text = await readText(path.join(absDir, CONFIG_FILE), CONFIG_FILE, configText);
  } catch {
    const parsed = parseProjectConfig("{}");
    return emptyProject(absDir, parsed.config, [
      error(
        "CONFIG_NOT_FOUND",
        `no ${CONFIG_FILE} in ${absDir}`,
        undefined,
        "pass --project-dir with the folder that holds sluice.yml",
      ),
    ]);
  }
  const parsedConfig = parseProjectConfig(text);
  const { config, usable } = parsedConfig;
  const diagnostics = [...configText, ...parsedConfig.diagnostics];
  if (!usable) return emptyProject(absDir, config, diagnostics);

  const otherRoots = [
    ...config["seed-paths"],
    ...config["macro-paths"],
    ...config["test-paths"],
    ...config["rule-paths"],
  ];
  const modelRoots = config["model-paths"];
  const excludeFromModels = otherRoots.filter((r) => !modelRoots.includes(r));
  const scanned = new Set<string>();
  const [modelPaths, propertyPaths, seedPaths, macroPaths, testPaths, rulePaths] =
    await Promise.all([
      findFiles(absDir, modelRoots, [".sql"], excludeFromModels, scanned),
      findFiles(absDir, modelRoots, [".yml", ".yaml"], excludeFromModels, scanned),
      findFiles(absDir, config["seed-paths"], [".csv"], [], scanned),
      findFiles(absDir, config["macro-paths"], [".sql", ".njk"], [], scanned),
      findFiles(absDir, config["test-paths"], [".sql"], [], scanned),
      findFiles(absDir, config["rule-paths"], [".dqdl"], [], scanned),
    ]);
  const badText: Diagnostic[] = [];
  const [modelFiles, propertyFiles, seedFiles, macros, testFiles, ruleFiles] = await Promise.all([
    readFiles(absDir, modelPaths, badText),
    readFiles(
      absDir,
      propertyPaths.filter((p) => p !== CONFIG_FILE),
      badText,
    ),
    readFiles(absDir, seedPaths, badText),
    readFiles(absDir, macroPaths, badText),
    readFiles(absDir, testPaths, badText),
    readFiles(absDir, rulePaths, badText),
  ]);

  // Files are read in parallel; report their encoding errors in path order.
  badText.sort((a, b) => a.at!.file.localeCompare(b.at!.file));
  const project = emptyProject(absDir, config, [...diagnostics, ...badText]);
  project.scannedFolders = [...scanned].sort();
  project.models = modelFiles.map(toModel);
  project.macros = macros;
  project.singularTests = testFiles.map((f) => ({ ...f, name: baseName(f.path, /\.sql$/i) }));
  project.rules = ruleFiles.map((f) => ({ ...f, name: baseName(f.path, /\.dqdl$/i) }));
  for (const f of seedFiles) {
    const { seed, diagnostics: d } = parseSeed(f);
    if (seed) project.seeds.push(seed);
    project.diagnostics.push(...d);
  }
  for (const f of propertyFiles) {
    const parsed = parseProperties(f.text, f.path);
    project.modelProperties.push(...parsed.models);
    project.sources.push(...parsed.sources);
    project.exposures!.push(...parsed.exposures);
    project.diagnostics.push(...parsed.diagnostics);
  }
  return project;
}

function toModel(f: ProjectFile): ModelFile {
  const segments = f.path.split("/");
  return { ...f, name: baseName(f.path, /\.sql$/i), folders: segments.slice(0, -1) };
}

function emptyProject(dir: string, config: ProjectConfig, diagnostics: Diagnostic[]): Project {
  return {
    dir,
    config,
    models: [],
    macros: [],
    seeds: [],
    modelProperties: [],
    sources: [],
    exposures: [],
    singularTests: [],
    rules: [],
    diagnostics,
  };
}
