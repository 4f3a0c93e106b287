/** Settings every vitest project shares: resolve workspace packages to their TypeScript sources. */
export const shared = {
  resolve: { conditions: ["@sluice/source"] },
  ssr: { resolve: { conditions: ["@sluice/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    // One module graph per worker, not per test file: re-importing and evaluating a library's
    // sources (and vitest's, zod's, nunjucks') for every file was most of a unit run's CPU
    // (compiler: 30.5 -> 9.5 CPU-s). Files still run one after another in a worker, so none sees
    // another's running state; none mocks a module, and the two that set an env var (cli's
    // compile-cache and athena-check-memo, engines' read-only-engine) restore it in `finally`.
    // A file that needs a fresh module graph sets `isolate: true` in its project's config.
    isolate: false,
  },
};
