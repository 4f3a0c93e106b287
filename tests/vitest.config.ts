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
    // CLI children a test left running (it timed out) are killed when it ends, not left to block
    // the next tests (support/child-processes.ts). The CPU census is opt-in (bench/test-cpu.mjs).
    setupFiles: ["./support/cpu-census.setup.ts", "./support/child-reaper.setup.ts"],
    // Most files wait on CLI and endpoint child processes: two files at a time use both cores of
    // a 2-core CI machine (vitest's default is one worker there, cores - 1).
    maxWorkers: 2,
    // One module graph per worker, not per file: a file's own imports (the libraries' sources
    // through vite, dt-sql-parser) cost 1-5 CPU-s to evaluate, about as much as many files' tests.
    // The files share no process state: each works in its own temp dirs, endpoints and child
    // processes, and none mocks a module, stubs an env var or changes the working directory.
    isolate: false,
    // The slowest files first, so the last files to finish are short ones.
    sequence: { sequencer: LongestFirstSequencer },
  },
});
