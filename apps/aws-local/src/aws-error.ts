/**
 * An error answered the way AWS answers it: JSON 1.1 services get `{"__type", "Message"}` with
 * HTTP 400 (500 for internal failures); S3 gets its XML `<Error>`. The SDK v3 clients turn
 * `__type`/`Code` into the thrown exception's `name`.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra members of the error body, e.g. Athena's `AthenaErrorCode`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Throw AWS's answer to a request member this double does not implement (never ignore it). */
export function rejectUnknownMembers(
  body: Record<string, unknown>,
  known: readonly string[],
  code = "InvalidInputException",
): void {
  const unknown = Object.keys(body).filter((k) => !known.includes(k) && body[k] !== undefined);
  if (unknown.length > 0)
    throw new AwsError(code, `aws-local does not support the parameter(s) ${unknown.join(", ")}`);
}

/** Glue/Athena length constraints, worded like AWS's validation errors. */
export function checkLength(
  list: readonly unknown[] | undefined,
  member: string,
  max: number,
  code = "ValidationException",
): void {
  if ((list?.length ?? 0) > max) {
    throw new AwsError(
      code,
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
}

/** Page a list with an opaque NextToken (the index of the next item). */
export function page<T>(
  items: readonly T[],
  nextToken: unknown,
  maxResults: unknown,
  limit: number,
): { items: T[]; next?: string } {
  const start = nextToken === undefined ? 0 : Number.parseInt(String(nextToken), 36);
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new AwsError("InvalidInputException", "Invalid NextToken");
  const max = maxResults === undefined ? limit : Number(maxResults);
  if (!Number.isInteger(max) || max < 1 || max > limit) {
    throw new AwsError(
      "ValidationException",
      `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${limit}`,
    );
  }
  const end = Math.min(items.length, start + max);
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { next: end.toString(36) } : {}),
  };
}
