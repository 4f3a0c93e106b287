import { appendFileSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, it } from "vitest";
import { runSluice } from "../cli.js";

// Run by child-processes.test.ts in a vitest of its own: a CLI spawned in beforeAll and never
// awaited, and a test that times out while the CLI it spawned still runs. Each CLI's pid is
// appended to $REAPER_DIR/pids once it is seen running.
const dir = process.env["REAPER_DIR"]!;

/** Start a never-ending CLI (`athena-local`) over `dir/name`; resolves once its pid is seen. */
async function startServer(name: string): Promise<{ run: Promise<unknown> }> {
  const root = path.join(dir, name);
  mkdirSync(root, { recursive: true });
  const run = runSluice(["athena-local", "--dir", root]);
  for (;;) {
    const pid = readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .find((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").includes(root);
        } catch {
          return false;
        }
      });
    if (pid !== undefined) {
      appendFileSync(path.join(dir, "pids"), `${name} ${pid}\n`);
      return { run };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  await startServer("spawned-in-before-all");
}, 30_000);

it("times out while the CLI it spawned still runs", async () => {
  await (
    await startServer("spawned-in-test")
  ).run;
}, 3000);

it("runs after the timed-out test", () => {
  appendFileSync(path.join(dir, "pids"), "next test ran\n");
});
