import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { listenProblem } from "./listen-problem.js";

/** The error Node gives when listening on `port` fails. */
const listenError = (port: number): Promise<unknown> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once("error", resolve);
    try {
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(undefined)));
    } catch (error) {
      resolve(error);
    }
  });

describe("listenProblem", () => {
  it("a port in use: which, where, and the fix", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const { port } = taken.address() as { port: number };
    try {
      expect(listenProblem(await listenError(port))).toBe(
        `port ${port} on 127.0.0.1 is in use by another process: choose another with --port, or --port 0 for a free one`,
      );
    } finally {
      taken.close();
    }
  });

  it("a port out of range", async () => {
    expect(listenProblem(await listenError(70000))).toBe(
      "--port takes a whole number from 0 to 65535, not '70000'",
    );
  });

  it("leaves other errors alone", () => {
    expect(listenProblem(new Error("boom"))).toBeUndefined();
    expect(listenProblem("text")).toBeUndefined();
  });
});
