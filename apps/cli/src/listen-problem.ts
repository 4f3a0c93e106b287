/**
 * What went wrong when a server (docs, dashboard, athena-local, firehose-local) could not listen,
 * as a line with its fix, or undefined for any other error: the port taken by another process
 * (`EADDRINUSE`), one this user may not open (`EACCES`: below 1024), or one outside 0-65535
 * (Node's `ERR_SOCKET_BAD_PORT`).
 *
 * @example listenProblem(Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE", syscall: "listen", address: "127.0.0.1", port: 8080 }))
 * // "port 8080 on 127.0.0.1 is in use by another process: choose another with --port, or --port 0 for a free one"
 */
export function listenProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & { code?: string; syscall?: string; address?: string; port?: number };
  const fix = "choose another with --port, or --port 0 for a free one";
  if (e.syscall === "listen" && e.code === "EADDRINUSE")
    return `port ${e.port} on ${e.address} is in use by another process: ${fix}`;
  if (e.syscall === "listen" && e.code === "EACCES")
    return `port ${e.port} on ${e.address} may not be opened by this user (ports below 1024 need privileges): ${fix}`;
  if (e.code === "ERR_SOCKET_BAD_PORT") {
    // Node: "options.port should be >= 0 and < 65536. Received type number (70000)."
    const given = /Received .*?\((.*)\)\.?$/.exec(e.message)?.[1];
    return `--port takes a whole number from 0 to 65535${given === undefined ? "" : `, not '${given}'`}`;
  }
  return undefined;
}
