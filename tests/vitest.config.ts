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
  },
});
