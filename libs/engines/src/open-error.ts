/**
 * The engine cannot be opened for a reason the user must fix (another build holds the lake,
 * the lake is read-only, the disk is full). The message is one line meant for the user; the
 * CLI prints it without a stack and exits 2.
 *
 * @example
 * throw new EngineOpenError("cannot write the lake /x/.lake: read-only file system (EROFS)");
 */
export class EngineOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EngineOpenError";
  }
}

const fileSystemReasons: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
};

/**
 * What the file system's refusal `code` means, for a message to the user (a full disk, a
 * read-only file system, permissions, the open-files limit); undefined for any other code.
 *
 * @example fileSystemReason("ENOSPC") // "no space left on the device"
 */
export const fileSystemReason = (code: string | undefined): string | undefined =>
  code !== undefined && Object.hasOwn(fileSystemReasons, code)
    ? fileSystemReasons[code]
    : undefined;

/**
 * An error from writing the lake (its lock file or catalog) as an EngineOpenError when the
 * file system refused (permissions, read-only, full); anything else comes back unchanged.
 */
export function fileSystemOpenError(error: unknown, lakeDir: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : "";
  const fromDuckdb = /No space left|Permission denied|Read-only file system|Disk quota/i.exec(
    message,
  );
  const reason = fileSystemReason(code) ?? fromDuckdb?.[0].toLowerCase();
  if (!reason) return error;
  const label = fileSystemReason(code) ? ` (${code})` : "";
  const text = `cannot write the lake ${lakeDir}: ${reason}${label}`;
  return new EngineOpenError(text, { cause: error });
}

/** DuckDB's words for a catalog file it cannot use: not a database, cut short, or corrupt. */
const DAMAGED_CATALOG =
  /not a valid DuckDB database file|Could not read enough bytes from file "[^"]*catalog\.duckdb"|Corrupt database file/i;

/**
 * An error from opening the lake's catalog (or from its first statements) as an
 * EngineOpenError when DuckDB says the catalog file itself is damaged (a disk error, a copy cut
 * short, another program's file): the message names `catalog`, what DuckDB said, and the way
 * back. Undefined for any other error.
 *
 * @example damagedCatalogError(e, ".lake/catalog.duckdb") // "the lake's catalog … is damaged (…)"
 */
export function damagedCatalogError(error: unknown, catalog: string): EngineOpenError | undefined {
  const message = error instanceof Error ? error.message : "";
  const said = DAMAGED_CATALOG.exec(message) ? message.split("\n")[0] : undefined;
  if (said === undefined) return undefined;
  return new EngineOpenError(
    `the lake's catalog ${catalog} is damaged (${said}): restore it from a backup; or move it ` +
      "away and run `sluice build`, which builds every table again from the raw zone and the " +
      "seeds (a snapshot's history is not in them)",
    { cause: error },
  );
}
