/**
 * Why a query never reached the target (no credentials, no network), from the error or its
 * causes (the innermost that says so: the SDK's words, not a wrapper's); undefined for a query
 * the target ran and refused.
 *
 * @example unreachable(new Error("Could not load credentials from any providers")) // that message
 */
export function unreachable(e: unknown): string | undefined {
  let found: string | undefined;
  for (let x: unknown = e; x instanceof Error; x = x.cause) {
    const code = String((x as { code?: unknown }).code ?? "");
    if (
      ["CredentialsProviderError", "TimeoutError"].includes(x.name) ||
      /^(ENOTFOUND|ECONNREFUSED|ECONNRESET|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH)$/.test(code) ||
      /could not load credentials|getaddrinfo|ECONNREFUSED/i.test(x.message)
    )
      found = x.message;
  }
  return found;
}
