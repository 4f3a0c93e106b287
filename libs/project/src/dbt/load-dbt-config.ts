import { readFile } from "node:fs/promises";
import path from "node:path";
import { error } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import type { ProjectConfig } from "../types.js";
import { defaultModelConfig } from "../model-config-schema.js";
import { dbtProjectProfile, parseDbtProject } from "./dbt-project-file.js";
import { readPackages } from "./packages.js";
import type { PackageDir } from "./packages.js";
import { findProfilesFile, parseProfiles } from "./profiles.js";
import { dbtTargetObject } from "./target-object.js";
import type { ProfileOptions } from "./profiles.js";

/** A dbt project's settings as sluice's project config. */
export interface LoadedDbtConfig {
  config: ProjectConfig;
  diagnostics: Diagnostic[];
  usable: boolean;
  packages: PackageDir[];
  /** Folders outside the project's own paths whose files decide the result (profiles.yml's). */
  watched: string[];
}

/**
 * Read dbt_project.yml (text given), the profile it names from profiles.yml (dbt's search
 * order, `--profile` first) and packages.yml into one project config: targets are the
 * profile's outputs and `default-target` its `target:`.
 *
 * @example await loadDbtConfig("/abs/jaffle_shop", text, { env: process.env })
 */
export async function loadDbtConfig(
  dir: string,
  text: string,
  options: ProfileOptions,
): Promise<LoadedDbtConfig> {
  const env = options.env ?? {};
  // The profile first: dbt_project.yml's config values may read the target it holds.
  const profile = options.profile ?? dbtProjectProfile(text);
  const found = profile === "" ? undefined : findProfilesFile(dir, options);
  const profileDiagnostics: Diagnostic[] = [];
  const loaded =
    found && !("missing" in found)
      ? parseProfiles(
          await readFile(found.file, "utf8"),
          path.relative(dir, found.file),
          profile,
          env,
          profileDiagnostics,
        )
      : undefined;
  const targetName = options.target ?? loaded?.defaultTarget;
  const target = targetName === undefined ? undefined : loaded?.targets[targetName];
  const parsed = parseDbtProject(
    text,
    undefined,
    env,
    options.vars,
    target &&
      dbtTargetObject({
        name: targetName!,
        config: target,
        schema: target.schema ?? defaultModelConfig.schema,
        profileName: profile,
      }),
  );
  const { config } = parsed;
  const diagnostics = [...parsed.diagnostics];
  const result = { config, diagnostics, usable: parsed.usable, packages: [], watched: [] };
  if (!parsed.usable) return result;
  if (profile === "") {
    diagnostics.push(
      error(
        "DBT_PROJECT_INVALID",
        "dbt_project.yml names no profile",
        { file: "dbt_project.yml", line: 1, column: 1 },
        "add profile: <name of a profile in profiles.yml>, or pass --profile",
      ),
    );
    return { ...result, usable: false };
  }
  if (!found || "missing" in found) {
    diagnostics.push(
      error(
        "PROFILE_INVALID",
        `no profiles.yml: looked for ${found?.missing}`,
        undefined,
        found?.explicit
          ? "pass --profiles-dir (or set DBT_PROFILES_DIR to) the folder holding profiles.yml"
          : "put profiles.yml in the project folder or ~/.dbt, or pass --profiles-dir",
      ),
    );
    return { ...result, usable: false };
  }
  diagnostics.push(...profileDiagnostics);
  if (!loaded) return { ...result, usable: false };
  config.targets = loaded.targets;
  config["default-target"] = loaded.defaultTarget;
  const packages = readPackages(dir, env);
  diagnostics.push(...packages.diagnostics);
  config.dbt = {
    profile,
    profilesFile: found.file,
    packages: packages.packages.map((p) => p.dir),
  };
  return {
    config,
    diagnostics,
    usable: true,
    packages: packages.packages,
    watched: ["", path.relative(dir, path.dirname(found.file)) || ""],
  };
}
