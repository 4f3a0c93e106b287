import { closeSync, openSync, renameSync, writeFileSync } from "node:fs";

/**
 * Write `<header>\n<body>` to `file` through a temporary file renamed into place (a reader sees
 * the old file or the new one, never half of one). The two texts are written one after the
 * other, never joined: the body can be tens of MB (the cached compile, the compile memo), and
 * joining it to its header made a copy of it as large.
 */
export function writeHeadedFile(file: string, header: string, body: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    // On a descriptor, writeFileSync writes at the current position until all is written.
    writeFileSync(fd, `${header}\n`);
    writeFileSync(fd, body);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
