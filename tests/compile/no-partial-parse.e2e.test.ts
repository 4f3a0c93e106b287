import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

/**
 * `--no-partial-parse` on a fresh checkout (what CI often runs): nothing has made `target/` yet,
 * and the commands write their artifacts there all the same.
 */
describe("--no-partial-parse on a project never compiled", () => {
  let project: Awaited<ReturnType<typeof copyModelsProject>> | undefined;
  afterEach(() => project?.cleanup());

  it("compile writes target/ from nothing", async () => {
    project = await copyModelsProject();
    const target = path.join(project.dir, "target");
    expect(existsSync(target)).toBe(false);
    const compiled = await runSluice([
      "--project-dir",
      project.dir,
      "compile",
      "--no-partial-parse",
    ]);
    expect(compiled.stderr).toBe("");
    expect(compiled.code).toBe(0);
    expect(existsSync(path.join(target, "manifest.json"))).toBe(true);
    expect(existsSync(path.join(target, "compiled", "staging", "stg_events.sql"))).toBe(true);
  });
});
