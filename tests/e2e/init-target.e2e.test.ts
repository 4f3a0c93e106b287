import {
  chmod,
  lstat,
  readdir,
  readFile,
  rename,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";
import { stackOutputs } from "../support/stack-outputs.js";

describe("sluice init-target --from-stack", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  let outputs = "";
  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    outputs = path.join(path.dirname(dir), "cdk-outputs.json");
    await writeFile(outputs, JSON.stringify(stackOutputs));
  });
  afterAll(() => cleanup());

  it("prints the target, then --write adds it to sluice.yml and the project compiles for it", async () => {
    const printed = await runSluice(["--project-dir", dir, "init-target", "--from-stack", outputs]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain("prod:\n  engine: athena\n  region: eu-west-1\n");
    expect(printed.stderr).toContain("arn:aws:iam::123456789012:role/sluice-ci-build");
    const before = await readFile(path.join(dir, "sluice.yml"), "utf8");
    // A sluice.yml kept elsewhere and linked, readable by its owner only: the file is replaced
    // whole (through a temporary file), the link and the mode stay.
    const kept = path.join(path.dirname(dir), "kept-sluice.yml");
    await rename(path.join(dir, "sluice.yml"), kept);
    await chmod(kept, 0o600);
    await symlink(kept, path.join(dir, "sluice.yml"));
    const wrote = await runSluice([
      "--project-dir",
      dir,
      "init-target",
      "--from-stack",
      outputs,
      "--name",
      "ci",
      "--write",
    ]);
    expect(wrote.code, wrote.stderr).toBe(0);
    expect(wrote.stdout).toMatch(/Added target 'ci' in .*sluice\.yml \(stack sluice-ci\)/);
    const after = await readFile(path.join(dir, "sluice.yml"), "utf8");
    expect((await lstat(path.join(dir, "sluice.yml"))).isSymbolicLink()).toBe(true);
    expect(await readFile(kept, "utf8")).toBe(after);
    expect((await stat(kept)).mode & 0o777).toBe(0o600);
    expect((await readdir(path.dirname(kept))).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    // The rest of the file, comments included, is kept.
    expect(after).toContain("# The e-commerce lakehouse");
    expect(after.length).toBeGreaterThan(before.length);
    const compiled = await runSluice(["--project-dir", dir, "--target", "ci", "compile"]);
    expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0);
    const sql = await readFile(
      path.join(dir, "target/compiled/ecommerce/silver/events.sql"),
      "utf8",
    ).catch(() => "");
    if (sql) expect(sql).toContain("ecommerce_ci_");
    // The raw zone has its own bucket: the raw table reads it, the tables go to the lake bucket.
    expect(after).toMatch(
      /s3_lake_root: s3:\/\/sluice-ci-lake-1a2b\n\s+s3_raw_root: s3:\/\/sluice-ci-raw-1a2b/,
    );
    const raw = await readFile(path.join(dir, "target/run/sources/events.sql"), "utf8");
    expect(raw).toContain("LOCATION 's3://sluice-ci-raw-1a2b/raw/events/'");
  });

  it("exits 2 with the problem and a hint on a missing or wrong file", async () => {
    const missing = await runSluice([
      "--project-dir",
      dir,
      "init-target",
      "--from-stack",
      "nope.json",
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /cannot read --from-stack nope\.json.*\n.*cdk deploy .*--outputs-file/,
    );
    const wrong = path.join(path.dirname(dir), "wrong.json");
    await writeFile(wrong, JSON.stringify({ s: { LakeRoot: "bucket" } }));
    const bad = await runSluice(["--project-dir", dir, "init-target", "--from-stack", wrong]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/output LakeRoot: expected s3:\/\/bucket/);
  });
});
