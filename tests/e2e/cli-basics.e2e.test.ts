import { describe, expect, it } from "vitest";
import { runSluice } from "../support/cli.js";

describe("sluice CLI basics", () => {
  it("--help lists every command and exits 0", async () => {
    const r = await runSluice(["--help"]);
    expect(r.code).toBe(0);
    for (const command of ["build", "run", "test", "seed", "compile", "ls", "query", "generate", "dq"]) {
      expect(r.stdout).toMatch(new RegExp(`sluice ${command}\\b`));
    }
  });

  it("every command has its own --help", async () => {
    const r = await runSluice(["build", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--select");
    expect(r.stdout).toContain("--full-refresh");
  });

  it("an unknown flag is a usage error: exit 2 with the reason", async () => {
    const r = await runSluice(["build", "--no-such-flag"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument/i);
  });

  it("no command is a usage error", async () => {
    const r = await runSluice([]);
    expect(r.code).toBe(2);
  });
});
