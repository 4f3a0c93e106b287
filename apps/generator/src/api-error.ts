/** An API error the local endpoint answers with (HTTP 400, `__type` = `type`). */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}
