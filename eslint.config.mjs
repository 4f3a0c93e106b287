import nx from "@nx/eslint-plugin";
import tseslint from "typescript-eslint";

/** Architecture rules: pure libs never reach AWS or DuckDB; libs never import apps. */
export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.lake/**", "**/target/**"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "@nx": nx },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@nx/enforce-module-boundaries": [
        "error",
        {
          allow: [],
          depConstraints: [
            {
              sourceTag: "scope:pure",
              onlyDependOnLibsWithTags: ["scope:pure"],
              bannedExternalImports: ["@aws-sdk/*", "@duckdb/*", "node:child_process", "yargs"],
            },
            { sourceTag: "type:lib", onlyDependOnLibsWithTags: ["type:lib"] },
            { sourceTag: "scope:io", onlyDependOnLibsWithTags: ["scope:pure", "scope:io"] },
          ],
        },
      ],
    },
  },
  // The runner runs compiled projects: it reaches the compiler and the project loader through
  // their `run-time` entries (and `/diagnostics`, `/suggest`), whose package roots load nunjucks,
  // the YAML/CSV parsers and zod (tests/compile/cached-build-loads.e2e checks the loads).
  {
    files: ["libs/runner/src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: ["@sluice/compiler", "@sluice/project"].map((name) => ({
            name,
            allowTypeImports: true,
            message: `A cached run must not load ${name}'s root: import from "${name}/run-time".`,
          })),
        },
      ],
    },
  },
  // Test configs share the root vitest settings by relative path; they are not library code.
  { files: ["**/vitest.config.ts"], rules: { "@nx/enforce-module-boundaries": "off" } },
);
