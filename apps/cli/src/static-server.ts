import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { allowedHost } from "@sluice/aws-local/host-guard";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
};

/**
 * Serve a folder's files on loopback (127.0.0.1) only; `port` 0 picks a free one. GET and HEAD,
 * no listing, nothing outside the folder. A request whose Host is not this machine's loopback
 * name (127.0.0.1, localhost, [::1]) is refused (403): a web page whose own name was made to
 * point at 127.0.0.1 (DNS rebinding) would otherwise read the docs, the project's SQL and the
 * dashboard's figures. A path that does not decode (a stray `%`) is a 400, not a crash.
 *
 * @example const s = await serveFolder("target/docs", 8080); s.url; await s.close();
 */
export async function serveFolder(
  dir: string,
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const root = path.resolve(dir);
  const server = createServer(async (req, res) => {
    const refuse = (code: number, text: string) =>
      res.writeHead(code, { "content-type": "text/plain" }).end(`${text}\n`);
    if (!allowedHost(req.headers.host, "127.0.0.1")) return refuse(403, "host not allowed");
    const url = new URL(req.url ?? "/", "http://localhost");
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname).replace(/\/$/, "/index.html");
    } catch {
      return refuse(400, "bad path");
    }
    const file = path.resolve(root, `.${rel}`);
    const inside = file === root || file.startsWith(root + path.sep);
    const found = inside ? await stat(file).catch(() => undefined) : undefined;
    if (!found?.isFile() || (req.method !== "GET" && req.method !== "HEAD"))
      return refuse(found ? 405 : 404, "not found");
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
    // A browser's idle keep-alive connections would hold the close for their timeout (5 s).
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Serve until Ctrl-C (the io signal) or SIGTERM; prints `<what> listening on <url>` first. */
export async function serveUntilStopped(
  dir: string,
  port: number,
  what: string,
  io: { out: (t: string) => void; signal?: AbortSignal; catchInterrupt?: () => void },
  page = "",
): Promise<void> {
  const server = await serveFolder(dir, port);
  // Listen for the signals before printing the URL: a caller may stop us as soon as it reads it.
  io.catchInterrupt?.();
  const stop = new Promise<void>((resolve) => {
    if (io.signal) io.signal.addEventListener("abort", () => resolve(), { once: true });
    else process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  io.out(`${what} listening on ${server.url}${page} (Ctrl-C to stop)`);
  await stop;
  await server.close();
}
