import { createHash } from "node:crypto";
import path from "node:path";
import { error, warning } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import { DBT_PROJECT_FILE } from "./dbt/dbt-project-file.js";
import { parseDocBlocks } from "./dbt/docs-blocks.js";
import { loadDbtConfig } from "./dbt/load-dbt-config.js";
import type { ProfileOptions } from "./dbt/profiles.js";
import { CONFIG_FILE, parseProjectConfig } from "./project-config.js";
import { parseProperties } from "./properties.js";
import type { ParsedProperties } from "./properties.js";
import { parseSeed } from "./seeds.js";
import { loadSnapshots } from "./dbt/load-snapshots.js";
import { foldersUnder, withProjectTestConfig } from "./dbt/dbt-test-config.js";
import type {
  ModelFile,
  ModelProperties,
  Project,
  ProjectConfig,
  ProjectFile,
  SnapshotProperties,
  SourceTable,
} from "./types.js";
import { findFileGroups, findFiles, readFiles, readText } from "./walk.js";
import type { SkippedFile } from "./walk.js";
import { FIXTURES_FOLDER, resolveFixtures } from "./unit-test-fixtures.js";
import type { UnitTestSpec } from "./unit-tests.js";

/**
 * Parsed properties files kept between loads, by a hash of path and text: `previous` is what
 * the last load left in `next` (plain JSON), so a load after one YAML edit parses that file only.
 */
export interface PropertiesMemo {
  previous: Readonly<Record<string, ParsedProperties>>;
  next: Record<string, ParsedProperties>;
}

const baseName = (p: string, ext: RegExp) => p.slice(p.lastIndexOf("/") + 1).replace(ext, "");

/** How to read a project's settings: sluice.yml, or dbt's dbt_project.yml + profiles.yml. */
export type LoadOptions = ProfileOptions;

/** The project file's settings, whichever flavour the folder holds. */
async function loadConfig(absDir: string, options: LoadOptions) {
  const configText: Diagnostic[] = [];
  const read = (file: string) =>
    readText(path.join(absDir, file), file, configText).catch(() => undefined);
  const text = await read(CONFIG_FILE);
  if (text !== undefined) {
    const parsed = parseProjectConfig(text, CONFIG_FILE, absDir);
    return {
      ...parsed,
      diagnostics: [...configText, ...parsed.diagnostics],
      packages: [],
      watched: [],
    };
  }
  const dbtText = await read(DBT_PROJECT_FILE);
  if (dbtText !== undefined) {
    const loaded = await loadDbtConfig(absDir, dbtText, options);
    return { ...loaded, diagnostics: [...configText, ...loaded.diagnostics] };
  }
  const notFound = error(
    "CONFIG_NOT_FOUND",
    `no ${CONFIG_FILE} or ${DBT_PROJECT_FILE} in ${absDir}`,
    undefined,
    "pass --project-dir with the folder that holds sluice.yml (or a dbt project's dbt_project.yml)",
  );
  return {
    config: parseProjectConfig("{}").config,
    diagnostics: [notFound],
    usable: false,
    packages: [],
    watched: [],
  };
}

/**
 * Load a project directory: validate sluice.yml (or, without one, dbt's dbt_project.yml with
 * its profile and local packages), then read models, properties YAML, seeds, macros, singular
 * tests, docs blocks and DQDL rule files in parallel. User mistakes are collected in
 * `project.diagnostics`; it only throws on bugs or unreadable files it already listed.
 *
 * @example
 * const project = await loadProject("models");
 * if (hasErrors(project.diagnostics)) console.error(project.diagnostics.map(formatDiagnostic).join("\n"));
 */
export async function loadProject(
  dir: string,
  options: LoadOptions & { properties?: PropertiesMemo } = {},
): Promise<Project> {
  const absDir = path.resolve(dir);
  const loaded = await loadConfig(absDir, options);
  const { config, usable } = loaded;
  const diagnostics = loaded.diagnostics;
  if (!usable) return emptyProject(absDir, config, diagnostics);
  const isDbt = config.dbt !== undefined;
  // dbt's generic tests live in `<test-path>/generic` and are macros, not singular tests.
  const genericTestRoots = isDbt ? config["test-paths"].map((t) => `${t}/generic`) : [];
  const fixtureRoots = config["test-paths"].map((t) => `${t}/${FIXTURES_FOLDER}`);
  const macroRoots = [
    ...config["macro-paths"],
    ...genericTestRoots,
    ...loaded.packages.flatMap((p) => p.macroRoots),
  ];

  const snapshotRoots = config["snapshot-paths"] ?? [];
  const analysisRoots = config["analysis-paths"] ?? [];
  const otherRoots = [
    ...snapshotRoots,
    ...analysisRoots,
    ...config["seed-paths"],
    ...config["macro-paths"],
    ...config["test-paths"],
    ...config["rule-paths"],
  ];
  const modelRoots = config["model-paths"];
  const excludeFromModels = otherRoots.filter((r) => !modelRoots.includes(r));
  const scanned = new Set<string>();
  const skipped: SkippedFile[] = [];
  const [
    [modelPaths, propertyPaths, docPaths],
    seedPaths,
    macroPaths,
    testPaths,
    rulePaths,
    fixturePaths,
    snapshotPaths,
    analysisPaths,
  ] = await Promise.all([
    findFileGroups(
      absDir,
      modelRoots,
      [[".sql"], [".yml", ".yaml"], [".md"]],
      excludeFromModels,
      scanned,
      skipped,
    ),
    findFiles(absDir, config["seed-paths"], [".csv"], [], scanned, skipped),
    findFiles(absDir, macroRoots, [".sql", ".njk"], [], scanned, skipped),
    findFiles(
      absDir,
      config["test-paths"],
      [".sql"],
      [...genericTestRoots, ...fixtureRoots],
      scanned,
      skipped,
    ),
    findFiles(absDir, config["rule-paths"], [".dqdl"], [], scanned, skipped),
    findFiles(absDir, fixtureRoots, [".csv", ".sql"], [], scanned, skipped),
    findFiles(absDir, snapshotRoots, [".sql", ".yml", ".yaml"], [], scanned, skipped),
    // dbt compiles analyses into target/ and never runs them; sluice does neither: said once.
    isDbt ? findFiles(absDir, analysisRoots, [".sql"], [], scanned, skipped) : [],
  ]);
  if (analysisPaths.length > 0) diagnostics.push(analysesNotCompiled(analysisPaths));
  loaded.watched.forEach((f) => scanned.add(f));
  const badText: Diagnostic[] = [];
  const read = (rels: readonly string[]) => readFiles(absDir, rels, badText);
  const modelFiles = read(modelPaths);
  const propertyFiles = read(propertyPaths.filter((p) => p !== CONFIG_FILE));
  const seedFiles = read(seedPaths);
  const macros = read(macroPaths);
  const testFiles = read(testPaths);
  const ruleFiles = read(rulePaths);
  const docFiles = read(docPaths);
  const fixtures = read(fixturePaths);
  const snapshotFiles = read(snapshotPaths);
  const memo = options.properties;
  const properties = [...propertyFiles, ...snapshotFiles.filter((f) => !f.path.endsWith(".sql"))];
  const parsedProperties = properties.map((f) => {
    const key = memo && createHash("sha1").update(`${f.path}\0${f.text}`).digest("base64");
    const parsed = (key && memo?.previous[key]) || parseProperties(f.text, f.path);
    if (key && memo) memo.next[key] = parsed;
    return parsed;
  });

  // Files are read in parallel; report their encoding errors in path order.
  badText.sort((a, b) => a.at!.file.localeCompare(b.at!.file));
  badText.push(...skippedWarnings(skipped));
  const project = emptyProject(absDir, config, [...diagnostics, ...badText]);
  project.scannedFolders = [...scanned].sort();
  // dbt counts folder config from the model paths (`models/staging/a.sql` is in `staging`).
  project.models = modelFiles.map((f) => toModel(f, isDbt ? modelRoots : []));
  for (const f of docFiles) {
    const { blocks, diagnostics: d } = parseDocBlocks(f);
    (project.docs ??= []).push(...blocks);
    project.diagnostics.push(...d);
  }
  project.macros = macros.map((m) => {
    const pkg = loaded.packages.find((p) => p.macroRoots.some((r) => m.path.startsWith(`${r}/`)));
    return pkg ? { ...m, package: pkg.name } : m;
  });
  project.singularTests = testFiles.map((f) => ({ ...f, name: baseName(f.path, /\.sql$/i) }));
  project.rules = ruleFiles.map((f) => ({ ...f, name: baseName(f.path, /\.dqdl$/i) }));
  for (const f of seedFiles) {
    const { seed, diagnostics: d } = parseSeed(f);
    if (seed) project.seeds.push(seed);
    project.diagnostics.push(...d);
  }
  const unitTests: UnitTestSpec[] = [];
  const snapshotProperties: SnapshotProperties[] = [];
  for (const parsed of parsedProperties) {
    project.modelProperties.push(...parsed.models);
    project.sources.push(...parsed.sources);
    project.exposures!.push(...parsed.exposures);
    // A memo written before unit tests or snapshots existed has none.
    unitTests.push(...(parsed.unitTests ?? []));
    snapshotProperties.push(...(parsed.snapshots ?? []));
    if (parsed.seeds?.length) (project.seedProperties ??= []).push(...parsed.seeds);
    project.diagnostics.push(...parsed.diagnostics);
  }
  project.unitTests = resolveFixtures(unitTests, fixtures, project.diagnostics);
  if (isDbt) {
    // dbt_project.yml's `tests:` applies by the folder of the yml declaring each test.
    const tests = config.tests;
    const withTests = <T extends ModelProperties | SourceTable>(entries: T[]): T[] =>
      tests
        ? withProjectTestConfig(entries, tests, config.name, [...modelRoots, ...snapshotRoots])
        : entries;
    project.modelProperties = withTests(project.modelProperties);
    project.sources = withTests(project.sources);
    const sql = snapshotFiles.filter((f) => f.path.endsWith(".sql"));
    const found = loadSnapshots(absDir, sql, withTests(snapshotProperties), snapshotRoots);
    project.snapshots = found.snapshots;
    project.diagnostics.push(...found.diagnostics);
  }
  return project;
}

function toModel(f: ProjectFile, roots: readonly string[]): ModelFile {
  return { ...f, name: baseName(f.path, /\.sql$/i), folders: foldersUnder(f.path, roots) };
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

/**
 * A warning per file the walk could not take (see `SkippedFile`), once per file (folders
 * searched for several kinds of files list it more than once), in path order.
 */
function skippedWarnings(skipped: readonly SkippedFile[]): Diagnostic[] {
  const byFile = new Map(skipped.map((s) => [s.file, s.why]));
  // No location: a code frame would read the file (a FIFO's read waits forever).
  return [...byFile.keys()]
    .sort()
    .map((file) =>
      warning(
        "PROJECT_FILE_SKIPPED",
        `${file} is skipped: ${byFile.get(file)}`,
        undefined,
        "remove it, or point the link at a file",
      ),
    );
}

/** The warning for a dbt project's analyses, which sluice neither compiles nor runs. */
function analysesNotCompiled(files: readonly string[]): Diagnostic {
  const sorted = [...files].sort();
  const shown = sorted.length > 3 ? `${sorted.slice(0, 3).join(", ")}, ...` : sorted.join(", ");
  return warning(
    "DBT_KEY_IGNORED",
    `sluice does not compile analyses: ${sorted.length === 1 ? "1 file" : `${sorted.length} files`} of analysis-paths not compiled (${shown})`,
    { file: sorted[0]!, line: 1, column: 1 },
    "to build one, move it into the models as a view; to run it once, render a model with sluice compile and run it with sluice query",
  );
}
