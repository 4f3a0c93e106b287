import { closeSync, openSync, renameSync, writeFileSync } from "node:fs";

/** Characters of pieces joined before one write (see {@link writeHeadedFile}). */
const BATCH = 1 << 20;

/**
 * Write `<header>\n<body>` to `file` through a temporary file renamed into place (a reader sees
 * the old file or the new one, never half of one). The texts are written one after the other,
 * never joined: the body can be tens of MB (the cached compile, the compile memo), and joining it
 * to its header made a copy of it as large. A body given as pieces (see json-pieces.ts) is
 * written a MB at a time, so that no string as large as the whole body is built at all.
 */
export function writeHeadedFile(
  file: string,
  header: string,
  body: string | Iterable<string>,
): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    // On a descriptor, writeFileSync writes at the current position until all is written.
    writeFileSync(fd, `${header}\n`);
    if (typeof body === "string") writeFileSync(fd, body);
    else {
      let batch = "";
      for (const piece of body) {
        batch += piece;
        if (batch.length >= BATCH) {
          writeFileSync(fd, batch);
          batch = "";
        }
      }
      writeFileSync(fd, batch);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
