/** A Host header naming this machine's loopback, with or without a port. */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/** Addresses that listen on every interface: whoever can reach them may name them as they like. */
const ANY_ADDRESS = new Set(["0.0.0.0", "::", "[::]"]);

/**
 * Whether a request's Host (HTTP/2: `:authority`) may reach a local endpoint listening on
 * `listen`: on loopback (the default), only loopback names. A web page whose own name was made to
 * point at 127.0.0.1 (DNS rebinding) is same-origin with it, so no CORS check stops it; its
 * requests carry its own name, and are refused here. On another address, that address's name
 * too; on every interface (0.0.0.0), any name (the endpoint was exposed on purpose).
 *
 * @example allowedHost("evil.example:4599", "127.0.0.1") // false
 */
export function allowedHost(host: string | undefined, listen: string): boolean {
  if (ANY_ADDRESS.has(listen)) return true;
  if (host === undefined) return false;
  if (LOOPBACK_HOST.test(host)) return true;
  const name = host.replace(/:\d+$/, "").toLowerCase();
  return name === listen.toLowerCase();
}

/**
 * What a refused request is told: the host it named and the ones `endpoint` answers.
 *
 * @example hostRefusal("evil.example", "127.0.0.1", "aws-local") // "host not allowed: evil.example (aws-local answers ...)"
 */
export function hostRefusal(host: string | undefined, listen: string, endpoint: string): string {
  return `host not allowed: ${host ?? "(none)"} (${endpoint} answers requests naming ${listen} or this machine's loopback)`;
}
