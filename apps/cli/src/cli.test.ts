import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import { SegmentGoneError } from "./segment-orphans.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), isTty: false },
    out,
    err,
  };
}

describe("runCli (in process)", () => {
  it("returns 2 and names the problem for an unknown command, with yargs' suggestion", async () => {
    const c = capture();
    expect(await runCli(["frobnicate"], c.io, "/tmp")).toBe(2);
    expect(c.err).toEqual(["error: unknown command 'frobnicate'"]);
    const typo = capture();
    expect(await runCli(["biuld"], typo.io, "/tmp")).toBe(2);
    expect(typo.err).toEqual(["error: unknown command 'biuld'; did you mean build?"]);
    // The command is what is wrong, not the options it would take.
    const withOptions = capture();
    expect(await runCli(["frobnicate", "--limit", "3"], withOptions.io, "/tmp")).toBe(2);
    expect(withOptions.err).toEqual(["error: unknown command 'frobnicate'"]);
  });

  it("says what to do instead of a dbt command sluice does not have", async () => {
    const c = capture();
    expect(await runCli(["parse"], c.io, "/tmp")).toBe(2);
    expect(c.err).toEqual([
      "error: unknown command 'parse': sluice compile parses the project and writes target/manifest.json, as dbt parse does",
    ]);
  });

  it("answers to dbt's spelling of a command: list is ls", async () => {
    const listed = capture();
    expect(await runCli(["list", "--bogus"], listed.io, "/tmp")).toBe(2);
    expect(listed.err).toEqual([
      "error: unknown option --bogus; sluice list --help lists the options",
    ]);
  });

  it.each([
    [["build", "--selct", "x"], "error: unknown option --selct; did you mean --select?"],
    [
      ["build", "--format", "yaml"],
      "error: invalid value 'yaml' for --format (choose from table, json); did you mean 'table'?",
    ],
    [
      ["build", "--threads", "abc"],
      "error: --threads takes a whole number of at least 1, not 'abc'",
    ],
    [["run", "--timeout", "0"], "error: --timeout takes a number above 0, not '0'"],
    [["build", "--target"], "error: --target needs a value"],
    [["query"], "error: missing argument: sluice query <sql>"],
    [
      ["build", "--defer"],
      "error: --defer reads the relations of a previous run: pass --state DIR with its manifest.json",
    ],
    [
      ["build", "--no-such-flag"],
      "error: unknown option --no-such-flag; sluice build --help lists the options",
    ],
  ])("rejects %j before loading anything: one line, exit 2", async (argv, line) => {
    const c = capture();
    // The project dir does not exist: any attempt to load it would print CONFIG_NOT_FOUND.
    expect(
      await runCli(["--project-dir", "/nonexistent-sluice-project", ...argv], c.io, "/tmp"),
    ).toBe(2);
    expect(c.err).toEqual([line]);
    expect(c.out).toEqual([]);
  });

  it("prints the command list for no command (exit 2)", async () => {
    const c = capture();
    expect(await runCli([], c.io, "/tmp")).toBe(2);
    expect(c.err.join("\n")).toMatch(/Commands:\n\s+sluice build/);
  });

  it("a thrown error is one line, the stack only with --debug", async () => {
    const rules = fileURLToPath(new URL("../../../models/rules/events.dqdl", import.meta.url));
    const lines: string[] = [];
    const io = {
      out: () => {
        throw new Error("boom");
      },
      err: (t: string) => lines.push(t),
      isTty: false,
    };
    expect(await runCli(["dq", "parse", rules, "--format", "json"], io, "/tmp")).toBe(1);
    expect(lines).toEqual(["error: boom (unexpected: --debug prints the stack trace)"]);
    lines.length = 0;
    expect(await runCli(["dq", "parse", rules, "--format", "json", "--debug"], io, "/tmp")).toBe(1);
    expect(lines.join("\n")).toMatch(/^Error: boom\n\s+at /);
  });

  it("a memo segment another command replaced is one line saying to run again, not a bug", async () => {
    const rules = fileURLToPath(new URL("../../../models/rules/events.dqdl", import.meta.url));
    const said =
      "target/compile_memo/080.x.json changed while this command was using it: run the command again";
    const lines: string[] = [];
    const io = {
      out: () => {
        throw new SegmentGoneError(said);
      },
      err: (t: string) => lines.push(t),
      isTty: false,
    };
    expect(await runCli(["dq", "parse", rules, "--format", "json"], io, "/tmp")).toBe(1);
    expect(lines).toEqual([`error: ${said}`]);
  });

  // /dev/full: every write to it fails with ENOSPC, as a full disk's do (the kernel's own error).
  it.runIf(existsSync("/dev/full"))(
    "a full disk is one line saying what to do, not a bug in sluice (exit 1)",
    async () => {
      const lake = mkdtempSync(path.join(os.tmpdir(), "sluice-full-"));
      try {
        const c = capture();
        const argv = ["generate", "--events", "50", "--start", "2026-12-01T00:00:00Z"];
        const to = ["--hours", "1", "--lake", lake, "--summary-json", "/dev/full"];
        expect(await runCli([...argv, ...to], c.io, lake)).toBe(1);
        expect(c.err).toEqual([
          "error: cannot write a file: no space left on the device (ENOSPC): free space on that disk and run the command again",
        ]);
      } finally {
        rmSync(lake, { recursive: true, force: true });
      }
    },
  );

  it("returns 2 when the project directory has no sluice.yml", async () => {
    const c = capture();
    expect(await runCli(["--project-dir", "/nonexistent-sluice-project", "ls"], c.io, "/tmp")).toBe(
      2,
    );
    expect(c.err.join("\n")).toMatch(/CONFIG_NOT_FOUND/);
  });
});
