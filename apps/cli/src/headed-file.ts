import { hash } from "node:crypto";

import { writePieces } from "@sluice/runner/chunk-writer";
import { readUtf8 } from "@sluice/runner/utf8-text";
import { replaceThroughTemp } from "@sluice/runner/atomic-file";

/**
 * Write `<header>\n<body>` to `file` through a temporary file renamed into place (a reader sees
 * the old file or the new one, never half of one). The texts are encoded a MB at a time into one
 * reused buffer (see ChunkWriter), never joined: the body can be tens of MB (the cached compile,
 * the compile memo), and a body given as pieces (see json-pieces.ts) is never built as one
 * string at all. A piece given as bytes is written as it is (already UTF-8). A header given as
 * pieces is written as their join.
 */
export function writeHeadedFile(
  file: string,
  header: string | readonly string[],
  body: string | Iterable<string | Buffer>,
): void {
  replaceThroughTemp(file, (tmp) => writePieces(tmp, headed(header, body)));
}

/** The header line, then the body's pieces as they come (a generator's never all at once). */
function* headed(header: string | readonly string[], body: string | Iterable<string | Buffer>) {
  if (typeof header === "string") yield header;
  else yield* header;
  yield "\n";
  if (typeof body === "string") yield body;
  else yield* body;
}

/**
 * A file {@link writeHeadedFile} wrote, as its header line and body; undefined when it has no
 * newline (not such a file). Throws when it cannot be read.
 */
export function readHeadedFile(file: string): { header: string; body: string } | undefined {
  const text = readUtf8(file);
  const newline = text.indexOf("\n");
  return newline < 0
    ? undefined
    : { header: text.slice(0, newline), body: text.slice(newline + 1) };
}

/**
 * The header line of a file that goes with one compile cached in `partial_parse.json` (the
 * compile's digests, the edits base): `[format, sha1 (base64) of that file's header line]`. A
 * file whose header is not this exact line is of another compile or format: it is not read.
 *
 * @example headerTie(3, line) // '[3,"q1w2...="]'
 */
export const headerTie = (format: number, line: string): string =>
  JSON.stringify([format, hash("sha1", line, "base64")]);

/** The format of a {@link headerTie} line; undefined when `header` is not one. */
export function tieFormat(header: string): number | undefined {
  try {
    const tie: unknown = JSON.parse(header);
    return Array.isArray(tie) && tie.length === 2 && typeof tie[0] === "number"
      ? tie[0]
      : undefined;
  } catch {
    return undefined;
  }
}
