/**
 * Whether a UTF-16 char code is a regex's `\s` (what `String.prototype.trim` removes too):
 * `/\s/.test(String.fromCharCode(code))` without a string or a regex per character. Checked
 * against the regex over all 65,536 code units (test/is-space.test.ts).
 */
export function isSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 160) return false;
  return (
    code === 160 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}
