import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
};

/**
 * Serve a folder's files on loopback (127.0.0.1) only; `port` 0 picks a free one. GET and HEAD,
 * no listing, nothing outside the folder.
 *
 * @example const s = await serveFolder("target/docs", 8080); s.url; await s.close();
 */
export async function serveFolder(
  dir: string,
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const root = path.resolve(dir);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const rel = decodeURIComponent(url.pathname).replace(/\/$/, "/index.html");
    const file = path.resolve(root, `.${rel}`);
    const inside = file === root || file.startsWith(root + path.sep);
    const found = inside ? await stat(file).catch(() => undefined) : undefined;
    if (!found?.isFile() || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(found ? 405 : 404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "content-length": found.size,
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Serve until Ctrl-C (the io signal) or SIGTERM; prints `<what> listening on <url>` first. */
export async function serveUntilStopped(
  dir: string,
  port: number,
  what: string,
  io: { out: (t: string) => void; signal?: AbortSignal },
  page = "",
): Promise<void> {
  const server = await serveFolder(dir, port);
  // Listen for the signals before printing the URL: a caller may stop us as soon as it reads it.
  const stop = new Promise<void>((resolve) => {
    if (io.signal) io.signal.addEventListener("abort", () => resolve(), { once: true });
    else process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  io.out(`${what} listening on ${server.url}${page} (Ctrl-C to stop)`);
  await stop;
  await server.close();
}
