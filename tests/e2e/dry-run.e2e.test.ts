import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";
import { fileDigests as fingerprint } from "../support/file-digests.js";

/** The plan block of one relation in `build --dry-run`'s text. */
const block = (stdout: string, relation: string): string | undefined =>
  stdout.split(/\n\n(?=\S)/).find((b) => b.startsWith(`${relation} `));

/**
 * `build --dry-run` on the local lake: before any build (no lake: nothing is created), and after
 * one (the next run's window from the watermark recorded with each version); the lake and
 * target/ stay byte for byte as they were.
 */
describe("build --dry-run on the lake", () => {
  let project: { dir: string; cleanup: () => Promise<void> };
  const sluice = (...args: string[]) => runSluice(["--project-dir", project.dir, ...args]);
  const lake = () => path.join(project.dir, ".lake");
  const target = () => path.join(project.dir, "target");

  beforeAll(async () => {
    project = await copyModelsProject();
  });
  afterAll(async () => project?.cleanup());

  it("before the first build: every table is a new version, and no lake or target/ appears", async () => {
    const r = await sluice("build", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(lake())).toBe(false);
    expect(existsSync(target())).toBe(false);
    expect(r.stderr).toMatch(/^dry run: \d+ nodes planned on target 'local'; nothing was changed/m);
    const events = block(r.stdout, "silver.events");
    expect(events).toMatch(/^silver\.events \(model, incremental\) on lake: new version$/m);
    expect(events).toMatch(
      /sql copy \(duckdb\)[\s\S]*catalog publish_version[\s\S]*delete_stale_locations/,
    );
    // build: tests are planned too, after what they test.
    expect(r.stdout).toMatch(/\(test, test\) on lake: check/);
  });

  it("after a build: the next run's plan, and nothing changed in the lake or target/", async () => {
    const generated = await sluice(
      ...["generate", "--events", "400", "--start", "2026-11-27T00:00:00Z", "--hours", "4"],
      ...["--seed", "3"],
    );
    expect(generated.code).toBe(0);
    expect((await sluice("build")).code).toBe(0);
    const before = [await fingerprint(lake()), await fingerprint(target())];

    const r = await sluice("build", "--dry-run", "--select", "events");
    expect(r.code, r.stderr).toBe(0);
    const events = block(r.stdout, "silver.events");
    // No raw hour since the build: the model is left as it is (no version written), as the build
    // would leave it; only the column probe runs.
    expect(events).toMatch(/on lake: unchanged/);
    // As the build reads it: the lookback's hours are unchanged since, so only the new hour.
    expect(events).toMatch(/window: from 2026\/11\/27\/04 \(watermark 2026\/11\/27\/03\)/);
    expect(events).toMatch(
      /note: no raw hour upstream from 2026\/11\/27\/04 on .*nothing is written/,
    );
    expect(events).not.toMatch(/carry_version_files|new version/);
    expect(events).toContain(`dt >= '2026/11/27/04'`);

    const full = await sluice("run", "--dry-run", "--full-refresh", "--format", "json");
    expect(full.code, full.stderr).toBe(0);
    const plans = JSON.parse(full.stdout) as { node: string; action: string }[];
    expect(plans.find((p) => p.node === "model.events")?.action).toBe("new version");
    expect(plans.some((p) => p.node.startsWith("test."))).toBe(false);

    expect([await fingerprint(lake()), await fingerprint(target())]).toEqual(before);
  }, 120_000);

  it("selectors behave as without --dry-run: a bad one is exit 2, one matching nothing warns", async () => {
    const bad = await sluice("build", "--dry-run", "--select", "tag:");
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    const none = await sluice("build", "--dry-run", "--select", "no_such_model");
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("");
    expect(none.stderr).toMatch(/SELECTOR_NO_MATCH[\s\S]*dry run: 0 nodes planned/);
  });
});
