import { describe, expect, it } from "vitest";
import { runCli } from "./cli.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), isTty: false }, out, err };
}

describe("runCli (in process)", () => {
  it("returns 2 and names the problem for an unknown command", async () => {
    const c = capture();
    expect(await runCli(["frobnicate"], c.io, "/tmp")).toBe(2);
    expect(c.err.join("\n")).toMatch(/Unknown argument: frobnicate/);
  });

  it("returns 2 when the project directory has no sluice.yml", async () => {
    const c = capture();
    expect(await runCli(["--project-dir", "/nonexistent-sluice-project", "ls"], c.io, "/tmp")).toBe(2);
    expect(c.err.join("\n")).toMatch(/CONFIG_NOT_FOUND/);
  });
});
