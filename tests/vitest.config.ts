import { defineProject } from "vitest/config";
import { shared } from "../vitest.shared.js";

export default defineProject({
  ...shared,
  test: {
    ...shared.test,
    name: "tests",
    include: ["**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Most files wait on CLI and endpoint child processes: two files at a time use both cores of
    // a 2-core CI machine (vitest's default is one worker there, cores - 1).
    maxWorkers: 2,
  },
});
