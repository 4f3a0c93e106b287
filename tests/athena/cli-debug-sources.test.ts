import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { runCli } from "@sluice/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject } from "../support/cli.js";

/** `sluice debug` and `sluice sources register` on the local target, through runCli (in process). */
describe("sluice debug / sources register (local target)", () => {
  let project: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    project = await copyModelsProject();
  });
  afterAll(async () => project?.cleanup());

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["--project-dir", project.dir, ...argv], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      isTty: false,
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("debug fails in plain words before the lake exists, then passes once sources are registered", async () => {
    const before = await cli("debug");
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/FAIL lake dir: .*\.lake does not exist/);

    // The local raw view reads the Firehose layout; one delivered object is enough.
    const hour = path.join(project.dir, ".lake/raw/events/2026/01/01/00");
    await mkdir(hour, { recursive: true });
    await writeFile(path.join(hour, "events-1.json"), '{"event_id":"e1"}\n');
    const registered = await cli("sources", "register");
    expect(registered.err).toBe("");
    expect(registered).toMatchObject({ code: 0 });
    expect(registered.out).toContain("recreated raw.events");

    const after = await cli("debug");
    expect(after.out).toMatch(/OK   catalog file: .*catalog\.duckdb exists/);
    expect(after.out).toMatch(/OK   engine: DuckDB v\d/);
    expect(after.out).toContain("All checks passed.");
    expect(after.code).toBe(0);
  });

  it("rejects an unknown sources action as bad usage", async () => {
    expect((await cli("sources", "drop")).code).toBe(2);
  });
});
