import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPackages } from "./packages.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "sluice-packages-"));
  const write = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  };
  await write(
    "packages.yml",
    "packages:\n  - local: pkgs/macros_only\n  - local: pkgs/with_models\n",
  );
  await write("pkgs/macros_only/dbt_project.yml", "name: macros_only\n");
  await write("pkgs/macros_only/macros/m.sql", "{% macro m() %}1{% endmacro %}\n");
  await write("pkgs/with_models/dbt_project.yml", "name: with_models\nmodel-paths: [src]\n");
  await write("pkgs/with_models/src/staging/a.sql", "select 1\n");
  await write("pkgs/with_models/seeds/s.csv", "id\n1\n");
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("readPackages", () => {
  it("a package's models and seeds are a warning at its entry; a macros-only package is silent", () => {
    const { packages, diagnostics } = readPackages(dir, {});
    expect(packages.map((p) => [p.name, p.unbuilt])).toEqual([
      ["macros_only", []],
      ["with_models", ["pkgs/with_models/src", "pkgs/with_models/seeds"]],
    ]);
    expect(diagnostics.map((d) => [d.severity, d.code, d.at?.line, d.message])).toEqual([
      [
        "warn",
        "DBT_KEY_IGNORED",
        3,
        "package 'with_models': its pkgs/with_models/src, pkgs/with_models/seeds are not built by sluice (it reads a package's macros and generic tests only)",
      ],
    ]);
  });
});
