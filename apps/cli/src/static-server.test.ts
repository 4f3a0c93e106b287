import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveFolder } from "./static-server.js";

/** A raw GET (no client-side normalizing of the path), with the Host given. */
function get(url: string, rawPath: string, host?: string): Promise<number> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: rawPath, headers: host ? { host } : {} },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("serveFolder", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-serve-"));
  let served: Awaited<ReturnType<typeof serveFolder>>;
  beforeAll(async () => {
    writeFileSync(path.join(dir, "index.html"), "<p>docs</p>");
    served = await serveFolder(dir, 0);
  });
  afterAll(async () => {
    await served.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the folder to loopback names only, and nothing outside it", async () => {
    expect(await get(served.url, "/")).toBe(200);
    expect(await get(served.url, "/", "localhost:8080")).toBe(200);
    expect(await get(served.url, "/", "[::1]")).toBe(200);
    // DNS rebinding: a page at evil.example whose name now points at 127.0.0.1.
    expect(await get(served.url, "/", "evil.example")).toBe(403);
    expect(await get(served.url, "/", "127.0.0.1.evil.example:80")).toBe(403);
    expect(await get(served.url, "/../../etc/passwd")).toBe(404);
  });

  it("answers a path that does not decode with 400 and keeps serving", async () => {
    expect(await get(served.url, "/%E0%A4%A")).toBe(400);
    expect(await get(served.url, "/%")).toBe(400);
    expect(await get(served.url, "/index.html")).toBe(200);
  });
});
