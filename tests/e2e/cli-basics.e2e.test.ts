import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runSluice } from "../support/cli.js";

describe("sluice CLI basics", () => {
  it("--help lists every command and exits 0", async () => {
    const r = await runSluice(["--help"]);
    expect(r.code).toBe(0);
    for (const command of [
      "build",
      "run",
      "test",
      "seed",
      "compile",
      "ls",
      "query",
      "generate",
      "dq",
    ]) {
      expect(r.stdout).toMatch(new RegExp(`sluice ${command}\\b`));
    }
  });

  it("a server's port taken or out of range: exit 2 with the fix, not an unexpected error", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const r = await runSluice(["firehose-local", "--port", String(port)]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(
        `error: port ${port} on 127.0.0.1 is in use by another process: choose another with --port, or --port 0 for a free one\n`,
      );
    } finally {
      taken.close();
    }
    const far = await runSluice(["docs", "serve", "--port", "70000"]);
    expect(far.code).toBe(2);
    expect(far.stderr).toBe("error: --port takes a whole number from 0 to 65535, not '70000'\n");
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
    expect(r.stderr).toBe(
      "error: unknown option --no-such-flag; sluice build --help lists the options\n",
    );
  });

  it("--version prints the CLI's version from any working directory", async () => {
    const { version } = JSON.parse(
      readFileSync(path.join(repoRoot, "apps/cli/package.json"), "utf8"),
    ) as { version: string };
    for (const cwd of [os.tmpdir(), repoRoot]) {
      const r = await runSluice(["--version"], { cwd });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it("runs the CommonJS bundle with a V8 code cache kept next to it", async () => {
    const bundle = path.join(repoRoot, "apps/cli/dist/bundle");
    const files = readdirSync(bundle).filter((f) => f.endsWith(".cjs"));
    expect(files).toContain("main.cjs");
    // Node 20 loses import() in code from a cache: the bundle must require() its externals.
    // Comment lines (JSDoc `*` lines, `//`) may name it: code-cache.cjs documents why.
    const code = (text: string) =>
      text
        .split("\n")
        .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
        .join("\n");
    for (const f of files)
      expect(code(readFileSync(path.join(bundle, f), "utf8")), f).not.toMatch(/\bimport\(/);
    expect((await runSluice(["ls", "--help"])).code).toBe(0);
    const cached = readdirSync(path.join(bundle, ".v8-cache"));
    expect(cached.some((f) => /^main\.cjs\.\d+-\d+\.v8$/.test(f))).toBe(true);
  });

  it("builds no Intl.Segmenter at start-up (ICU's break data: ~20 ms), only when text is measured", async () => {
    // Counts the segmenters a run constructs, printed on stderr at exit.
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-segmenters-"));
    const preload = path.join(dir, "count-segmenters.cjs");
    writeFileSync(
      preload,
      `let made = 0;
const Real = Intl.Segmenter;
Intl.Segmenter = class extends Real { constructor(...a) { super(...a); made++; } };
process.on("exit", () => process.stderr.write("segmenters: " + made + "\\n"));
`,
    );
    const env = { NODE_OPTIONS: `--require ${preload}` };
    const version = await runSluice(["--version"], { env });
    expect(version.stderr).toContain("segmenters: 0\n");
    // --help wraps its text by string-width, which then makes its segmenter on first use.
    const help = await runSluice(["--help"], { env });
    expect(help.code).toBe(0);
    expect(help.stderr).toMatch(/segmenters: [1-9]/);
  });

  it("no command is a usage error that lists the commands", async () => {
    const r = await runSluice([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Commands:\n\s+sluice build/);
  });
});
