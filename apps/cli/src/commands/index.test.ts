import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../cli.js";
import { commandName, commands, loadNamedCommands } from "./index.js";

const quiet = { out: () => undefined, err: () => undefined, isTty: false };

describe("lazy commands", () => {
  afterEach(() => vi.restoreAllMocks());

  it("every command's module gives the spec its head lists, names unique", async () => {
    for (const head of commands) {
      const spec = await head.load();
      expect([spec.command, spec.describe]).toEqual([head.command, head.describe]);
    }
    const names = commands.map(commandName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain("init-target");
  });

  it("loads the commands argv names, an option's value included, nothing after --", async () => {
    const loaded = await loadNamedCommands(["--project-dir", "build", "ls", "--", "query"]);
    expect([...loaded.keys()].map(commandName)).toEqual(["build", "ls"]);
    expect(await loadNamedCommands(["--version"])).toEqual(new Map());
  });

  it("a command run loads only its own module; --help and usage errors load none", async () => {
    const loads = commands.map((c) => vi.spyOn(c, "load"));
    const loadedNames = () =>
      commands.filter((_, i) => loads[i]!.mock.calls.length > 0).map(commandName);
    // A missing project: the handler runs (and fails with exit 2) after parsing.
    expect(await runCli(["--project-dir", "/nonexistent-sluice", "build"], quiet, "/tmp")).toBe(2);
    expect(loadedNames()).toEqual(["build"]);
    loads.forEach((l) => l.mockClear());
    expect(await runCli(["biuld"], quiet, "/tmp")).toBe(2);
    expect(await runCli([], quiet, "/tmp")).toBe(2);
    expect(loadedNames()).toEqual([]);
  });
});
