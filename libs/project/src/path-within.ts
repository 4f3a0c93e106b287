import path from "node:path";

/**
 * Whether absolute path `a` is `b` or a path under it (by whole segments: `/a/bc` is not under
 * `/a/b`).
 *
 * @example isWithin("/p/models/x", "/p/models") // true
 */
export const isWithin = (a: string, b: string): boolean =>
  a === b || a.startsWith(b.endsWith(path.sep) ? b : `${b}${path.sep}`);
