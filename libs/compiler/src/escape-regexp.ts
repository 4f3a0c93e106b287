/**
 * `s` as a regular expression that matches it literally.
 *
 * @example new RegExp(`^${escapeRegExp("a.b[1]")}$`).test("a.b[1]") // true
 */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
