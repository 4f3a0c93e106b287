import { defineProject } from "vitest/config";
import { shared } from "../vitest.shared.js";
import { LongestFirstSequencer } from "./support/longest-first-sequencer.js";

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
    // The slowest files first, so the last files to finish are short ones.
    sequence: { sequencer: LongestFirstSequencer },
  },
});
