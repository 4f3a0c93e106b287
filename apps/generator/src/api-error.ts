/** An API error the local endpoint answers with (HTTP 400, `__type` = `type`). */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }

  /** AWS's answer for a stream that does not exist (`kind`: `Firehose`, `Stream`). */
  static notFound(kind: string, name: string): ApiError {
    return new ApiError(
      "ResourceNotFoundException",
      `${kind} ${name} under account 000000000000 not found.`,
    );
  }
}
