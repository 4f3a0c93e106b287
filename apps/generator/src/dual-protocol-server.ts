import {
  createServer as createHttp1Server,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from "node:http2";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { allowedHost, hostRefusal } from "@sluice/aws-local/host-guard";

/** A request handler both HTTP versions call (the HTTP/2 compatibility API mirrors HTTP/1's). */
export type DualHandler = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => void;

/** A listening endpoint; `close` ends every connection. */
export interface DualServer {
  port: number;
  /** TCP connections accepted so far (a client that keeps its session alive opens one). */
  readonly connections: number;
  close(): Promise<void>;
}

/** Flow-control window (bytes) of each HTTP/2 stream and session: 16 MiB. */
const WINDOW = 16 * 1024 * 1024;

/** The first bytes of every HTTP/2 cleartext connection (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0");

/**
 * Listens for HTTP/1.1 and cleartext HTTP/2 (prior knowledge) on one port, choosing by the
 * connection's first bytes. The AWS SDK's Kinesis client talks HTTP/2 (its handler is
 * NodeHttp2Handler, for SubscribeToShard) while the Firehose client talks HTTP/1.1, and Node's
 * HTTP/2 server only falls back to HTTP/1 over TLS.
 *
 * @example
 * const server = await listenHttp1And2((req, res) => res.end("ok"), 0, "127.0.0.1");
 */
export async function listenHttp1And2(
  serve: DualHandler,
  port: number,
  host: string,
): Promise<DualServer> {
  // A request naming another host than this endpoint's (DNS rebinding: see host-guard.ts) is
  // refused before the handler sees it.
  const handler: DualHandler = (req, res) => {
    const named = req.headers.host ?? (req.headers as Record<string, string>)[":authority"];
    if (allowedHost(named, host)) return serve(req, res);
    req.resume();
    const body = JSON.stringify({
      __type: "AccessDeniedException",
      message: hostRefusal(named, host, "this endpoint"),
    });
    res.writeHead(403, { "content-type": "application/x-amz-json-1.1" });
    res.end(body);
  };
  const http1 = createHttp1Server(handler);
  // HTTP/2's default 64 KiB flow-control windows make a client wait for a WINDOW_UPDATE every
  // 64 KiB of a multi-MiB PutRecords body; open them wide, as a service endpoint does.
  const http2 = createHttp2Server({ settings: { initialWindowSize: WINDOW } }, handler);
  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  http2.on("session", (s: Http2Session) => {
    s.setLocalWindowSize(WINDOW);
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
  // No Nagle: an answer's HEADERS and DATA frames go out as separate writes, and on a kept-alive
  // connection Nagle holds the second until the client's delayed ACK (40 ms on Linux loopback).
  let connections = 0;
  const tcp = createTcpServer({ noDelay: true }, (socket) => {
    connections++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.once("readable", () => {
      const head =
        (socket.read(H2_PREFACE.length) as Buffer | null) ?? (socket.read() as Buffer | null);
      if (head === null) return void socket.destroy();
      socket.unshift(head);
      (head.subarray(0, H2_PREFACE.length).equals(H2_PREFACE) ? http2 : http1).emit(
        "connection",
        socket,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(port, host, () => resolve());
  });
  return {
    port: (tcp.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    async close() {
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
