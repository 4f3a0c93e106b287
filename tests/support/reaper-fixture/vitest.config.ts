import { defineProject } from "vitest/config";
import { shared } from "../../../vitest.shared.js";

// Runs timed-out-spawn.fixture.ts for child-processes.test.ts: not part of the tests project.
export default defineProject({
  ...shared,
  test: {
    ...shared.test,
    include: ["*.fixture.ts"],
    setupFiles: ["../child-reaper.setup.ts"],
  },
});
