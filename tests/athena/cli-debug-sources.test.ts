import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject } from "../support/cli.js";
import { runSluiceInProcess } from "../support/in-process-cli.js";

/** `sluice debug` and `sluice sources register` on the local target, through runCli (in process). */
describe("sluice debug / sources register (local target)", () => {
  let project: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    project = await copyModelsProject();
  });
  afterAll(async () => project?.cleanup());

  const cli = (...argv: string[]) => runSluiceInProcess(["--project-dir", project.dir, ...argv]);

  it("debug fails in plain words before the lake exists, then passes once sources are registered", async () => {
    const before = await cli("debug");
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/FAIL lake dir: .*\.lake does not exist/);

    // The local raw view reads the Firehose layout; one delivered object is enough.
    const hour = path.join(project.dir, ".lake/raw/events/2026/01/01/00");
    await mkdir(hour, { recursive: true });
    await writeFile(path.join(hour, "events-1.json"), '{"event_id":"e1"}\n');
    const registered = await cli("sources", "register");
    expect(registered.stderr).toBe("");
    expect(registered).toMatchObject({ code: 0 });
    expect(registered.stdout).toContain("recreated raw.events");

    const after = await cli("debug");
    expect(after.stdout).toMatch(/OK   catalog file: .*catalog\.duckdb exists/);
    expect(after.stdout).toMatch(/OK   engine: DuckDB v\d/);
    expect(after.stdout).toContain("All checks passed.");
    expect(after.code).toBe(0);
  });

  it("rejects an unknown sources action as bad usage", async () => {
    expect((await cli("sources", "drop")).code).toBe(2);
  });
});
