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
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
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
  // Test configs share the root vitest settings by relative path; they are not library code.
  { files: ["**/vitest.config.ts"], rules: { "@nx/enforce-module-boundaries": "off" } },
);
