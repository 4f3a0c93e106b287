/** Settings every vitest project shares: resolve workspace packages to their TypeScript sources. */
export const shared = {
  resolve: { conditions: ["@sluice/source"] },
  ssr: { resolve: { conditions: ["@sluice/source"] } },
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 30_000 },
};
